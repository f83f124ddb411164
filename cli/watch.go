package cli

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
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
	"github.com/leakscope/leakscope/diff/series"
)

// WatchOptions configures a watch: what to capture and where to keep it.
type WatchOptions struct {
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
	Progress func(a *Analysis, taken, failures int, note string)
	// OnSnapshot, when not nil, receives the dumps of each snapshot taken,
	// on the watch's goroutine.
	OnSnapshot func(dumps []*diff.Dump)
}

// NormalizeURL turns what the user typed (host:port, http://host:port, or
// the pprof base itself) into the pprof base URL, ending in a slash.
func NormalizeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", usagef("watch needs a URL (host:port or http://host:port/debug/pprof/) or --dir DIR")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", usagef("bad URL %q: want host:port or http://host:port/debug/pprof/", s)
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

// DefaultWatchDir is the folder a watch of base writes to when --out is
// not given: leakscope-HOST_PORT in the current folder.
func DefaultWatchDir(base string) string {
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

// Restart is a snapshot that another process than its predecessor's wrote.
type Restart struct {
	Path string // the first snapshot file of the new process
	Why  string // the evidence, for the user
}

// Watcher takes snapshots and keeps the series they make.
type Watcher struct {
	o        WatchOptions
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
func NewWatcher(ctx context.Context, o WatchOptions) (*Watcher, error) {
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
	d, err := diff.OpenContext(ctx, path, w.o.Opts)
	if err != nil {
		return err
	}
	return w.add(d)
}

func (w *Watcher) add(d *diff.Dump) error {
	for _, warn := range d.Warnings {
		w.notes = append(w.notes, fmt.Sprintf("%s: warning: %s", d.Path, warn))
	}
	for _, n := range d.Notes {
		if w.said == nil {
			w.said = map[string]bool{}
		}
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
func (w *Watcher) Analysis() (*Analysis, error) { return rank(w.Series(), w.o.Sample) }

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
		return nil, describeFetch(u, err)
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
		w.notes = append(w.notes, fmt.Sprintf("%s was redirected to another host or port, %s", u, printable(resp.Request.URL.String())))
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
		return nil, describeFetch(u, err)
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
		return nil, describeFetch(u, err)
	case n > limit:
		return nil, fmt.Errorf("%s: the response is larger than %s (see --max-size)", u, diff.FormatValue(limit, "bytes"))
	}
	d, err := diff.OpenContext(ctx, tmp, w.o.Opts)
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
func describeFetch(u string, err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%s: connection refused: is the service running, and serving net/http/pprof there?", u)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%s: no answer within the timeout (see --timeout)", u)
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
				d, err := diff.OpenContext(ctx, f, w.o.Opts)
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
				return fmt.Errorf("giving up after %d failed tries in a row (--retries %d): %w", failures, w.o.Retries, lastErr)
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
			note = fmt.Sprintf("the service restarted before %s (%s): the series now spans two processes; watch into a new --out folder to start a new one", filepath.Base(r.Path), r.Why)
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

// runWatch is `leakscope watch`.
func runWatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("watch", stderr)
	interval := fs.Duration("interval", time.Minute, "time between snapshots")
	count := fs.Int("count", 0, "snapshots to take, then stop (default: until Ctrl+C)")
	out := fs.String("out", "", "folder to write the snapshots to (default: leakscope-HOST_PORT); a folder that holds a series continues it")
	folder := fs.String("dir", "", "follow this folder, where jemalloc writes its dumps (prof.PID.SEQ.iN.heap), instead of a URL")
	asJSON := fs.Bool("json", false, "end with the report as JSON (see report --json) on stdout; the live table goes to stderr")
	timeout := fs.Duration("timeout", 30*time.Second, "how long one capture may take")
	retries := fs.Int("retries", 3, "failed tries of one snapshot in a row before the watch gives up")
	sample := fs.String("sample", "", "sample type to rank (default: the dumps' default, inuse_space for heap profiles)")
	top := fs.Int("top", 10, "suspects in the live table and the report")
	var binaries stringList
	fs.Var(&binaries, "binary", "program or library file to symbolize jemalloc dumps with (repeatable)")
	lim := limitFlags(fs)
	fs.Lookup("max-size").Usage = "largest snapshot, on disk and after decompression, e.g. 1G (default 256M)"
	pos, err := parseFlags(fs, args)
	if err == nil {
		err = lim.check()
	}
	o := WatchOptions{Interval: *interval, Count: *count, Timeout: *timeout, Retries: *retries, Sample: *sample, Folder: *folder}
	switch {
	case err != nil:
	case *folder != "" && len(pos) > 0:
		err = usagef("watch takes a URL or --dir DIR, not both")
	case *folder == "" && len(pos) != 1:
		err = usagef("watch takes one URL (host:port or http://host:port/debug/pprof/), or --dir DIR; got %d arguments", len(pos))
	case *interval <= 0 || *count < 0 || *retries < 0 || *timeout <= 0 || *top < 0:
		err = usagef("--interval and --timeout must be positive, --count, --retries and --top not negative")
	case *folder != "" && *out != "":
		err = usagef("--out goes with a URL: with --dir, the dumps stay where jemalloc writes them")
	}
	if err == nil && *folder == "" {
		o.Base, err = NormalizeURL(pos[0])
		o.Dir = *out
		if o.Dir == "" && err == nil {
			o.Dir = DefaultWatchDir(o.Base)
		}
	}
	if err == nil {
		err = checkWatchFolder(o)
	}
	if err != nil {
		return fail(stderr, err)
	}
	o.Opts = lim.options(binaries)
	if o.Opts.MaxSize == 0 {
		// Each answer is read whole once written: bounded by default so
		// that reading it stays well within a gigabyte of memory.
		o.Opts.MaxSize = WatchMaxSize
	}
	live := stdout
	if *asJSON {
		live = stderr
	}
	view := newLiveView(live, stderr, *top)
	o.Progress = view.update

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, statErr := os.Stat(o.dir())
	made := os.IsNotExist(statErr) // the watch makes the folder
	w, err := NewWatcher(ctx, o)
	if err != nil {
		return fail(stderr, err)
	}
	where := o.Base
	if o.Folder != "" {
		where = o.Folder
	}
	fmt.Fprintf(stderr, "leakscope: watching %s every %s, writing to %s", printable(where), o.Interval, printable(o.dir()))
	if len(w.Files) > 0 {
		fmt.Fprintf(stderr, " (continuing its %d snapshot files)", len(w.Files))
	}
	fmt.Fprintln(stderr, "; Ctrl+C ends the watch with the report")
	runErr := w.Run(ctx)
	stop()
	view.done()
	code := ExitOK
	if runErr != nil {
		kept := fmt.Sprintf("; the %d snapshots taken (%d files) are kept in %s", w.snapshots(), len(w.Files), o.dir())
		if len(w.Files) == 0 {
			kept = "; no snapshot was taken"
			if made {
				os.Remove(o.dir()) // empty: nothing to keep
			}
		}
		code = fail(stderr, fmt.Errorf("%w%s", runErr, kept))
		if len(w.Files) == 0 {
			return code
		}
	}
	if c := w.report(*asJSON, *top, stdout, stderr); code == ExitOK {
		code = c
	}
	return code
}

// WatchMaxSize is the default --max-size of watch: the largest answer, on
// disk and decompressed, that one snapshot may be. Reading a dump takes a
// few times its size in memory; a goroutine dump of this size holds about
// two million goroutines.
const WatchMaxSize = 256 << 20

// checkWatchFolder checks, without opening anything, that the folder a
// watch follows (--dir) is a folder, and that the one it writes to (--out)
// is a folder or can be made one in a folder that exists: a usage error
// naming the path otherwise, never a wait on a FIFO.
func checkWatchFolder(o WatchOptions) error {
	if o.Folder != "" {
		st, err := os.Stat(o.Folder)
		switch {
		case os.IsNotExist(err):
			return usagef("--dir %s: no such folder", o.Folder)
		case err != nil:
			return usagef("--dir %s: %v", o.Folder, diff.WithoutPath(err))
		case !st.IsDir():
			return usagef("--dir %s: not a folder", o.Folder)
		}
		return nil
	}
	st, err := os.Stat(o.Dir)
	switch {
	case err == nil && !st.IsDir():
		return usagef("--out %s: not a folder", o.Dir)
	case err == nil:
		return nil
	case !os.IsNotExist(err):
		return usagef("--out %s: %v", o.Dir, diff.WithoutPath(err))
	}
	parent := filepath.Dir(filepath.Clean(o.Dir))
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return usagef("--out %s: its folder %s does not exist", o.Dir, parent)
	}
	return nil
}

// snapshots returns the length of the main series.
func (w *Watcher) snapshots() int {
	n := 0
	for k, b := range w.builders {
		if k != diff.KindGoroutine || len(w.builders) == 1 {
			n = max(n, b.Len())
		}
	}
	return n
}

func (o *WatchOptions) dir() string {
	if o.Folder != "" {
		return o.Folder
	}
	return o.Dir
}

// report ends a watch with the report of its series.
func (w *Watcher) report(asJSON bool, top int, stdout, stderr io.Writer) int {
	a, err := w.Analysis()
	if err != nil {
		return fail(stderr, err)
	}
	if a == nil {
		fmt.Fprintln(stderr, "leakscope: no snapshot was taken")
		return ExitDump
	}
	if a.Main.Len() < 3 {
		fmt.Fprintf(stderr, "leakscope: %d snapshots: a series needs three to rank; here is the comparison\n", a.Main.Len())
		return w.pairReport(a, asJSON, top, stdout, stderr)
	}
	o := reportOptions{asJSON: asJSON, top: top, opts: w.o.Opts, sample: w.o.Sample}
	return writeSeries(a, o, stdout, stderr)
}

// pairReport reports a watch of one or two snapshots: the first against
// the last, with the spawn sites of the goroutine dumps taken with them.
func (w *Watcher) pairReport(a *Analysis, asJSON bool, top int, stdout, stderr io.Writer) int {
	ends := func(s *series.Series) []string {
		p := s.Paths()
		if len(p) > 1 {
			p = []string{p[0], p[len(p)-1]}
		}
		return p
	}
	load := func(paths []string, sample string) (*diff.Comparison, error) {
		if len(paths) == 1 {
			d, err := diff.OpenWith(paths[0], w.o.Opts)
			if err != nil {
				return nil, err
			}
			return diff.Compare(nil, d, sample)
		}
		return loadComparisonOrdered(paths, sample, w.o.Opts)
	}
	c, err := load(ends(a.Main), w.o.Sample)
	if err != nil {
		return fail(stderr, err)
	}
	var g *goroutines.Comparison
	if a.Goroutines != nil {
		gc, err := load(ends(a.Goroutines), "")
		if err == nil {
			g, err = SpawnSites(gc)
		}
		if err != nil {
			return fail(stderr, err)
		}
	}
	if a.Main == a.Goroutines {
		g, _ = SpawnSites(c)
	}
	r := NewReport(c, g, top)
	if asJSON {
		err = encodeJSON(stdout, r)
	} else {
		err = writeReport(stdout, r, baseWhen(c), when(c.Later.Time), g, nil)
	}
	if err != nil {
		return fail(stderr, fmt.Errorf("writing report: %w", err))
	}
	return ExitOK
}
