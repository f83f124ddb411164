package flame_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/flame"
)

// goroutineSites groups a goroutine comparison's dumps by spawn site.
func goroutineSites(t *testing.T, c *diff.Comparison) *goroutines.Comparison {
	t.Helper()
	later, err := goroutines.FromDump(c.Later)
	if err != nil {
		t.Fatal(err)
	}
	base, err := goroutines.FromDump(c.Base)
	if err != nil {
		t.Fatal(err)
	}
	return goroutines.Compare(base, later)
}

// TestFunctionPanel: the functions panel lists the functions with the
// largest change in flat value, as the comparison's Functions rank them,
// with the values the report prints.
func TestFunctionPanel(t *testing.T) {
	c := compare(t, "heap-base.pb.gz", "heap-later.pb.gz")
	v := &flame.View{Tree: flame.Build(c)}
	p := v.FunctionPanel(5)
	if len(p.Rows) != 5 || len(p.Head) != 3 {
		t.Fatalf("panel %+v: want 5 rows of 3 cells", p)
	}
	var fns []diff.Function
	for _, f := range c.Functions() {
		if f.Flat != (diff.Delta{}) {
			fns = append(fns, f)
		}
	}
	unit := c.SampleType.Unit
	for i, row := range p.Rows {
		f := fns[i]
		want := []string{flame.ShortName(f.Name), diff.FormatValue(f.Flat.Later, unit), diff.FormatDelta(f.Flat.Diff(), unit)}
		if fmt.Sprint(row) != fmt.Sprint(want) {
			t.Errorf("row %d = %q, want %q", i, row, want)
		}
	}
}

// TestSitePanels: the spawn-site panel lists the top sites with their
// counts and file:line.
func TestSitePanels(t *testing.T) {
	c := compare(t, "goroutines-base.txt", "goroutines-later.txt")
	sites := goroutineSites(t, c)
	ps := flame.SitePanels(sites, nil, 3)
	if len(ps) != 1 || len(ps[0].Rows) != 3 {
		t.Fatalf("panels %+v: want one of 3 rows", ps)
	}
	for i, row := range ps[0].Rows {
		s := sites.Sites[i]
		if !strings.HasSuffix(row[0], fmt.Sprintf(":%d", s.Line)) || row[3] != fmt.Sprintf("%+d", s.Delta()) {
			t.Errorf("row %d = %q for site %v (%+d)", i, row, s.Site, s.Delta())
		}
	}
	if ps[0].Rows[0][0] != "main.DefaultCache  main.go:114" {
		t.Errorf("top site %q, want main.DefaultCache  main.go:114", ps[0].Rows[0][0])
	}
	if got := flame.SitePanels(nil, nil, 3); got != nil {
		t.Errorf("no comparison gave %+v", got)
	}
}
