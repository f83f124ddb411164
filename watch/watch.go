// Package watch takes snapshots of a running service for a leak watch:
// heap profiles and debug=2 goroutine dumps from a Go service's
// /debug/pprof/ over HTTP, or the jemalloc dumps a process writes into a
// folder, each written whole under its watch name (diff.WatchName), read
// back as any dump, and added to one series per kind, ranked as they come
// (series.Rank). The command line's `leakscope watch` and the window's
// watch both run it.
package watch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/series"
)

// Options configures a watch: what to capture and where to keep it.
type Options struct {
	// Base is the pprof base URL, such as http://host:port/debug/pprof/;
	// empty when following a folder.
	Base string
	// Folder, when set, is followed for jemalloc dumps instead.
	Folder string
	// Dir is where snapshots are written; a watch continues the series
	// already in it.
	Dir      string
	Interval time.Duration
	Count    int // snapshots to take in this run; 0 for no limit
	Timeout  time.Duration
	Retries  int // consecutive failures of one snapshot before giving up
	Sample   string
	Opts     *diff.Options
	// Progress receives the live view: after each snapshot, the ranked
	// table. Nil for none.
	Progress func(a *series.Analysis, taken, failures int, note string)
	// OnSnapshot, when not nil, receives the dumps of each snapshot taken,
	// on the watch's goroutine.
	OnSnapshot func(dumps []*diff.Dump)
	// Names are how messages name the settings, by the command line's
	// flag ("--timeout", "--max-size", "--retries", "--out folder"); a flag
	// without a name here is named as the flag.
	Names map[string]string
}

// name returns how messages name the setting of flag.
func (o *Options) name(flag string) string {
	if n, ok := o.Names[flag]; ok {
		return n
	}
	return flag
}

// NormalizeURL turns what the user typed (host:port, http://host:port, or
// the pprof base itself) into the pprof base URL, ending in a slash.
func NormalizeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("watch needs a URL (host:port or http://host:port/debug/pprof/) or --dir DIR")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("bad URL %q: want host:port or http://host:port/debug/pprof/", s)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/debug/pprof/"
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// DefaultDir is the folder a watch of base writes to when none is
// given: leakscope-HOST_PORT in the current folder.
func DefaultDir(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "leakscope-watch"
	}
	return "leakscope-" + strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(u.Host)
}

// capture is one kind of dump a watch takes from a Go service.
type capture struct {
	path, kind, ext string
	want            diff.Kind
}

var captures = []capture{
	{"heap", "heap", ".pb.gz", diff.KindHeap},
	{"goroutine?debug=2", "goroutines", ".txt", diff.KindGoroutine},
}

// Options returns the watch's options.
func (w *Watcher) Options() Options { return w.o }

// Restart is a snapshot that another process than its predecessor's wrote.
type Restart struct {
	Path string // the first snapshot file of the new process
	Why  string // the evidence, for the user
}

// Watcher takes snapshots and keeps the series they make.
type Watcher struct {
	o        Options
	client   *http.Client
	builders map[diff.Kind]*series.Builder
	kinds    []diff.Kind
	seen     map[string]bool
	seq      int
	recent   map[diff.Kind][]diff.Moment // the last two snapshots of each kind
	notes    []string                    // for the user, said with the next report
	said     map[string]bool             // notes already said, said once
	// Files is every snapshot file of the series, in the order added.
	Files []string
	// Restarts are the snapshots written by another process than the
	// snapshot before them (diff.Restarted): the series spans two processes.
	Restarts []Restart
}

// NewWatcher prepares a watch: it makes Dir and reads the snapshots already
// there, so that the series continues.
func NewWatcher(ctx context.Context, o Options) (*Watcher, error) {
	w := &Watcher{o: o, builders: map[diff.Kind]*series.Builder{}, seen: map[string]bool{}, recent: map[diff.Kind][]diff.Moment{}}
	w.client = &http.Client{Timeout: o.Timeout}
	dir := o.Dir
	if o.Folder != "" {
		dir = o.Folder
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making %s: %w", dir, err)
	}
	if o.Folder == "" {
		removeStaleTemps(dir)
	}
	existing, err := w.scan(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range existing {
		if o.Folder != "" && !whole(p) {
			continue // still being written: Follow takes it once whole
		}
		if err := w.addFile(ctx, p); err != nil {
			return nil, err
		}
		if seq, _, ok := series.ParseName(p); ok {
			w.seq = max(w.seq, seq)
		}
	}
	return w, nil
}

// removeStaleTemps removes the temporary files (.NAME.tmp) that an earlier
// watch into dir left when it was killed mid-write.
func removeStaleTemps(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if inner, ok := strings.CutSuffix(strings.TrimPrefix(name, "."), ".tmp"); ok && strings.HasPrefix(name, ".") && e.Type().IsRegular() {
			if _, _, named := series.ParseName(inner); named {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
}

// scan lists the snapshot files of dir not seen yet: those that watch
// named, or, when following a folder, jemalloc's .heap dumps; in name order.
func (w *Watcher) scan(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || w.seen[filepath.Join(dir, name)] {
			continue
		}
		_, _, named := series.ParseName(name)
		if (w.o.Folder == "" && named) || (w.o.Folder != "" && strings.HasSuffix(name, ".heap")) {
			out = append(out, filepath.Join(dir, name))
		}
	}
	sort.Strings(out)
	return out, nil
}

func (w *Watcher) addFile(ctx context.Context, path string) error {
	d, err := diff.Open(ctx, path, w.o.Opts)
	if err != nil {
		return err
	}
	return w.add(d)
}

func (w *Watcher) add(d *diff.Dump) error {
	for _, warn := range d.Warnings {
		w.notes = append(w.notes, fmt.Sprintf("%s: warning: %s", d.Path, warn))
	}
	if w.said == nil {
		w.said = map[string]bool{}
	}
	for _, n := range d.SymbolWarnings {
		if !w.said["w:"+n] {
			w.said["w:"+n] = true
			w.notes = append(w.notes, "warning: "+n)
		}
	}
	for _, n := range d.Notes {
		if !w.said[n] {
			w.said[n] = true
			w.notes = append(w.notes, "note: "+n)
		}
	}
	m := diff.MomentOf(d)
	if r := w.recent[d.Kind]; len(r) > 0 {
		var prev2 *diff.Moment
		if len(r) == 2 {
			prev2 = &r[0]
		}
		if why, ok := diff.Restarted(prev2, &r[len(r)-1], &m); ok {
			w.Restarts = append(w.Restarts, Restart{Path: d.Path, Why: why})
		}
		r = r[max(0, len(r)-1):]
		w.recent[d.Kind] = append(r, m)
	} else {
		w.recent[d.Kind] = []diff.Moment{m}
	}
	b := w.builders[d.Kind]
	if b == nil {
		b = series.NewBuilder()
		w.builders[d.Kind] = b
		w.kinds = append(w.kinds, d.Kind)
	}
	if err := b.Add(d); err != nil {
		return err
	}
	w.seen[d.Path] = true
	w.Files = append(w.Files, d.Path)
	return nil
}

// restartAt returns the restart found at the snapshot of dumps, if any.
func (w *Watcher) restartAt(dumps []*diff.Dump) (Restart, bool) {
	for _, r := range w.Restarts {
		for _, d := range dumps {
			if r.Path == d.Path {
				return r, true
			}
		}
	}
	return Restart{}, false
}

// Analysis ranks the series so far; nil before the first snapshot.
func (w *Watcher) Analysis() (*series.Analysis, error) { return series.Rank(w.Series(), w.o.Sample) }

// Take captures one snapshot from the service: each dump is checked to be
// a profile of the kind asked for, then written to Dir under a temporary
// name and renamed, so that Dir never holds half a dump. It returns the
// dumps, read from what was written.
func (w *Watcher) Take(ctx context.Context) ([]*diff.Dump, error) {
	at := time.Now()
	seq := w.seq + 1
	var dumps []*diff.Dump
	var files []string
	for _, c := range captures {
		name := series.Name(c.kind, seq, at, c.ext)
		d, err := w.fetch(ctx, c, filepath.Join(w.o.Dir, name))
		if err != nil {
			for _, f := range files {
				os.Remove(f)
			}
			return nil, err
		}
		dumps = append(dumps, d)
		files = append(files, d.Path)
	}
	w.seq = seq
	for _, d := range dumps {
		if err := w.add(d); err != nil {
			return dumps, err
		}
	}
	return dumps, nil
}

// Series returns the series so far, one per kind, in the order the kinds
// first came.
func (w *Watcher) Series() []*series.Series {
	var out []*series.Series
	for _, k := range w.kinds {
		out = append(out, w.builders[k].Series())
	}
	return out
}

// fetch gets one dump and writes it to path.
func (w *Watcher) fetch(ctx context.Context, c capture, path string) (*diff.Dump, error) {
	u := w.o.Base + c.path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, w.describeFetch(u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("%s: the server answered %s", u, resp.Status)
		if resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%s: the server answered %s: is net/http/pprof served there? (give the pprof base, such as http://host:port/debug/pprof/)", u, resp.Status)
		}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
			return nil, &permanentError{err} // asking again will not help
		}
		return nil, err
	}
	if h := resp.Request.URL.Host; h != req.URL.Host {
		w.notes = append(w.notes, fmt.Sprintf("%s was redirected to another host or port, %s", u, resp.Request.URL.String()))
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	d, err := w.save(ctx, resp.Body, u, c, tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	d.Path = path
	return d, nil
}

// save streams a response body into the file tmp, at most --max-size
// bytes, refusing at its first bytes an answer that cannot be a profile of
// the kind asked for, then reads the file as any dump is read (with the
// same bounds on decompression and memory) and checks its kind. Memory
// holds a buffer of the body at a time, not the body.
func (w *Watcher) save(ctx context.Context, body io.Reader, u string, c capture, tmp string) (*diff.Dump, error) {
	limit := diff.DefaultMaxSize()
	if w.o.Opts != nil && w.o.Opts.MaxSize > 0 {
		limit = w.o.Opts.MaxSize
	}
	br := bufio.NewReaderSize(body, 64<<10)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, w.describeFetch(u, err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("%s: the answer is empty", u)
	}
	if why := wrongStart(head, c.want); why != "" {
		return nil, fmt.Errorf("%s: the answer is not a %s profile (%s)", u, c.want, why)
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", tmp, diff.WithoutPath(err))
	}
	var n int64
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		n, err = copyGzip(f, io.LimitReader(br, limit+1))
	} else {
		n, err = io.Copy(f, io.LimitReader(br, limit+1))
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		return nil, fmt.Errorf("writing %s: %w", tmp, diff.WithoutPath(cerr))
	}
	var bomb *gzipBombError
	if errors.As(err, &bomb) {
		return nil, fmt.Errorf("%s: %w", u, bomb)
	}
	var pe *os.PathError
	switch {
	case errors.As(err, &pe):
		return nil, fmt.Errorf("writing %s: %w", tmp, pe.Err)
	case err != nil:
		return nil, w.describeFetch(u, err)
	case n > limit:
		return nil, fmt.Errorf("%s: the response is larger than %s (see %s)", u, diff.FormatValue(limit, "bytes"), w.o.name("--max-size"))
	}
	d, err := diff.Open(ctx, tmp, w.o.Opts)
	if err != nil {
		var de *diff.Error
		if errors.As(err, &de) {
			err = de.Err
		}
		return nil, fmt.Errorf("%s: the response is not a profile: %w", u, err)
	}
	if d.Kind != c.want {
		return nil, fmt.Errorf("%s: is a %s profile, not a %s profile", u, d.Kind, c.want)
	}
	return d, nil
}

// Streamed gzip may grow at most bombRatio times what has arrived, past
// bombFloor bytes: the guard file inputs have (package diff), applied as
// the bytes arrive.
const (
	bombFloor = 64 << 20
	bombRatio = 100
)

// gzipBombError is a gzip stream that grew past the guard as it arrived.
type gzipBombError struct{ in, out int64 }

func (e *gzipBombError) Error() string {
	return fmt.Sprintf("the gzipped answer decompresses to more than %s from its first %s: not a real dump (a decompression bomb?)",
		diff.FormatValue(e.out, "bytes"), diff.FormatValue(e.in, "bytes"))
}

// copyGzip copies the gzip stream r to w while a goroutine of its own
// decompresses it alongside, into nothing, so that an answer that
// inflates past the guard is refused as it arrives rather than once
// written whole. The goroutine ends before copyGzip returns.
func copyGzip(w io.Writer, r io.Reader) (int64, error) {
	pr, pw := io.Pipe()
	var in atomic.Int64
	done := make(chan error, 1)
	go func() {
		zr, err := gzip.NewReader(pr)
		if err == nil {
			var out int64
			buf := make([]byte, 64<<10)
			for err == nil {
				var k int
				k, err = zr.Read(buf)
				if out += int64(k); out > bombFloor+bombRatio*in.Load() {
					err = &gzipBombError{in: in.Load(), out: out}
				}
			}
			if err == io.EOF {
				err = nil
			}
		}
		var bomb *gzipBombError
		if errors.As(err, &bomb) {
			pr.CloseWithError(err) // stops the copy
			done <- err
			return
		}
		// Done, or a malformed stream, which diff describes once the
		// answer is whole: let the copy go on to its end.
		io.Copy(io.Discard, pr)
		done <- nil
	}()
	n, err := io.Copy(io.MultiWriter(w, pw, countWriter{&in}), r)
	pw.CloseWithError(err)
	if zerr := <-done; zerr != nil {
		return n, zerr
	}
	return n, err
}

// countWriter adds what is written to n.
type countWriter struct{ n *atomic.Int64 }

func (c countWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// wrongStart says why an answer that begins with head cannot be a dump of
// kind want, or "" when it can: the watch asks for a heap profile as
// protobuf (gzipped) and goroutines as a debug=2 dump.
func wrongStart(head []byte, want diff.Kind) string {
	head = bytes.TrimPrefix(head, []byte{0xef, 0xbb, 0xbf})
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b, head[0] == 0x0a:
		return "" // protobuf, gzipped or not
	case bytes.HasPrefix(head, []byte("goroutine ")):
		if want == diff.KindGoroutine {
			return ""
		}
		return "it is a goroutine dump"
	case bytes.HasPrefix(head, []byte("heap profile:")):
		if want == diff.KindHeap {
			return ""
		}
		return "it is a heap profile"
	case bytes.HasPrefix(bytes.TrimSpace(head), []byte("<")):
		return "it is HTML"
	}
	return "it begins with neither a protobuf nor a dump's first words"
}

// permanentError is a failed capture that trying again will not mend,
// such as a 404: the watch gives up at once.
type permanentError struct{ error }

func (e *permanentError) Unwrap() error { return e.error }

// describeFetch says what went wrong with a request, in the user's terms.
func (w *Watcher) describeFetch(u string, err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s: connection refused: is the service running, and serving net/http/pprof there?", u)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%s: no answer within the timeout (see %s)", u, w.o.name("--timeout"))
	case errors.Is(err, context.Canceled):
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s: %w", u, err)
}

// Follow waits for the next new jemalloc dump in the folder and adds it.
// A dump is taken once its size stays the same between two looks and it
// is whole: jemalloc writes its MAPPED_LIBRARIES section last.
func (w *Watcher) Follow(ctx context.Context) ([]*diff.Dump, error) {
	sizes := map[string]int64{}
	poll := min(w.o.Interval, time.Second)
	for {
		files, err := w.scan(w.o.Folder)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			st, err := os.Stat(f)
			if err != nil {
				continue
			}
			if n, ok := sizes[f]; ok && n == st.Size() && n > 0 && whole(f) {
				d, err := diff.Open(ctx, f, w.o.Opts)
				if err == nil {
					err = w.add(d)
				}
				if err != nil {
					w.seen[f] = true // reported once, not again at every look
					return nil, err
				}
				return []*diff.Dump{d}, nil
			}
			sizes[f] = st.Size()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// whole reports whether a jemalloc dump being written is complete: it has
// its MAPPED_LIBRARIES section and ends a line. Other files are taken whole.
func whole(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if !bytes.HasPrefix(data, []byte("heap_v2/")) {
		return true
	}
	return bytes.Contains(data, []byte("\nMAPPED_LIBRARIES:\n")) && bytes.HasSuffix(data, []byte("\n"))
}

// Run takes snapshots until Count are taken, ctx is done, or the service
// fails Retries times in a row; it returns the error that ended it (nil
// for Count reached or ctx done). Nothing captured is lost either way.
func (w *Watcher) Run(ctx context.Context) error {
	taken, failures := 0, 0
	var lastErr error
	report := func(note string) {
		if w.o.Progress == nil {
			return
		}
		if len(w.notes) > 0 {
			note = strings.Join(append(w.notes, note), "; ")
			note = strings.TrimSuffix(note, "; ")
			w.notes = nil
		}
		a, err := w.Analysis()
		if err == nil {
			w.o.Progress(a, taken, failures, note)
		}
	}
	report("")
	for w.o.Count == 0 || taken < w.o.Count {
		start := time.Now()
		var err error
		var dumps []*diff.Dump
		if w.o.Folder != "" {
			dumps, err = w.Follow(ctx)
		} else {
			dumps, err = w.Take(ctx)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			lastErr = err
			var perm *permanentError
			if errors.As(err, &perm) {
				return err
			}
			if failures > w.o.Retries {
				return fmt.Errorf("giving up after %d failed tries in a row (%s %d): %w", failures, w.o.name("--retries"), w.o.Retries, lastErr)
			}
			report(fmt.Sprintf("snapshot %d failed (try %d of %d): %v", w.seq+1, failures, w.o.Retries+1, err))
			if !sleep(ctx, min(w.o.Interval, 2*time.Second)) {
				return nil
			}
			continue
		}
		failures = 0
		taken++
		if w.o.OnSnapshot != nil {
			w.o.OnSnapshot(dumps)
		}
		note := ""
		if r, ok := w.restartAt(dumps); ok {
			note = fmt.Sprintf("the service restarted before %s (%s): the series now spans two processes; watch into a new %s to start a new one", filepath.Base(r.Path), r.Why, w.o.name("--out folder"))
		}
		report(note)
		if w.o.Count != 0 && taken >= w.o.Count {
			break
		}
		if w.o.Folder == "" && !sleep(ctx, w.o.Interval-time.Since(start)) {
			return nil
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Snapshots returns the length of the main series.
func (w *Watcher) Snapshots() int {
	n := 0
	for k, b := range w.builders {
		if k != diff.KindGoroutine || len(w.builders) == 1 {
			n = max(n, b.Len())
		}
	}
	return n
}

// Where returns the folder of the series: the one followed, or the one
// written to.
func (o *Options) Where() string {
	if o.Folder != "" {
		return o.Folder
	}
	return o.Dir
}
