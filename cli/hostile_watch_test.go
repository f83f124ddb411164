package cli_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileServer answers /NAME/debug/pprof/heap and goroutine with what
// NAME says: an endless body, an endless gzip stream, a body trickling a
// byte at a time, a gzip bomb, a 100 MB goroutine dump, or a redirect to
// another port.
func hostileServer(t *testing.T, other string) *httptest.Server {
	t.Helper()
	// 128 MB of zeros in about 128 kB: past the guard of 64 MB + 100 times that.
	bomb := gzipOf(t, make([]byte, 128<<20))
	member := gzipOf(t, make([]byte, 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		heap := strings.HasSuffix(rest, "heap")
		ctx := r.Context()
		switch name {
		case "endless":
			chunk := bytes.Repeat([]byte{0x0a, 0x00}, 32<<10)
			for ctx.Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "endless-gzip":
			// One gzip member after another, each 1 MB of zeros: a
			// valid stream that never ends.
			for ctx.Err() == nil {
				if _, err := w.Write(member); err != nil {
					return
				}
			}
		case "trickle":
			w.Write([]byte{0x1f, 0x8b})
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if _, err := w.Write([]byte{0}); err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			}
		case "bomb":
			w.Write(bomb)
		case "big", "huge":
			if heap {
				w.Write(gzipOf(t, heapProto(t)))
				return
			}
			g := []byte("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:1 +0x1\n\n")
			w.Write(g)
			var b bytes.Buffer
			for i := range 20000 {
				fmt.Fprintf(&b, "goroutine %d [chan receive]:\nmain.worker()\n\t/src/main.go:10 +0x1\ncreated by main.spawn in goroutine 1\n\t/src/main.go:20 +0x2\n\n", i+2)
			}
			size := 100 << 20
			if name == "huge" {
				size = 500 << 20
			}
			for n := 0; n < size && ctx.Err() == nil; n += b.Len() {
				if _, err := w.Write(b.Bytes()); err != nil {
					return
				}
			}
		case "redirect":
			http.Redirect(w, r, other+"/"+rest+"?"+r.URL.RawQuery, http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func gzipOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// heapProto is a small real heap profile: the demo's later one, unzipped.
func heapProto(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open(demo + "heap-later.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWatchHostileServers runs `leakscope watch` as a process against
// servers on 127.0.0.1 that send what no profile is: each ends with a clear
// message and exit 1, leaves no file behind, and the process's own peak
// RSS stays far below a gigabyte.
func TestWatchHostileServers(t *testing.T) {
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "heap") {
			w.Write(gzipOf(t, heapProto(t)))
			return
		}
		fmt.Fprintf(w, "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:1 +0x1\n\n")
	}))
	defer good.Close()
	srv := hostileServer(t, good.URL)
	tests := []struct {
		name, want string
		code       int
		long       bool
	}{
		{"endless", "the response is larger than 64MB (see --max-size)", 1, false},
		// Zeros gzipped: refused as they arrive, at the bomb guard's ratio.
		{"endless-gzip", "the gzipped answer decompresses to more than", 1, false},
		{"trickle", "no answer within the timeout (see --timeout)", 1, false},
		{"bomb", "the gzipped answer decompresses to more than", 1, false},
		{"big", "", 0, true},
		{"huge", "the response is larger than 256MB (see --max-size)", 1, true},
		{"redirect", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("writes 100 MB: the reference tier runs it")
			}
			dir := filepath.Join(t.TempDir(), "snaps")
			timeout := "60s" // the bounds, not the clock, end these
			if tt.name == "trickle" {
				timeout = "2s"
			}
			args := []string{"watch", "--count", "1", "--retries", "0", "--timeout", timeout, "--out", dir, srv.URL + "/" + tt.name}
			if !tt.long {
				args = append(args, "--max-size", "64MB")
			}
			code, _, stderr, rss := runChild(t, args...)
			t.Logf("%s: exit %d, peak RSS %d MB: %s", tt.name, code, rss>>20, strings.TrimSpace(stderr))
			if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if tt.name == "redirect" && !strings.Contains(stderr, "redirected to another host or port") {
				t.Errorf("no note of the redirect:\n%s", stderr)
			}
			if rss > 1<<30 {
				t.Errorf("peak RSS %d MB", rss>>20)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") || (tt.code != 0 && !e.IsDir()) {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}
