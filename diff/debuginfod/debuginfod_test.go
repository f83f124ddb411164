package debuginfod

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const id = "f7685f957c6d01545fe48fc3ad2377ab3bece990"

func TestEnvironment(t *testing.T) {
	tests := []struct {
		urls, cachePath, xdg, home string
		servers                    []string
		cache                      string
	}{
		{"", "", "", "/h", nil, "/h/.cache/debuginfod_client"},
		{"http://a  https://b/x ", "", "/x", "/h", []string{"http://a", "https://b/x"}, "/x/debuginfod_client"},
		{"http://a", "/c", "/x", "/h", []string{"http://a"}, "/c"},
	}
	for _, tt := range tests {
		t.Setenv("DEBUGINFOD_URLS", tt.urls)
		t.Setenv("DEBUGINFOD_CACHE_PATH", tt.cachePath)
		t.Setenv("XDG_CACHE_HOME", tt.xdg)
		t.Setenv("HOME", tt.home)
		if got := Servers(); strings.Join(got, " ") != strings.Join(tt.servers, " ") {
			t.Errorf("DEBUGINFOD_URLS=%q: servers %q, want %q", tt.urls, got, tt.servers)
		}
		if got := CacheDir(); got != tt.cache {
			t.Errorf("cache %q, want %q", got, tt.cache)
		}
	}
}

// server serves body for one build ID's debuginfo, 404 for the rest, and
// counts requests.
func server(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		handle(w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestFetch(t *testing.T) {
	body := "\x7fELF and the rest of a debug file"
	s, n := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/buildid/"+id+"/debuginfo" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	})
	cache := t.TempDir()
	c := &Client{Servers: []string{s.URL}, Cache: cache}
	p, from, err := c.Fetch(context.Background(), id, Debuginfo)
	if err != nil || from != s.URL || p != filepath.Join(cache, id, "debuginfo") {
		t.Fatalf("Fetch: %q %q %v", p, from, err)
	}
	if b, _ := os.ReadFile(p); string(b) != body {
		t.Errorf("cached %q", b)
	}
	if got, ok := c.Cached(id, Debuginfo); !ok || got != p {
		t.Errorf("Cached: %q %v", got, ok)
	}
	if c.Source(id, Debuginfo) != s.URL {
		t.Errorf("Source %q", c.Source(id, Debuginfo))
	}
	// Not there: ErrNotFound, and not asked again.
	before := n.Load()
	for range 2 {
		if _, _, err := c.Fetch(context.Background(), id, Executable); !errors.Is(err, ErrNotFound) {
			t.Errorf("executable: %v, want ErrNotFound", err)
		}
	}
	if got := n.Load() - before; got != 1 {
		t.Errorf("a missing file was asked for %d times", got)
	}
	if _, _, err := c.Fetch(context.Background(), "../../etc", Debuginfo); err == nil {
		t.Error("a path for a build ID was accepted")
	}
	// No servers: no request, an error that says so.
	if _, _, err := (&Client{Cache: cache}).Fetch(context.Background(), id, Debuginfo); err == nil || !strings.Contains(err.Error(), "no debuginfod server") {
		t.Errorf("no servers: %v", err)
	}
}

// TestNothingHalfCached: a download cut short, too large or empty leaves
// nothing in the cache, and says why.
func TestNothingHalfCached(t *testing.T) {
	tests := []struct {
		desc   string
		handle func(w http.ResponseWriter, r *http.Request)
		max    int64
		why    string
	}{
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("only ten b"))
		}, 0, "stopped after"},
		{"too large, said", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.Write(make([]byte, 100))
		}, 50, "more than the 50"},
		{"too large, streamed", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			w.Write(make([]byte, 100))
		}, 50, "more than the 50"},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}, 0, "empty file"},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", http.StatusInternalServerError)
		}, 0, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			s, _ := server(t, tt.handle)
			cache := t.TempDir()
			c := &Client{Servers: []string{s.URL}, Cache: cache, MaxSize: tt.max}
			_, _, err := c.Fetch(context.Background(), id, Debuginfo)
			if err == nil || !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), s.URL) {
				t.Errorf("error %v, want %q naming the server", err, tt.why)
			}
			if _, ok := c.Cached(id, Debuginfo); ok {
				t.Error("a file was cached")
			}
			left, _ := filepath.Glob(filepath.Join(cache, id, "*"))
			if len(left) > 0 {
				t.Errorf("left in the cache: %v", left)
			}
		})
	}
}

// TestSlowServer: a server that does not answer costs one timeout, and is
// then not asked again; the next server is.
func TestSlowServer(t *testing.T) {
	release := make(chan struct{})
	slow, nSlow := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	good, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/executable") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("debug"))
	})
	c := &Client{Servers: []string{slow.URL, good.URL}, Cache: t.TempDir(), Timeout: 100 * time.Millisecond}
	p, from, err := c.Fetch(context.Background(), id, Debuginfo)
	if err != nil || from != good.URL || p == "" {
		t.Fatalf("Fetch: %q %q %v", p, from, err)
	}
	if _, _, err := c.Fetch(context.Background(), id, Executable); err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("executable: %v, want the slow server named as not answering", err)
	}
	if n := nSlow.Load(); n != 1 {
		t.Errorf("the slow server was asked %d times", n)
	}
	// A spent total budget asks nothing more.
	c2 := &Client{Servers: []string{good.URL}, Cache: t.TempDir(), Timeout: time.Second}
	c2.spent = 5 * time.Second
	if _, _, err := c2.Fetch(context.Background(), id, Debuginfo); err == nil || !strings.Contains(err.Error(), "is spent") {
		t.Errorf("spent budget: %v", err)
	}
}

// TestCachedMisses: elfutils marks a failed lookup with an empty file; it
// is no hit.
func TestCachedMisses(t *testing.T) {
	cache := t.TempDir()
	os.MkdirAll(filepath.Join(cache, id), 0o755)
	os.WriteFile(filepath.Join(cache, id, "debuginfo"), nil, 0)
	c := &Client{Cache: cache}
	if _, ok := c.Cached(id, Debuginfo); ok {
		t.Error("an empty file is a hit")
	}
	if _, ok := (&Client{}).Cached(id, Debuginfo); ok {
		t.Error("no cache, a hit")
	}
	var nilc *Client
	if _, ok := nilc.Cached(id, Debuginfo); ok || nilc.Source(id, Debuginfo) != "" {
		t.Error("a nil Client found something")
	}
}
