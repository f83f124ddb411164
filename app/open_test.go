package app_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/leakscope/leakscope/app"
)

// copyDemo copies demo dumps to names with spaces and non-ASCII letters.
func copyDemo(t *testing.T, names map[string]string) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dumps från prod")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for src, dst := range names {
		b, err := os.ReadFile(demo + src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, dst)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[src] = p
	}
	return out
}

func TestDropTwoThenFour(t *testing.T) {
	u, _ := open(t)
	files := copyDemo(t, map[string]string{
		"goroutine-base.txt": "goroutines före.txt", "goroutine-later.txt": "goroutines efter.txt",
		"heap-base.pb.gz": "heap 1.pb.gz", "heap-later.pb.gz": "heap 2.pb.gz",
	})
	uris := func(names ...string) []fyne.URI {
		var out []fyne.URI
		for _, n := range names {
			out = append(out, storage.NewFileURI(files[n]))
		}
		return out
	}
	// Two goroutine dumps (without timestamps: kept in the order given)
	// replace the goroutine pair; the heap pair stays.
	u.Dropped(uris("goroutine-base.txt", "goroutine-later.txt"))
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	base, later := u.Files()
	if !strings.HasSuffix(base[1], "goroutines före.txt") || !strings.HasSuffix(later[1], "goroutines efter.txt") {
		t.Errorf("goroutine pair %q → %q", base[1], later[1])
	}
	if rows := u.SiteRows(); len(rows) == 0 || !strings.Contains(rows[0], "(entry function)") {
		t.Errorf("debug=1 dumps should group by entry function: %q", rows)
	}
	// Four files fill both pairs.
	u.Dropped(uris("heap-base.pb.gz", "goroutine-base.txt", "heap-later.pb.gz", "goroutine-later.txt"))
	u.Wait()
	base, later = u.Files()
	if !strings.HasSuffix(base[0], "heap 1.pb.gz") || !strings.HasSuffix(later[0], "heap 2.pb.gz") {
		t.Errorf("heap pair %q → %q", base[0], later[0])
	}
	if u.DemoBannerShown() {
		t.Error("the demo banner stays after opening files")
	}
}

func TestOneFileFillsTheEmptySide(t *testing.T) {
	files := copyDemo(t, map[string]string{"heap-later.pb.gz": "later.pb.gz", "heap-base.pb.gz": "base.pb.gz"})
	u, _ := open(t, files["heap-later.pb.gz"])
	if v := u.Graph().View(); v == nil || v.Tree.HasBase() {
		t.Fatal("one file should show alone")
	}
	u.Dropped([]fyne.URI{storage.NewFileURI(files["heap-base.pb.gz"])})
	u.Wait()
	base, later := u.Files()
	if !strings.HasSuffix(base[0], "base.pb.gz") || !strings.HasSuffix(later[0], "later.pb.gz") {
		t.Errorf("pair %q → %q: the older dump should become the base", base[0], later[0])
	}
	u.Swap()
	base, later = u.Files()
	if !strings.HasSuffix(base[0], "later.pb.gz") {
		t.Errorf("swap gave %q → %q", base[0], later[0])
	}
}

func TestCorruptFileKeepsTheComparison(t *testing.T) {
	u, _ := open(t)
	before := u.Graph().View()
	bad := filepath.Join(t.TempDir(), "broken heap.pb.gz")
	if err := os.WriteFile(bad, []byte{0x1f, 0x8b, 8, 0, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	u.Open([]string{bad})
	u.Wait()
	err := u.LastError()
	if err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Fatalf("error %v does not name the file", err)
	}
	if u.Graph().View() != before {
		t.Error("the previous comparison was replaced")
	}
	// A heap profile against a goroutine dump of another kind: also refused.
	u.Open([]string{demo + "goroutine-later.pb.gz", demo + "heap-later.pb.gz"})
	u.Wait()
	if u.Graph().View() == before {
		t.Log("two dumps of different kinds fill different pairs")
	}
}

// TestTruncatedDumpWarns opens a goroutine dump cut short: the goroutines
// that could be read are shown, and a banner says what was left out.
func TestTruncatedDumpWarns(t *testing.T) {
	b, err := os.ReadFile(demo + "goroutines-later.txt")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "goroutines cut.txt")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := open(t, demo+"goroutines-base.txt", cut)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if rows := u.SiteRows(); len(rows) == 0 {
		t.Error("no spawn sites from the part that could be read")
	}
	want := "goroutines cut.txt: the dump ends inside a goroutine; 1 incomplete goroutine left out"
	if got := u.BannerText(); !strings.HasSuffix(got, "\n"+want) {
		t.Errorf("banner %q, want its last row %q", got, want)
	}
	for strings.Contains(u.BannerText(), want) {
		u.DismissBannerRow(0)
	}
	// Opening whole dumps clears the warning.
	u.Open([]string{demo + "goroutines-base.txt", demo + "goroutines-later.txt"})
	u.Wait()
	if got := u.BannerText(); strings.Contains(got, "left out") {
		t.Errorf("banner %q for whole dumps", got)
	}
}

// TestJemallocDumpAsksForBinary opens a jemalloc dump whose program is not
// at its recorded path: the window asks for it, and loading again with a
// binary keeps working.
func TestJemallocDumpAsksForBinary(t *testing.T) {
	dump := prodHeap(t)
	u, _ := open(t, dump)
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	if m := u.MissingBinaries(); len(m) != 1 || m[0] != "/srv/app/server" {
		t.Fatalf("missing %v", m)
	}
	if v := u.Graph().View(); v == nil || !strings.HasPrefix(v.Tree.Nodes[1].Name, "0x") {
		t.Error("the dump should show with raw addresses meanwhile")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	u.UseBinary(self)
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	// Read again with the binary, the dump replaces itself: it is still
	// shown alone, not compared with its raw copy.
	base, later := u.Files()
	if base[0] != "" || later[0] != dump {
		t.Errorf("after choosing the binary the pair is %q → %q, want the dump alone", base[0], later[0])
	}
	if v := u.Graph().View(); v == nil || v.Tree.HasBase() {
		t.Error("the reloaded dump is not shown alone")
	}
	if len(u.MissingBinaries()) != 0 {
		t.Errorf("still missing %v", u.MissingBinaries())
	}
}

// TestDropOneOnAFullPairAsks drops one more heap dump when both sides are
// open: a dialog asks which side it replaces.
func TestDropOneOnAFullPairAsks(t *testing.T) {
	files := copyDemo(t, map[string]string{"heap-later.pb.gz": "third.pb.gz"})
	u, w := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	u.Dropped([]fyne.URI{storage.NewFileURI(files["heap-later.pb.gz"])})
	u.Wait()
	if w.Canvas().Overlays().Top() == nil || !u.DialogShown() {
		t.Fatal("no dialog asks which side the dump replaces")
	}
	base, later := u.Files()
	if strings.Contains(base[0]+later[0], "third.pb.gz") {
		t.Error("the pair changed before the user chose a side")
	}
	// Esc dismisses the dialog, keeping both.
	u.Escape()
	u.Wait()
	if u.DialogShown() {
		t.Error("Esc did not close the dialog")
	}
	if b, l := u.Files(); b != base || l != later {
		t.Errorf("dismissing changed the pair to %q → %q", b, l)
	}
}

// TestBinariesBeforeTheFirstLoad: binaries given at start (--binary) are
// used by the first load, so no dialog asks for them.
func TestBinariesBeforeTheFirstLoad(t *testing.T) {
	dump := prodHeap(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, w, app.Options{Files: []string{dump}, Binaries: []string{self}})
	u.Wait()
	t.Cleanup(func() { u.Close(); w.Close() })
	if m := u.MissingBinaries(); len(m) != 0 {
		t.Errorf("the first load did not use the binary: missing %v", m)
	}
	// The test binary is stripped of DWARF and symbols: the dialog on
	// screen, if any, offers symbol sources for it, and asks for no binary.
	if u.DialogShown() && !slices.Contains(u.StrippedObjects(), self) {
		t.Error("a dialog asks for a binary that was given")
	}
}

// TestCancelKeepsTheComparison: Cancel during a load keeps what is on screen.
func TestCancelKeepsTheComparison(t *testing.T) {
	u, _ := open(t)
	before := u.Graph().View()
	p := filepath.Join(t.TempDir(), "slow.pb.gz")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	u.Open([]string{p})
	if u.ProgressText() == "" {
		t.Error("no loading bar")
	}
	u.CancelLoad()
	u.Wait()
	if u.Graph().View() != before || u.ProgressText() != "" || !strings.Contains(u.StatusText(), "cancelled") {
		t.Errorf("after Cancel: status %q, bar %q", u.StatusText(), u.ProgressText())
	}
}

// TestDropIncompatibleRefusedFirst: a dump that cannot be compared with the
// pair (a jemalloc heap dump on a Go heap pair) is refused with the reason,
// without first asking which side it would replace.
func TestDropIncompatibleRefusedFirst(t *testing.T) {
	dump := prodHeap(t)
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	u.Dropped([]fyne.URI{storage.NewFileURI(dump)})
	u.Wait()
	err := u.LastError()
	if err == nil || !strings.Contains(err.Error(), "only dumps of one allocator compare") {
		t.Errorf("error %v, want the pair refused", err)
	}
	if base, later := u.Files(); strings.Contains(base[0]+later[0], "prod.heap") {
		t.Errorf("the pair changed: %q → %q", base[0], later[0])
	}
}

// TestSampleMenuOnlyWithChoices: the sample type menu shows with a profile
// pair, whose values it chooses, and not with a goroutine pair alone.
func TestSampleMenuOnlyWithChoices(t *testing.T) {
	u, _ := open(t, demo+"goroutines-base.txt", demo+"goroutines-later.txt")
	if u.SampleMenuShown() {
		t.Error("a goroutine pair alone shows the sample type menu")
	}
	u2, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if !u2.SampleMenuShown() {
		t.Error("a heap pair shows no sample type menu")
	}
}

// TestNoSuspectSaysWhy: with no finding, the Findings tab says why; after
// Swap, a heap pair shrank.
func TestNoSuspectSaysWhy(t *testing.T) {
	u, _ := open(t, demo+"heap-base.pb.gz", demo+"heap-later.pb.gz")
	if len(u.FindingsText()) == 0 {
		t.Fatal("no finding on the demo heap pair")
	}
	u.Swap()
	u.Wait()
	if n, note := len(u.FindingsText()), u.FindingsNote(); n != 0 || !strings.Contains(note, "the heap did not grow (2.89MB → 1.98MB)") {
		t.Errorf("after Swap: %d cards, note %q", n, note)
	}
}

// prodHeap writes a jemalloc heap dump whose program, /srv/app/server, is
// not on this machine, and returns its path.
func prodHeap(t *testing.T) string {
	t.Helper()
	dump := filepath.Join(t.TempDir(), "prod.heap")
	text := "heap_v2/524288\n  t*: 1: 512 [1: 512]\n@ 0x1000 0x2000\n  t*: 1: 512 [1: 512]\n\nMAPPED_LIBRARIES:\n" +
		"00001000-00005000 r-xp 00000000 fe:00 1   /srv/app/server\n"
	if err := os.WriteFile(dump, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dump
}
