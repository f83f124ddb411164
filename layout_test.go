package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff/reftest"
)

const module = "github.com/leakscope/leakscope"

// layers are the packages by layer, lowest first: a package may import its
// own layer's and lower ones, never a higher one. diff is the model; flame
// draws it; watch takes snapshots; app/session is the comparison without a
// window; app is the window; cli is the command line; main starts one.
var layers = [][]string{
	{"diff"},
	{"flame"},
	{"watch"},
	{"app/session"},
	{"app", "cli"},
	{""},
}

// layer returns the layer of an internal package (by its path in the
// module), or -1 for tools beside it (tests' helpers, the demo service).
func layer(rel string) int {
	best, at := -1, -1
	for i, l := range layers {
		for _, p := range l {
			if (rel == p || p != "" && strings.HasPrefix(rel, p+"/")) && len(p) > best {
				best, at = len(p), i
			}
		}
	}
	return at
}

// TestImportsRunOneWay reads every package's imports with go list: no
// package imports a higher layer; the window and the command line do not
// import each other; only main imports Fyne's app package, and the model,
// the drawing and the watch import no Fyne at all.
func TestImportsRunOneWay(t *testing.T) {
	reftest.Reference(t)
	goCmd, err := reftest.GoCommand()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(goCmd, "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		from := layer(rel)
		for _, imp := range p.Imports {
			switch {
			case imp == "fyne.io/fyne/v2/app" && rel != "":
				t.Errorf("%s imports Fyne's app package: only main may", p.ImportPath)
			case strings.HasPrefix(imp, "fyne.io/") && (under(rel, "diff") || under(rel, "flame") || under(rel, "watch") || under(rel, "app/session") || under(rel, "cli")):
				t.Errorf("%s imports %s: only the window uses Fyne", p.ImportPath, imp)
			}
			if !strings.HasPrefix(imp, module) || from < 0 {
				continue
			}
			to := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			switch {
			case layer(to) > from:
				t.Errorf("%s imports %s, a higher layer", p.ImportPath, imp)
			case under(rel, "cli") && under(to, "app") && !under(to, "app/session"):
				t.Errorf("%s imports the window's %s", p.ImportPath, imp)
			case under(rel, "app") && under(to, "cli"):
				t.Errorf("%s imports the command line's %s", p.ImportPath, imp)
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list listed %d packages", n)
	}
}

// under reports whether package rel is dir or inside it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

// TestWindowFilesAreShort: no Go file of the window, its packages and its
// tests included, is over 500 lines, so that each keeps to one job.
func TestWindowFilesAreShort(t *testing.T) {
	var files []string
	err := filepath.WalkDir("app", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		t.Fatalf("%d files in app/: %v", len(files), err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for sc := bufio.NewScanner(fh); sc.Scan(); {
			lines++
		}
		fh.Close()
		if lines > 500 {
			t.Errorf("%s has %d lines, more than 500", f, lines)
		}
	}
}
