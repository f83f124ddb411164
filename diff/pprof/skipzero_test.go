package pprof_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/leakscope/leakscope/diff"
)

// TestSkipZero checks that a heap pair loaded with Options.SkipZero
// compares, for that sample type, exactly as the whole dumps do, and keeps
// every total.
func TestSkipZero(t *testing.T) {
	t.Parallel()
	paths := []string{filepath.Join(demoDir, "heap-base.pb.gz"), filepath.Join(demoDir, "heap-later.pb.gz")}
	whole, err := diff.OpenAll(context.Background(), nil, paths...)
	if err != nil {
		t.Fatal(err)
	}
	fewer := false
	for _, sample := range []string{"", "inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "1"} {
		thin, err := diff.OpenAll(context.Background(), &diff.Options{SkipZero: true, Sample: sample}, paths...)
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

// TestSkipZeroChecksWhatItSkips appends a bad sample with no live memory
// to a heap profile: loading with SkipZero fails as loading it whole does.
func TestSkipZeroChecksWhatItSkips(t *testing.T) {
	t.Parallel()
	raw := gunzip(t, readDemo(t, "heap-base.pb.gz"))
	sample := func(fields ...[]byte) []byte {
		var msg []byte
		for _, f := range fields {
			msg = append(msg, f...)
		}
		b := protowire.AppendTag(nil, 2, protowire.BytesType)
		return protowire.AppendBytes(b, msg)
	}
	packed := func(num protowire.Number, vs ...uint64) []byte {
		var p []byte
		for _, v := range vs {
			p = protowire.AppendVarint(p, v)
		}
		b := protowire.AppendTag(nil, num, protowire.BytesType)
		return protowire.AppendBytes(b, p)
	}
	locs := packed(1, 1)
	var label []byte
	label = protowire.AppendVarint(protowire.AppendTag(label, 1, protowire.VarintType), 123456)
	label = protowire.AppendVarint(protowire.AppendTag(label, 2, protowire.VarintType), 123456)
	label = protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), label)
	tests := []struct {
		desc, want string
		sample     []byte
	}{
		{"unknown location", "sample refers to unknown location 999999", sample(packed(1, 999999), packed(2, 1, 64, 0, 0))},
		{"too few values", "sample has 2 values for 4 sample types", sample(locs, packed(2, 1, 64))},
		{"bad label", "sample label: string index 123456 out of range", sample(locs, packed(2, 1, 64, 0, 0), label)},
		{"truncated", "truncated", sample(locs, packed(2, 1, 64, 0, 0), []byte{0x08})},
	}
	for _, tt := range tests {
		data := append(append([]byte(nil), raw...), tt.sample...)
		for _, o := range []*diff.Options{nil, {SkipZero: true, Sample: "inuse_space"}} {
			_, err := diff.Parse(context.Background(), data, "bad.pb", o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, options %+v: error %v, want %q", tt.desc, o, err, tt.want)
			}
		}
	}
}
