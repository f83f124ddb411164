package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// TestFramesWithSpacesAndNoFile: a source path holding a space and a Rust
// frame without a file show whole in the tables, and the source of the
// first opens once its folder is added (by path, as typed).
func TestFramesWithSpacesAndNoFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nfunc leak() {\n\tkeep = append(keep, make([]byte, 1<<20))\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	recorded := "/build/my src/main.go" // as the build machine wrote it
	rust := "<tasky::Cache as core::default::Default>::default"
	write := func(name string, leak int64) string {
		fLeak := &profile.Function{ID: 1, Name: "main.leak", Filename: recorded}
		fRust := &profile.Function{ID: 2, Name: rust} // no file
		p := &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}},
			Function:   []*profile.Function{fLeak, fRust},
			Location: []*profile.Location{
				{ID: 1, Line: []profile.Line{{Function: fLeak, Line: 4}}},
				{ID: 2, Line: []profile.Line{{Function: fRust}}},
			},
		}
		p.Sample = []*profile.Sample{
			{Location: []*profile.Location{p.Location[0]}, Value: []int64{leak}},
			{Location: []*profile.Location{p.Location[1]}, Value: []int64{4096}},
		}
		path := filepath.Join(t.TempDir(), name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
		return path
	}
	u, _ := open(t, write("base.pb.gz", 1<<20), write("later.pb.gz", 3<<20))
	var names []string
	for i := range u.Functions() {
		names = append(names, u.FunctionRow(i)[0])
	}
	if !strings.Contains(strings.Join(names, "|"), "Cache::default") {
		t.Errorf("function rows %q lack the Rust frame", names)
	}
	// The row shows the short name; a copy takes the full one.
	for i, n := range names {
		if !strings.Contains(n, "Cache::default") {
			continue
		}
		if n == rust {
			t.Errorf("the row shows the full name %q, not its short form", n)
		}
		if got := u.CopyFromRow(false, i, "Copy name"); got != rust {
			t.Errorf("Copy name copied %q, want %q", got, rust)
		}
		if got := u.CopyFromRow(false, i, "Copy row"); !strings.HasPrefix(got, rust+"\t") || strings.Count(got, "\t") != len(u.FunctionRow(i))-1 {
			t.Errorf("Copy row copied %q", got)
		}
	}
	u.MarkFunction("main.leak")
	u.ShowLinesTab()
	u.Wait()
	rows := u.LineRows()
	if len(rows) != 1 || rows[0].Frame.File != recorded || rows[0].Frame.Line != 4 {
		t.Fatalf("lines %+v, want main.leak at %s:4", rows, recorded)
	}
	if row := u.LineRow(0); row[0] != "main.leak" || row[1] != "my src/main.go:4" {
		t.Errorf("the line row reads %q", row)
	}
	u.AddSourceFolder(dir)
	u.Wait()
	path, gutter := u.SourceShown()
	if path != filepath.Join(dir, "main.go") || gutter["4"] != "+2MB" {
		t.Errorf("source %q, gutter %v; want %s with +2MB at line 4", path, gutter, filepath.Join(dir, "main.go"))
	}
	u.MarkFunction(rust)
	u.Wait()
	if rows := u.LineRows(); len(rows) != 1 || rows[0].Frame.Function != rust || rows[0].Frame.File != "" {
		t.Errorf("the Rust frame's lines: %+v", rows)
	}
}

// TestCopySiteRow: a spawn site's row menu copies its name, and its row
// with the file:line and the counts, tab-separated.
func TestCopySiteRow(t *testing.T) {
	u, _ := open(t)
	if got := u.CopyFromSite(0, "Copy name"); got != "main.DefaultCache" {
		t.Errorf("Copy name copied %q", got)
	}
	if got := u.CopyFromSite(0, "Copy row"); !strings.HasPrefix(got, "main.DefaultCache\tmain.go:114\t+20\t20\t40") {
		t.Errorf("Copy row copied %q", got)
	}
}
