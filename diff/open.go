package diff

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/leakscope/leakscope/diff/debuginfod"
)

// Format reads one kind of dump. Formats are tried by Order, and those of
// the same Order in the order they were registered; the first whose Match
// accepts the data reads it. Messages list them in that order too.
type Format struct {
	// Name names the format in messages and in Dump.Format, e.g. "pprof".
	Name string
	// Match reports whether data, already decompressed, is of this format.
	// It sees the whole data but should look at its start only.
	Match func(data []byte) bool
	// Load reads data into b. An error says what is wrong with the data,
	// without the file name, which the caller adds.
	Load func(data []byte, b *Builder) error
	// Order places the format among the others, lowest first. Formats
	// register from their packages' init functions, whose order follows
	// their import paths; Order keeps the list the same whichever
	// formats a program imports.
	Order int
	// Plausible, when set, reports whether head, the first 64 KiB of a
	// stream that goes on, can begin data of this format, so that an
	// endless stream of something else is refused without reading it all.
	// When nil, Match decides. Text and gzip are always plausible.
	Plausible func(head []byte) bool
	// Suffixes are the endings of the names files of this format usually
	// have (".pb.gz", ".heap"): a folder opens those files, and the open
	// dialog shows them. The content decides the format, never the name.
	Suffixes []string
}

// ErrInternal marks an error that stands for a panic inside a format's Load:
// a bug in Leakscope, not in the dump. Loading recovers it so that one bad
// file cannot take the program down.
var ErrInternal = errors.New("internal error, please report it with the file")

var (
	formatsMu sync.RWMutex
	formats   []Format
)

// RegisterFormat makes a format known to Open and Read. Sub-packages register
// their formats in an init function; a program that needs them imports them.
func RegisterFormat(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	i := len(formats)
	for i > 0 && formats[i-1].Order > f.Order {
		i--
	}
	formats = slices.Insert(formats, i, f)
}

// Suffixes returns the file name endings of every registered format (see
// Format.Suffixes), and ".gz", for any dump gzipped, without repeats.
func Suffixes() []string {
	var out []string
	for _, f := range registeredFormats() {
		for _, s := range f.Suffixes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	if !slices.Contains(out, ".gz") {
		out = append(out, ".gz")
	}
	return out
}

// sniffHead is how much of a file Sniff looks at.
const sniffHead = 4 << 10

// Sniff reports whether a file that begins with head may be a dump: it is
// gzipped, UTF-16 text (reading it says whether it is one), or its start
// is one a registered format accepts. A file it refuses is no dump; one it
// accepts may still fail to load, with a reason.
func Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte{0xef, 0xbb, 0xbf}) // UTF-8's byte-order mark
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return true
	case len(head) < 2:
		return false
	case head[0] == 0x1f && head[1] == 0x8b:
		return true
	}
	for _, f := range registeredFormats() {
		if f.Match(head) {
			return true
		}
	}
	return false
}

// SniffFile is Sniff on the start of the file at path; a file that cannot
// be opened is taken as a dump, so that loading it says why it cannot be.
func SniffFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	head := make([]byte, sniffHead)
	n, _ := io.ReadFull(f, head)
	return Sniff(head[:n])
}

func registeredFormats() []Format {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	return formats
}

// Options tune loading. The zero value (or nil) is the default.
type Options struct {
	// Binaries are program and library files to symbolize dumps with when
	// the paths a dump records are missing or are not the right files
	// (jemalloc dumps name the files mapped into the process). A binary
	// stands in for a recorded file with the same base name, or, if only
	// one is given, for the program itself.
	Binaries []string
	// DebugDirs are folders searched for the separate debug files of
	// objects that have no symbols, by build ID (DIR/.build-id/xx/yyyy.debug
	// or DIR/xx/yyyy.debug) and by name.
	DebugDirs []string
	// Debuginfod, when not nil, looks debug files up by build ID in the
	// debuginfod client cache and, if it names servers, downloads them
	// (see package debuginfod). Nil looks in neither: nothing connects
	// anywhere unless a caller sets this.
	Debuginfod *debuginfod.Client
	// Progress, when not nil, receives the bytes read and the phases.
	Progress *Progress
	// MaxSize is the largest dump, in bytes after decompression, that loading
	// accepts. 0 means DefaultMaxSize, together with a guard against
	// decompression bombs: past 64 MiB, a gzipped dump may not grow to more
	// than 100 times its compressed size. Reading stops as soon as the
	// limit is passed.
	MaxSize int64
	// MaxMemory bounds the memory, in bytes, that decoding a dump may take
	// beyond its data. 0 means 8 times the data's size plus 64 MiB (at most
	// half of the machine's memory), which real dumps stay well within.
	// A dump that would need more is refused before the memory is taken.
	MaxMemory int64
	// Budget, when not nil, is shared by the loads of one run (a command,
	// a drop of files): the decompression-bomb guard's 64 MiB floor is then
	// one allowance for all of them, so that several small bombs together
	// do not pass where one would not. Nil gives each dump its own floor.
	Budget *Budget
	// SkipZero, when true, says that the caller compares sample type
	// Sample only: a pprof heap profile then leaves out the stacks whose
	// value of it is zero, which Compare leaves out anyway (most of a Go
	// heap profile's stacks hold allocated but no live memory). Totals
	// (Dump.Total) still count every stack; the labels of the stacks left
	// out are not kept.
	SkipZero bool
	// Sample names the sample type SkipZero looks at, as Compare takes
	// it: "" for the dump's default. A name the dump lacks keeps every stack.
	Sample string
}

// Budget is what the loads of one run share; see Options.Budget. Reading
// the same file again (the first and last snapshots of a series, say)
// takes nothing more from it.
type Budget struct {
	mu   sync.Mutex
	left int64            // decompressed bytes past the ratio still allowed
	used map[string]int64 // what each file took, by name
}

// NewBudget returns a Budget with the whole floor.
func NewBudget() *Budget { return &Budget{left: bombFloor, used: map[string]int64{}} }

// sharedWith reports whether files other than name took from the floor.
func (b *Budget) sharedWith(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for n, used := range b.used {
		if n != name && used > 0 {
			return true
		}
	}
	return false
}

// take records that file name has grown total bytes past its ratio, and
// reports whether the floor allows it.
func (b *Budget) take(name string, total int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if need := total - b.used[name]; need > 0 {
		if need > b.left {
			return false
		}
		b.left -= need
		b.used[name] = total
	}
	return true
}

// Open reads the dump at path, as o says (nil for the defaults). The
// format is detected from the content, and gzip is undone first. It stops,
// returning an error that wraps ctx's, soon after ctx is done: while it
// waits for a FIFO's writer, while it reads, decompresses, parses or
// symbolizes; it leaves no goroutine behind. Errors are of type *Error and
// name the path.
func Open(ctx context.Context, path string, o *Options) (*Dump, error) {
	f, err := openFile(ctx, path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		o.progress().Expect(st.Size())
	}
	// A pipe's read blocks; the deadline releases it when ctx is done.
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	defer stop()
	return Read(ctx, f, path, o)
}

// WithoutPath drops an *fs.PathError's wrapper, whose message repeats the
// path, for messages that name the file themselves.
func WithoutPath(err error) error { return unwrapPathError(err) }

// unwrapPathError drops the *fs.PathError wrapper, whose message repeats the path.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read is Open for a dump read from r; name is used in messages and as
// Dump.Path.
func Read(ctx context.Context, r io.Reader, name string, o *Options) (*Dump, error) {
	o.progress().SetPhase("reading")
	data, err := readAll(&ctxReader{ctx: ctx, r: r, p: o.progress()}, o)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, &Error{Path: name, Err: err}
	}
	return Parse(ctx, data, name, o)
}

// Parse is Read for a dump held in memory. data may be gzipped.
func Parse(ctx context.Context, data []byte, name string, o *Options) (*Dump, error) {
	if o == nil {
		o = &Options{}
	}
	d, err := parse(ctx, data, name, o)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w", ctx.Err())
		}
		return nil, &Error{Path: name, Err: err}
	}
	d.Path = name
	return d, nil
}

func (o *Options) progress() *Progress {
	if o == nil {
		return nil
	}
	return o.Progress
}

func parse(ctx context.Context, data []byte, name string, o *Options) (*Dump, error) {
	if len(data) == 0 {
		return nil, errors.New("empty file")
	}
	if isGzip(data) {
		var err error
		o.progress().SetPhase("decompressing")
		data, err = gunzip(ctx, data, name, o)
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, errors.New("empty after gzip decompression")
		}
	}
	data, err := dropBOM(data)
	if err != nil {
		return nil, err
	}
	for _, f := range registeredFormats() {
		if !f.Match(data) {
			continue
		}
		b := NewBuilder(nil)
		b.opts, b.ctx = o, ctx
		b.budget, b.explicitBudget, b.dataLen = o.memoryBudget(len(data)), o != nil && o.MaxMemory > 0, len(data)
		o.progress().SetPhase("parsing " + f.Name)
		if err := load(f, data, b); err != nil {
			return nil, fmt.Errorf("reading %s: %w", f.Name, err)
		}
		if len(b.d.SampleTypes) == 0 {
			return nil, fmt.Errorf("reading %s: no sample types", f.Name)
		}
		return b.finish("", f.Name), nil
	}
	return nil, errUnrecognized(data)
}

// errFloorSpent is what a floorReader returns once the run's floor is spent.
var errFloorSpent = errors.New("the decompression floor is spent")

// floorReader passes on what r gives, free bytes of it at no cost, then
// every byte from budget's floor (for the file name); once the floor is
// spent it fails.
type floorReader struct {
	r          io.Reader
	free, past int64
	budget     *Budget
	name       string
}

func (f *floorReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if over := int64(n) - f.free; over > 0 {
		f.free, f.past = 0, f.past+over
		if !f.budget.take(f.name, f.past) {
			return n, errFloorSpent
		}
	} else {
		f.free -= int64(n)
	}
	return n, err
}

// dropBOM reads a text dump that begins with a byte-order mark as the same
// dump without it: UTF-8's mark is dropped, UTF-16 (as some Windows tools
// save text) is converted to UTF-8.
func dropBOM(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		if len(data)%2 != 0 {
			return nil, errors.New("begins as UTF-16 text (a byte-order mark) but has an odd number of bytes: cut short?")
		}
		order := binary.ByteOrder(binary.LittleEndian)
		if data[0] == 0xfe {
			order = binary.BigEndian
		}
		units := make([]uint16, 0, len(data)/2-1)
		for i := 2; i < len(data); i += 2 {
			units = append(units, order.Uint16(data[i:]))
		}
		out := make([]byte, 0, len(units))
		for _, r := range utf16.Decode(units) {
			out = utf8.AppendRune(out, r)
		}
		return out, nil
	}
	return data, nil
}

// load calls f.Load and turns a panic into an error wrapping ErrInternal.
// A limit the Builder saw passed (memory, stack depth) wins over whatever
// the format made of it.
func load(f Format, data []byte, b *Builder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrInternal, r)
		}
		if b.err == nil && err == nil {
			b.checkBudget()
		}
		if b.err != nil {
			err = b.err
		}
	}()
	return f.Load(data, b)
}

func errUnrecognized(data []byte) error {
	names := ""
	for i, f := range registeredFormats() {
		if i > 0 {
			names += ", "
		}
		names += f.Name
	}
	what := "binary data"
	if LooksLikeText(data) {
		line, _, _ := bytes.Cut(data, []byte("\n"))
		if len(line) > 40 {
			line = append(line[:40:40], "…"...)
		}
		what = fmt.Sprintf("text starting %q", line)
	}
	return fmt.Errorf("not a profile this tool reads (%s; known formats: %s)", what, names)
}

// LooksLikeText reports whether the start of data reads as text: UTF-8
// without control characters other than tabs and line ends. Formats use it
// to tell text from binary data.
func LooksLikeText(data []byte) bool {
	head := data[:min(len(data), 512)]
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 && len(head) > 3 {
			return false
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		head = head[size:]
	}
	return true
}

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

func gunzip(ctx context.Context, data []byte, name string, o *Options) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bad gzip data: %w", describeEOF(err))
	}
	limit := o.maxSize()
	explicit := o != nil && o.MaxSize > 0
	ratio := false
	var r io.Reader = &ctxReader{ctx: ctx, r: zr}
	var fr *floorReader
	switch guard := max(bombFloor, bombRatio*int64(len(data))); {
	case explicit:
	case o != nil && o.Budget != nil:
		// Past the ratio, every byte comes out of the run's floor.
		fr = &floorReader{r: r, free: bombRatio * int64(len(data)), budget: o.Budget, name: name}
		r = fr
		ratio = true
	case guard < limit:
		limit, ratio = guard, true
	}
	// The trailer's ISIZE is the size mod 2^32 of the last member: a hint
	// for the buffer, not to be trusted beyond the limit.
	hint := int64(len(data)) * 8
	if n := len(data); n >= 18 {
		if isize := int64(binary.LittleEndian.Uint32(data[n-4:])); isize > 0 {
			hint = isize + bytes.MinRead
		}
	}
	out := make([]byte, 0, min(hint, limit+1))
	adviseHuge(out)
	out, err = readLimited(r, out, limit, func() error {
		return &errTooLarge{limit: limit, ratio: ratio, gzipped: len(data), explicit: explicit}
	})
	if errors.Is(err, errFloorSpent) {
		err = &errTooLarge{limit: bombRatio*int64(len(data)) + fr.past, ratio: true, gzipped: len(data), shared: o.Budget.sharedWith(name)}
	}
	if err != nil {
		var tl *errTooLarge
		if errors.As(err, &tl) {
			return nil, err
		}
		return nil, fmt.Errorf("bad gzip data: %w", describeEOF(err))
	}
	return out, nil
}

func describeEOF(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("truncated")
	}
	return err
}

// readAll reads r to its end within o's size limit. A regular file is read
// into a buffer of its size, refused at once when it is too large; any
// other source is refused after its first 64 KiB when they cannot start a
// dump (/dev/zero), and else read growing by a quarter at a time.
func readAll(r io.Reader, o *Options) ([]byte, error) {
	limit := o.maxSize()
	explicit := o != nil && o.MaxSize > 0
	tooLarge := func() error { return &errTooLarge{limit: limit, explicit: explicit} }
	inner := r
	if c, ok := r.(*ctxReader); ok {
		inner = c.r
	}
	if f, ok := inner.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			if st.IsDir() {
				return nil, errors.New("is a directory")
			}
			if st.Mode().IsRegular() {
				if st.Size() > limit {
					return nil, tooLarge()
				}
				buf, err := readLimited(r, make([]byte, 0, st.Size()+bytes.MinRead), limit, tooLarge)
				return buf, unwrapPathError(err)
			}
		}
	}
	head, err := readLimited(io.LimitReader(r, sniffSize), make([]byte, 0, sniffSize+1), limit, tooLarge)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(head) < sniffSize {
		return head, nil
	}
	if !plausibleHead(head) {
		return nil, errUnrecognized(head)
	}
	buf, err := readLimited(r, head, limit, tooLarge)
	return buf, unwrapPathError(err)
}

// OpenAll opens the files concurrently, one goroutine per file, as Open
// does, and returns the dumps in the order of paths. It returns once every
// file's goroutine has ended; the error is that of the first failing path
// in the given order.
func OpenAll(ctx context.Context, o *Options, paths ...string) ([]*Dump, error) {
	dumps := make([]*Dump, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() { dumps[i], errs[i] = Open(ctx, p, o) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return dumps, nil
}
