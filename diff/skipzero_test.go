package diff_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/leakscope/leakscope/diff"
)

// TestSkipZero checks that a heap pair loaded with Options.SkipZero
// compares, for that sample type, exactly as the whole dumps do, and keeps
// every total.
func TestSkipZero(t *testing.T) {
	t.Parallel()
	paths := []string{filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")}
	whole, err := diff.OpenAll(paths...)
	if err != nil {
		t.Fatal(err)
	}
	fewer := false
	for _, sample := range []string{"", "inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "1"} {
		thin, err := diff.OpenAllWith(&diff.Options{SkipZero: true, Sample: sample}, paths...)
		if err != nil {
			t.Fatal(err)
		}
		for i := range thin {
			w, th := whole[i], thin[i]
			fewer = fewer || th.NumStacks() < w.NumStacks()
			for j := range w.SampleTypes {
				if w.Total(j) != th.Total(j) {
					t.Errorf("%q: %s: total of %s: %d, want %d", sample, w.Path, w.SampleTypes[j], th.Total(j), w.Total(j))
				}
			}
			if !reflect.DeepEqual(diff.MomentOf(w), diff.MomentOf(th)) {
				t.Errorf("%q: %s: moment %+v, want %+v", sample, w.Path, diff.MomentOf(th), diff.MomentOf(w))
			}
		}
		cw, err := diff.Compare(whole[0], whole[1], sample)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := diff.Compare(thin[0], thin[1], sample)
		if err != nil {
			t.Fatal(err)
		}
		if cw.Total() != ct.Total() || cw.NumStacks() != ct.NumStacks() {
			t.Errorf("%q: total %+v over %d stacks, want %+v over %d", sample, ct.Total(), ct.NumStacks(), cw.Total(), cw.NumStacks())
		}
		if !reflect.DeepEqual(cw.Functions(), ct.Functions()) || !reflect.DeepEqual(cw.Lines(), ct.Lines()) {
			t.Errorf("%q: functions or lines differ from the whole dumps'", sample)
		}
	}
	if !fewer {
		t.Error("no sample type left a stack out: the test checks nothing")
	}
}
