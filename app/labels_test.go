package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
	"github.com/leakscope/leakscope/flame"
)

// TestLabelFilter: dumps with pprof labels offer them; choosing tenant=a
// narrows the comparison to those goroutines, as `report --tag` does.
func TestLabelFilter(t *testing.T) {
	base, later, err := reftest.LabeledGoroutineProfiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, base, later)
	labels := strings.Join(u.Session().Labels(), " ")
	if !strings.Contains(labels, "tenant=a") || !strings.Contains(labels, "tenant=b") {
		t.Fatalf("labels offered: %q", labels)
	}
	if fits, opts := u.LabelMenuFits(); !fits {
		t.Errorf("the label menu cuts one of %q", opts)
	}
	u.SetTag("tenant=a")
	u.Wait()
	v := u.Graph().View()
	if d := v.Tree.Nodes[flame.Root].Total.Diff(); d != 3 || !strings.Contains(v.Title, "tag tenant=a") {
		t.Errorf("tagged: total %+d, title %q", d, v.Title)
	}
	dumps, err := diff.OpenAll(context.Background(), nil, base, later)
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0].Tagged("tenant", "a"), dumps[1].Tagged("tenant", "a"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]diff.Function{}
	for _, f := range c.Functions() {
		want[f.Name] = f
	}
	for _, f := range u.Functions() {
		if want[f.Name] != f {
			t.Errorf("%s: %+v, want %+v", f.Name, f, want[f.Name])
		}
	}
	u.SetTag("")
	u.Wait()
	if v := u.Graph().View(); strings.Contains(v.Title, "tag") || v.Tree.Nodes[flame.Root].Total.Later <= 5 {
		t.Errorf("all labels again: title %q, later total %d", v.Title, v.Tree.Nodes[flame.Root].Total.Later)
	}

	// The Lines tab, open on a function that no stack of tenant=a reaches
	// (the goroutine that wrote the profile has no label), follows the
	// label: no lines and no values, then its lines again.
	const writer = "runtime/pprof.writeGoroutine"
	u.MarkFunction(writer)
	u.ShowLinesTab()
	u.Wait()
	if len(u.LineRows()) == 0 {
		t.Fatalf("no lines of %s", writer)
	}
	u.SetTag("tenant=a")
	u.Wait()
	if path, _ := u.SourceShown(); len(u.LineRows()) != 0 || path != "" || !strings.Contains(u.SourceTitle(), "no stack of this comparison") {
		t.Errorf("tenant=a: %d lines of %s, source %q titled %q", len(u.LineRows()), writer, path, u.SourceTitle())
	}
	u.SetTag("")
	u.Wait()
	if len(u.LineRows()) == 0 {
		t.Errorf("all labels again: no lines of %s", writer)
	}
}

// TestSpawnSiteLabels: sites list the labels of their goroutines.
func TestSpawnSiteLabels(t *testing.T) {
	base, later, err := reftest.LabeledGoroutineProfiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, base, later)
	found := false
	for _, r := range u.SiteRows() {
		if strings.Contains(r, "tenant=a ×5") && strings.Contains(r, "tenant=b ×3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no site lists tenant=a ×5 and tenant=b ×3: %q", u.SiteRows())
	}
}
