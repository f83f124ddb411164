// Package debuginfod finds an object's separate debug file (or the object
// itself) by its GNU build ID, the way elfutils' client does: first in the
// client cache (DEBUGINFOD_CACHE_PATH, else
// $XDG_CACHE_HOME/debuginfod_client), then from the servers named in
// DEBUGINFOD_URLS or given, with GET /buildid/ID/debuginfo and
// /buildid/ID/executable.
//
// Nothing connects anywhere unless a server is configured. Downloads are
// written to a temporary name in the cache and renamed once whole, so that
// the cache never holds half a file, and they are bounded in size and in
// time.
package debuginfod

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is what is asked for: the debug file or the executable.
type Kind string

// The kinds of file a server serves by build ID.
const (
	Debuginfo  Kind = "debuginfo"
	Executable Kind = "executable"
)

// DefaultTimeout bounds one request, from connecting to the last byte,
// unless DEBUGINFOD_TIMEOUT (seconds) says otherwise.
const DefaultTimeout = 30 * time.Second

// DefaultMaxSize is the largest file a Client downloads.
const DefaultMaxSize = 2 << 30

// Servers returns the server URLs of DEBUGINFOD_URLS (separated by spaces)
// that are http or https URLs, or nil when it is unset or empty.
func Servers() []string {
	ok, _ := ParseServers(os.Getenv("DEBUGINFOD_URLS"))
	return ok
}

// ParseServers reads server URLs separated by spaces, as DEBUGINFOD_URLS
// holds them: the http and https URLs, and an error naming the first that
// is not one.
func ParseServers(s string) ([]string, error) {
	var ok []string
	var err error
	for _, f := range strings.Fields(s) {
		if u, e := url.Parse(f); e == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			ok = append(ok, f)
		} else if err == nil {
			err = fmt.Errorf("%s is not an http(s) URL", f)
		}
	}
	return ok, err
}

// CacheDir returns the elfutils client cache: DEBUGINFOD_CACHE_PATH, else
// $XDG_CACHE_HOME/debuginfod_client, else ~/.cache/debuginfod_client; ""
// when no home is known.
func CacheDir() string {
	if p := os.Getenv("DEBUGINFOD_CACHE_PATH"); p != "" {
		return p
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "debuginfod_client")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "debuginfod_client")
	}
	return ""
}

// envTimeout reads DEBUGINFOD_TIMEOUT, in seconds as elfutils reads it.
func envTimeout() time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(os.Getenv("DEBUGINFOD_TIMEOUT"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return DefaultTimeout
}

// Client looks files up by build ID. Its zero value looks in no cache and
// asks no server; New gives one configured as the elfutils client is.
// A Client may be used by several goroutines at once.
type Client struct {
	// Servers are the base URLs asked, in order.
	Servers []string
	// Cache is the client cache directory; "" for none (nothing is kept).
	Cache string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Total bounds all requests together; 0 means four times Timeout.
	// Once it is spent, servers are no longer asked.
	Total time.Duration
	// MaxSize is the largest file downloaded; 0 means DefaultMaxSize.
	MaxSize int64
	// Check, when not nil, is given each file downloaded, before it goes
	// into the cache under its final name: an error keeps it out (a file
	// cut short, or not the one asked for), so that the cache, which other
	// tools read too, holds only good files.
	Check func(path, id string) error

	mu    sync.Mutex
	spent time.Duration
	down  map[string]error       // servers that failed, and why; not asked again
	ids   map[string]*sync.Mutex // one download of a build ID at a time
	got   map[string]string      // the server each file fetched came from
	none  map[string]bool        // files no server has: not asked again
}

// New returns a Client for the given servers (none: it looks in the cache
// only) with the elfutils cache and DEBUGINFOD_TIMEOUT.
func New(servers []string) *Client {
	return &Client{Servers: servers, Cache: CacheDir(), Timeout: envTimeout()}
}

var buildIDRE = regexp.MustCompile(`^[0-9a-f]{2,128}$`)

// Cached returns the path of the file of that kind for build ID id in the
// cache, if a whole one is there. elfutils marks a failed lookup with an
// empty file; that is no hit.
func (c *Client) Cached(id string, kind Kind) (string, bool) {
	if c == nil || c.Cache == "" || !buildIDRE.MatchString(id) {
		return "", false
	}
	p := filepath.Join(c.Cache, id, string(kind))
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return "", false
	}
	return p, true
}

// MissTTL is how long a lookup that no server could answer is remembered
// in the cache, as elfutils' cache_miss_s: an empty file in its place.
const MissTTL = 10 * time.Minute

// missedLately reports whether the cache remembers, from less than MissTTL
// ago, that no server has the file.
func (c *Client) missedLately(id string, kind Kind) bool {
	if c.Cache == "" {
		return false
	}
	st, err := os.Stat(filepath.Join(c.Cache, id, string(kind)))
	return err == nil && st.Mode().IsRegular() && st.Size() == 0 && time.Since(st.ModTime()) < MissTTL
}

// markMissed remembers in the cache that no server has the file, as
// elfutils does: an empty file, which is no hit.
func (c *Client) markMissed(id string, kind Kind) {
	if c.Cache == "" {
		return
	}
	dir := filepath.Join(c.Cache, id)
	if os.MkdirAll(dir, 0o755) == nil {
		p := filepath.Join(dir, string(kind))
		if f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); err == nil {
			f.Close()
		} else if st, err := os.Stat(p); err == nil && st.Size() == 0 {
			now := time.Now()
			os.Chtimes(p, now, now) // an older miss, renewed
		}
	}
}

// Forget removes a cached file that turned out unusable, so that it is
// fetched again: the file at path if it is still the one described by
// seen (not one another load has put there since), and only inside the
// cache.
func (c *Client) Forget(path string, seen os.FileInfo) {
	if c == nil || c.Cache == "" || seen == nil {
		return
	}
	rel, err := filepath.Rel(c.Cache, path)
	if err != nil || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return
	}
	c.mu.Lock() // against a rename by a fetch of this Client
	defer c.mu.Unlock()
	if cur, err := os.Stat(path); err == nil && os.SameFile(cur, seen) {
		os.Remove(path)
	}
}

// Source returns the server that the file of that kind for build ID id was
// fetched from by this Client, or "" when it did not fetch it.
func (c *Client) Source(id string, kind Kind) string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[id+"/"+string(kind)]
}

// ErrNotFound is returned when every server answered that it has no such file.
var ErrNotFound = errors.New("no server has it")

// Fetch downloads the file of that kind for build ID id from the first
// server that has it into the cache, and returns its path and the server.
// It returns ErrNotFound when every server said 404, and otherwise an error
// that says what went wrong with each server.
func (c *Client) Fetch(ctx context.Context, id string, kind Kind) (path, server string, err error) {
	if c == nil || len(c.Servers) == 0 {
		return "", "", errors.New("no debuginfod server is configured")
	}
	if !buildIDRE.MatchString(id) {
		return "", "", fmt.Errorf("%q is not a build ID", id)
	}
	lock := c.idLock(id)
	lock.Lock()
	defer lock.Unlock()
	if p, ok := c.Cached(id, kind); ok { // fetched by another load meanwhile
		return p, c.Source(id, kind), nil
	}
	key := id + "/" + string(kind)
	c.mu.Lock()
	none := c.none[key]
	c.mu.Unlock()
	if none || c.missedLately(id, kind) {
		return "", "", ErrNotFound
	}
	var why []string
	notFound := 0
	for _, s := range c.Servers {
		if e := c.failed(s); e != nil {
			why = append(why, fmt.Sprintf("%s: %v", s, e))
			continue
		}
		budget := c.budget()
		if budget <= 0 {
			why = append(why, fmt.Sprintf("%s: not asked: the time for symbol servers (%s) is spent", s, c.total()))
			continue
		}
		start := time.Now()
		p, err := c.get(ctx, s, id, kind, min(budget, c.timeout()))
		c.spend(time.Since(start))
		switch {
		case err == nil:
			c.mu.Lock()
			if c.got == nil {
				c.got = map[string]string{}
			}
			c.got[key] = s
			c.mu.Unlock()
			return p, s, nil
		case errors.Is(err, ErrNotFound):
			notFound++
		case ctx.Err() != nil:
			return "", "", ctx.Err()
		default:
			var he *httpError
			var ce *cacheError
			var bf *badFile
			if !errors.As(err, &he) && !errors.As(err, &ce) && !errors.As(err, &bf) { // the server itself is slow or down
				c.markDown(s, err)
			}
			if errors.As(err, &ce) {
				return "", "", err // the same for every server
			}
			why = append(why, fmt.Sprintf("%s: %v", s, err))
		}
	}
	if notFound == len(c.Servers) {
		c.mu.Lock()
		if c.none == nil {
			c.none = map[string]bool{}
		}
		c.none[key] = true
		c.mu.Unlock()
		c.markMissed(id, kind)
		return "", "", ErrNotFound
	}
	return "", "", errors.New(strings.Join(why, "; "))
}

// cacheError is a failure of the cache on this machine, not of a server.
type cacheError struct{ err error }

func (e *cacheError) Error() string { return "cache: " + e.err.Error() }
func (e *cacheError) Unwrap() error { return e.err }

// badFile is a download that Check refused.
type badFile struct{ err error }

func (e *badFile) Error() string { return "its file is not usable: " + e.err.Error() }

// httpError is an answer other than 200 or 404.
type httpError struct{ status string }

func (e *httpError) Error() string { return "the server answered " + e.status }

// get downloads one file from one server.
func (c *Client) get(ctx context.Context, server, id string, kind Kind, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u, err := url.JoinPath(server, "buildid", id, string(kind))
	if err != nil {
		return "", fmt.Errorf("bad server URL: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("bad server URL: %w", err)
	}
	req.Header.Set("User-Agent", "leakscope")
	resp, err := client.Do(req)
	if err != nil {
		return "", c.explain(ctx, err, timeout)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return "", ErrNotFound
	default:
		return "", &httpError{resp.Status}
	}
	max := c.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if resp.ContentLength > max {
		return "", fmt.Errorf("the file is %d bytes, more than the %d this tool downloads", resp.ContentLength, max)
	}
	if c.Cache == "" {
		return "", errors.New("no cache directory to keep the file in (set DEBUGINFOD_CACHE_PATH)")
	}
	dir := filepath.Join(c.Cache, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", &cacheError{err}
	}
	tmp, err := os.CreateTemp(dir, "."+string(kind)+".tmp-*")
	if err != nil {
		return "", &cacheError{err}
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, max+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", fmt.Errorf("the download stopped after %d of %d bytes", n, resp.ContentLength)
	case err != nil:
		return "", c.explain(ctx, err, timeout)
	case n > max:
		return "", fmt.Errorf("the file is more than the %d bytes this tool downloads", max)
	case n == 0:
		return "", errors.New("the server sent an empty file")
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return "", fmt.Errorf("the download stopped after %d of %d bytes", n, resp.ContentLength)
	}
	if c.Check != nil {
		if err := c.Check(tmp.Name(), id); err != nil {
			return "", &badFile{err}
		}
	}
	final := filepath.Join(dir, string(kind))
	c.mu.Lock()
	err = os.Rename(tmp.Name(), final)
	c.mu.Unlock()
	if err != nil {
		return "", &cacheError{err}
	}
	return final, nil
}

// explain turns a transport error into words.
func (c *Client) explain(ctx context.Context, err error, timeout time.Duration) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("no answer within %s", timeout.Round(time.Millisecond))
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("cannot connect: %v", op.Err)
	}
	return err
}

// client is the HTTP client of every request: the environment's proxy, and
// the per-request context gives the deadline.
var client = &http.Client{Transport: &http.Transport{
	Proxy:       http.ProxyFromEnvironment,
	DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	// No connection outlives its request: a Client leaves no goroutine behind.
	DisableKeepAlives: true,
}}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) total() time.Duration {
	if c.Total > 0 {
		return c.Total
	}
	return 4 * c.timeout()
}

func (c *Client) budget() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total() - c.spent
}

func (c *Client) spend(d time.Duration) {
	c.mu.Lock()
	c.spent += d
	c.mu.Unlock()
}

func (c *Client) failed(server string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down[server]
}

func (c *Client) markDown(server string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down == nil {
		c.down = map[string]error{}
	}
	c.down[server] = fmt.Errorf("not asked again after: %w", err)
}

func (c *Client) idLock(id string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]*sync.Mutex{}
	}
	if c.ids[id] == nil {
		c.ids[id] = &sync.Mutex{}
	}
	return c.ids[id]
}
