package page_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
	"github.com/leakscope/leakscope/flame/page"
)

// evil is a function name that would run script if a page used it as markup.
const evil = `main.</script><img src=x onerror="document.title='pwned'">&amp;`

// wideTree is the tree of a base and a later dump with one stack per leaf
// function main.leafN under main.main (and one under the evil name), the
// value of leaf N being N+1 in the base and 2(N+1) in the later dump.
func wideTree(t testing.TB, leaves int) *flame.Tree {
	t.Helper()
	dump := func(name string, k int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		root := b.Frame(diff.Frame{Function: "main.main", File: "/src/a b/main.go", Line: 7})
		for i := range leaves {
			leaf := b.Frame(diff.Frame{Function: fmt.Sprintf("main.leaf%d", i), File: "main.go", Line: int64(i + 1)})
			b.AddStack([]int32{leaf, root}, []int64{k * int64(i+1)})
		}
		b.AddStack([]int32{b.Frame(diff.Frame{Function: evil, File: "<b>x.go"}), root}, []int64{k * 1000})
		return b.Dump(name)
	}
	c, err := diff.Compare(dump("base.pb.gz", 1), dump("later.pb.gz", 2), "")
	if err != nil {
		t.Fatal(err)
	}
	return flame.Build(c)
}

type decoded struct {
	Strings []string `json:"strings"`
	Nodes   struct {
		Parent, Name []int32
		Base, Later  []int64
	} `json:"nodes"`
	Pruned struct {
		Below, Base, Later int64
		Frames             int
	} `json:"pruned"`
}

// TestEncodeLeavesOutSmallFramesAndKeepsTotals: a tree larger than the
// page's budget loses its smallest frames, every kept node keeps its
// totals, and what was left out is what the kept nodes no longer sum.
func TestEncodeLeavesOutSmallFramesAndKeepsTotals(t *testing.T) {
	tree := wideTree(t, 500)
	tests := []struct {
		max, kept int
	}{
		{10_000, len(tree.Nodes)}, // all fit
		{100, 100},
		{3, 3}, // root, main.main and the evil leaf, the largest
	}
	for _, tt := range tests {
		data, err := page.Encode(&page.Page{View: &flame.View{Tree: tree}}, tt.max)
		if err != nil {
			t.Fatal(err)
		}
		var d decoded
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		if n := len(d.Nodes.Name); n != tt.kept {
			t.Errorf("max %d: kept %d nodes, want %d", tt.max, n, tt.kept)
		}
		if d.Nodes.Base[0] != tree.Nodes[0].Total.Base || d.Nodes.Later[0] != tree.Nodes[0].Total.Later {
			t.Errorf("max %d: root %d → %d, tree %v", tt.max, d.Nodes.Base[0], d.Nodes.Later[0], tree.Nodes[0].Total)
		}
		// The leaves kept plus those left out make main.main's total.
		var base, later int64
		for i := 2; i < len(d.Nodes.Name); i++ {
			if p := int32(i) - d.Nodes.Parent[i]; p != 1 {
				t.Fatalf("max %d: node %d has parent %d, want main.main (1)", tt.max, i, p)
			}
			base += d.Nodes.Base[i]
			later += d.Nodes.Later[i]
		}
		if base+d.Pruned.Base != d.Nodes.Base[1] || later+d.Pruned.Later != d.Nodes.Later[1] {
			t.Errorf("max %d: kept %d+%d, left out %d+%d, main.main %d+%d", tt.max,
				base, later, d.Pruned.Base, d.Pruned.Later, d.Nodes.Base[1], d.Nodes.Later[1])
		}
		if got := len(tree.Nodes) - len(d.Nodes.Name); got != d.Pruned.Frames {
			t.Errorf("max %d: says %d frames left out, %d were", tt.max, d.Pruned.Frames, got)
		}
		// What is left out is smaller than what is kept.
		for i := 2; i < len(d.Nodes.Name); i++ {
			if d.Nodes.Later[i] < d.Pruned.Below && d.Nodes.Base[i] < d.Pruned.Below {
				t.Errorf("max %d: kept %s (%d) under the cutoff %d", tt.max, d.Strings[d.Nodes.Name[i]], d.Nodes.Later[i], d.Pruned.Below)
			}
		}
	}
}

// TestWriteShowsNamesAsText: a name holding markup reaches the page only
// inside the JSON data, with <, > and & escaped, so that it can neither
// end the script element nor become an element.
func TestWriteShowsNamesAsText(t *testing.T) {
	tree := wideTree(t, 3)
	p := &page.Page{Version: "test", Base: "base<i>.pb.gz", Later: "later.pb.gz", View: &flame.View{Tree: tree},
		Notes:     []string{"<script>alert(1)</script>"},
		Functions: []diff.Function{{Name: evil, Frame: diff.Frame{Function: evil}}},
		Sites: &page.Sites{Title: "Spawn sites", Unit: "count", Rows: []page.Site{
			{Function: evil, File: "<img src=x>", Line: 1, Value: diff.Delta{Base: 1, Later: 5}, Score: math.NaN(),
				Stack: []diff.Frame{{Function: evil}}}}},
	}
	var buf bytes.Buffer
	if err := page.Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<img", "</script><", "onerror=\"", "<i>", "<b>x", "<script>alert"} {
		if strings.Contains(out, bad) {
			i := strings.Index(out, bad)
			t.Errorf("the page holds %q: …%s…", bad, out[max(0, i-60):min(len(out), i+60)])
		}
	}
	if n := strings.Count(out, "</script>"); n != 2 {
		t.Errorf("%d </script> in the page, want 2 (data and script)", n)
	}
	// The names come back whole from the data.
	start := strings.Index(out, `<script id="data" type="application/json">`)
	end := strings.Index(out[start:], "</script>")
	raw := out[start+len(`<script id="data" type="application/json">`) : start+end]
	var d decoded
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatalf("data: %v\n%.300s", err, raw)
	}
	found := false
	for _, s := range d.Strings {
		found = found || s == evil
	}
	if !found {
		t.Errorf("the evil name is not in the data whole: %q", d.Strings)
	}
}

// TestWriteNeedsATree: nothing to draw is an error, not an empty page.
func TestWriteNeedsATree(t *testing.T) {
	var buf bytes.Buffer
	if err := page.Write(&buf, &page.Page{View: &flame.View{}}); err == nil {
		t.Error("a page without a tree was written")
	}
}
