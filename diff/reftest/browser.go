package reftest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is a page of a headless Chromium (Debian's chromium), driven
// over the DevTools protocol, with what the page asked of the network and
// said on its console recorded.
type Browser struct {
	Ctx context.Context // run chromedp actions in it

	mu       sync.Mutex
	requests []string // URLs the page requested
	errors   []string // console errors and exceptions
	cancel   func()
}

// chromium returns Debian's chromium, or calls Missing.
func chromium(t testing.TB) string {
	t.Helper()
	Reference(t)
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "chromium is not installed (Debian: chromium)")
	return ""
}

// OpenPage opens the file path in a new headless Chromium of width×height
// CSS pixels with the network off, from its file:// URL, and waits for the
// page to load. The browser ends with t.
func OpenPage(t testing.TB, path string, width, height int) *Browser {
	t.Helper()
	exe := chromium(t)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.WindowSize(width, height),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(t.TempDir()),
		// The network is off: every request would go to a proxy that
		// does not answer. A file:// page is read without it.
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium's sandbox refuses root
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	b := &Browser{Ctx: ctx}
	b.cancel = func() { cancelTimeout(); cancelCtx(); cancelAlloc() }
	t.Cleanup(b.cancel)
	// An empty tab first, so that the listener sees every event of the page.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium: starting: %v", err)
	}
	err = chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			b.errors = append(b.errors, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				b.errors = append(b.errors, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatalf("chromium: listening: %v", err)
	}
	u := url.URL{Scheme: "file", Path: abs}
	if err := chromedp.Do(ctx, chromedp.Navigate(u.String()), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("chromium: opening %s: %v", path, err)
	}
	return b
}

// Requests returns the URLs the page requested, its own first.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Errors returns what the page said on its console as errors, and the
// exceptions it threw.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Do runs actions on the page, failing t with what failed.
func (b *Browser) Do(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates the JavaScript expression js and returns its value.
func Eval[T any](t testing.TB, b *Browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// Screenshot saves the whole page as a PNG at path.
func (b *Browser) Screenshot(t testing.TB, path string) {
	t.Helper()
	buf, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// String describes the browser's record, for failure messages.
func (b *Browser) String() string {
	return fmt.Sprintf("requests %q, errors %q", b.Requests(), b.Errors())
}
