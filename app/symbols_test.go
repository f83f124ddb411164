package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/diff/reftest"
)

// TestStrippedAsksForSymbolSources opens the dumps of a stripped program
// whose debug file is in a folder of its own: the window says its symbols
// were not found and offers the symbol sources; given the folder, it reads
// the dumps again with names, and remembers the folder for the next window.
func TestStrippedAsksForSymbolSources(t *testing.T) {
	reftest.Reference(t)
	t.Setenv("DEBUGINFOD_URLS", "")
	t.Setenv("DEBUGINFOD_CACHE_PATH", t.TempDir())
	base, later, bin, debugDir := strippedPair(t)
	u, _ := open(t, base, later)
	if s := u.StrippedObjects(); !slices.Equal(s, []string{bin}) {
		t.Fatalf("stripped objects %v, want [%s]", s, bin)
	}
	if !u.DialogShown() {
		t.Error("no dialog offers the symbol sources")
	}
	if hasFrame(u, "cache_new") {
		t.Fatal("the stripped program's functions are named without its debug file: the test proves nothing")
	}
	u.Escape()
	u.UseSymbolSources([]string{debugDir}, nil)
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if !hasFrame(u, "cache_new") || len(u.StrippedObjects()) != 0 {
		t.Errorf("with the debug folder: cache_new shown %v, stripped %v", hasFrame(u, "cache_new"), u.StrippedObjects())
	}
	a := fyne.CurrentApp()
	if got := app.StartupSymbols(a, app.Options{}).DebugDirs; !slices.Equal(got, []string{debugDir}) {
		t.Errorf("the next window's debug folders are %v, want [%s]", got, debugDir)
	}
	other := t.TempDir()
	if got := app.StartupSymbols(a, app.Options{DebugDirs: []string{other}}).DebugDirs; !slices.Equal(got, []string{other}) {
		t.Errorf("--debug-dir gives %v, want [%s]", got, other)
	}
}

// strippedPair runs leaky.c for two dumps, keeps its debug file alone in
// debugDir, and strips it in place.
func strippedPair(t *testing.T) (base, later, bin, debugDir string) {
	t.Helper()
	reftest.NeedTools(t, "gcc", "objcopy", "strip")
	dir := t.TempDir()
	bin, err := reftest.BuildLeakyC(dir, "leaky")
	if err != nil {
		t.Fatal(err)
	}
	base, later = filepath.Join(dir, "base.heap"), filepath.Join(dir, "later.heap")
	run := exec.Command(bin, base, later, "4", "10")
	run.Env = append(os.Environ(), "MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("leaky: %v\n%s", err, out)
	}
	debugDir = t.TempDir()
	for _, args := range [][]string{{"objcopy", "--only-keep-debug", bin, filepath.Join(debugDir, "leaky.debug")}, {"strip", "--strip-all", bin}} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return base, later, bin, debugDir
}

func hasFrame(u *app.UI, name string) bool {
	v := u.Graph().View()
	if v == nil {
		return false
	}
	for _, n := range v.Tree.Nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}

// TestWindowSymbolsFromDebuginfod: with DEBUGINFOD_URLS naming Debian's
// debuginfod server, which holds a stripped program's debug file, the
// window names the program's functions on its first load, and its banner
// says where the symbols came from.
func TestWindowSymbolsFromDebuginfod(t *testing.T) {
	reftest.Reference(t)
	base, later, bin, debugDir := strippedPair(t)
	url, _ := reftest.StartDebuginfod(t, debugDir)
	t.Setenv("DEBUGINFOD_URLS", url)
	t.Setenv("DEBUGINFOD_CACHE_PATH", t.TempDir())
	u, _ := open(t, base, later)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if !hasFrame(u, "cache_new") || len(u.StrippedObjects()) != 0 || u.DialogShown() {
		t.Errorf("cache_new shown %v, stripped %v, dialog %v", hasFrame(u, "cache_new"), u.StrippedObjects(), u.DialogShown())
	}
	if b := u.BannerText(); !strings.Contains(b, bin+": symbols from ") || !strings.Contains(b, url) {
		t.Errorf("the banner does not say the symbols came from %s:\n%s", url, b)
	}
}
