package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/leakscope/leakscope/app"
	"github.com/leakscope/leakscope/app/instance"
	"github.com/leakscope/leakscope/diff/reftest"
)

// TestExportHTMLTakesTheView: File ▸ Export HTML… writes the comparison as
// it is on screen (zoom and search), and the page opens on that view in a
// real browser.
func TestExportHTMLTakesTheView(t *testing.T) {
	u, _ := open(t)
	u.SetSearch("NewClient")
	u.Wait()
	u.Graph().ZoomTo(find(t, u.Graph().View().Tree, "main.newHandler"))
	u.Wait()
	out := filepath.Join(t.TempDir(), "shared page ü.html")
	u.ExportHTML(out)
	u.Wait()
	if err := u.LastError(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<script id="data" type="application/json">(.*?)</script>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the page holds no data")
	}
	var d struct {
		Search  string   `json:"search"`
		Zoom    int      `json:"zoom"`
		Strings []string `json:"strings"`
		Nodes   struct {
			Name []int `json:"name"`
		} `json:"nodes"`
		Sites struct {
			Title string `json:"title"`
		} `json:"sites"`
	}
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatal(err)
	}
	if d.Search != "NewClient" || d.Strings[d.Nodes.Name[d.Zoom]] != "main.newHandler" {
		t.Errorf("the page opens on search %q, zoomed to %s; the window showed NewClient, main.newHandler",
			d.Search, d.Strings[d.Nodes.Name[d.Zoom]])
	}
	if d.Sites.Title != "Spawn sites (goroutines)" {
		t.Errorf("site panel %q", d.Sites.Title)
	}
	if !strings.Contains(u.StatusText(), "Exported "+out) {
		t.Errorf("status %q", u.StatusText())
	}

	t.Run("in chromium", func(t *testing.T) {
		br := reftest.OpenPage(t, out, 1024, 768)
		if z := reftest.Eval[string](t, br, `leakscope.zoomed()`); z != "main.newHandler" {
			t.Errorf("the page opened zoomed to %s", z)
		}
		if got := reftest.Eval[string](t, br, `document.getElementById('matches').textContent`); !strings.Contains(got, "match") {
			t.Errorf("the page's search says %q", got)
		}
		if errs := br.Errors(); len(errs) > 0 {
			t.Errorf("the page logged errors: %q", errs)
		}
	})
}

// TestExportDefaults: an export is named after the later dump and offered
// in the folder the last export went to, else in the dump's folder when
// that can be written, else in the home folder.
func TestExportDefaults(t *testing.T) {
	dir := t.TempDir()
	files := copyDemo(t, map[string]string{"heap-base.pb.gz": "svc-1.pb.gz", "heap-later.pb.gz": "svc-2.pb.gz"})
	u, _ := open(t, files["heap-base.pb.gz"], files["heap-later.pb.gz"])
	if name, folder := u.ExportDefaults(".png"); name != "svc-2.png" || folder != filepath.Dir(files["heap-later.pb.gz"]) {
		t.Errorf("export offered as %s in %s", name, folder)
	}
	// A folder where no file can be made (here: gone since the load) is
	// not offered; the home folder is.
	if err := os.RemoveAll(filepath.Dir(files["heap-later.pb.gz"])); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	if _, folder := u.ExportDefaults(".html"); folder != dir {
		t.Errorf("offered %s, want the home folder %s", folder, dir)
	}
	// The folder the last export went to comes first, while it exists.
	last := t.TempDir()
	u.SavedExportIn(last)
	if _, folder := u.ExportDefaults(".png"); folder != last {
		t.Errorf("offered %s, want the last export's folder %s", folder, last)
	}
	os.RemoveAll(last)
	if _, folder := u.ExportDefaults(".png"); folder != dir {
		t.Errorf("offered %s once the last export's folder is gone, want %s", folder, dir)
	}
}

// TestSecondLaunchCompares: with a base open, a second launch's later
// dump goes to the open window (over its socket), which compares the two;
// closing the window stops listening.
func TestSecondLaunchCompares(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	a := test.NewTempApp(t)
	w := a.NewWindow("Leakscope")
	u := app.CreateForTest(a, w, app.Options{Files: []string{demo + "heap-base.pb.gz"}, Listen: true})
	u.Wait()
	if err := instance.Send(instance.Path(), []string{demo + "heap-later.pb.gz"}); err != nil {
		t.Fatalf("the open window did not take the files: %v", err)
	}
	u.Wait()
	base, later := u.Files()
	if len(base) == 0 || !strings.HasSuffix(base[0], "heap-base.pb.gz") || len(later) == 0 || !strings.HasSuffix(later[0], "heap-later.pb.gz") {
		t.Errorf("pair %q → %q after the second launch", base, later)
	}
	u.Close()
	w.Close()
	if err := instance.Send(instance.Path(), []string{demo + "heap-later.pb.gz"}); err == nil {
		t.Error("a closed window took files")
	}
}
