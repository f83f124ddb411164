package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"github.com/leakscope/leakscope/app"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestDemoOpensWithoutFiles(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.Create(a, w, nil)
	u.Wait()
	if !strings.Contains(u.ReportText(), "main.NewClient") {
		t.Fatalf("the demo report lacks the leaking constructor:\n%s", u.ReportText())
	}
	if !strings.Contains(u.ReportText(), "main.fillWarmup") {
		t.Error("the shrinking warm-up stack is missing from the demo report")
	}
	w.Close()
	u.Close()
}

func TestBadFileShowsErrorAndNoLeak(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	bad := filepath.Join(t.TempDir(), "broken.pb.gz")
	if err := os.WriteFile(bad, []byte{0x1f, 0x8b, 1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	u := app.Create(a, w, []string{bad})
	u.Wait()
	if u.LastError() == nil {
		t.Fatal("no error shown")
	}
	if got := u.LastError().Error(); !strings.HasPrefix(got, bad+": ") {
		t.Errorf("error %q does not name the file", got)
	}
	w.Close()
	u.Close()
}
