package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/leakscope/leakscope/diff"
)

// Report is the JSON document of `leakscope report --json`. Its field names
// are a contract with users' scripts.
type Report struct {
	Base       *string          `json:"base"` // null when one dump is shown alone
	Later      string           `json:"later"`
	SampleType string           `json:"sample_type"`
	Unit       string           `json:"unit"`
	Total      Values           `json:"total"`
	Functions  []FunctionReport `json:"functions"`
}

// Values is a value in the base dump, in the later dump, and their difference.
type Values struct {
	Base  int64 `json:"base"`
	Later int64 `json:"later"`
	Delta int64 `json:"delta"`
}

// FunctionReport is one function's flat and cum values.
type FunctionReport struct {
	Name string `json:"name"`
	Flat Values `json:"flat"`
	Cum  Values `json:"cum"`
}

func values(d diff.Delta) Values { return Values{Base: d.Base, Later: d.Later, Delta: d.Diff()} }

// NewReport summarises c, keeping the first top functions (all when top <= 0).
func NewReport(c *diff.Comparison, top int) *Report {
	r := &Report{
		Later:      c.Later.Path,
		SampleType: c.SampleType.Type,
		Unit:       c.SampleType.Unit,
		Total:      values(c.Total()),
		Functions:  []FunctionReport{},
	}
	if c.Base != nil {
		r.Base = &c.Base.Path
	}
	fns := c.Functions()
	if top > 0 && len(fns) > top {
		fns = fns[:top]
	}
	for _, f := range fns {
		r.Functions = append(r.Functions, FunctionReport{Name: f.Name, Flat: values(f.Flat), Cum: values(f.Cum)})
	}
	return r
}

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", stderr)
	sample := fs.String("sample", "", "sample type to compare (default: the dump's default)")
	asJSON := fs.Bool("json", false, "print JSON")
	top := fs.Int("top", 0, "print only the first N functions")
	files, err := parseFlags(fs, args)
	if err == nil && (len(files) < 1 || len(files) > 2) {
		err = usagef("report takes BASE [LATER], got %d files", len(files))
	}
	if err == nil && *top < 0 {
		err = usagef("--top must be positive")
	}
	if err != nil {
		return fail(stderr, err)
	}
	c, err := loadComparison(files, *sample, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(NewReport(c, *top))
	} else {
		err = WriteReport(stdout, c, *top)
	}
	if err != nil {
		return fail(stderr, fmt.Errorf("writing report: %w", err))
	}
	return ExitOK
}

// loadComparison opens one or two dumps in parallel and compares them,
// ordering the pair by the dumps' own times. Notes go to stderr.
func loadComparison(files []string, sample string, stderr io.Writer) (*diff.Comparison, error) {
	dumps, err := diff.OpenAll(files...)
	if err != nil {
		return nil, err
	}
	for _, d := range dumps {
		for _, w := range d.Warnings {
			fmt.Fprintf(stderr, "leakscope: %s: warning: %s\n", d.Path, w)
		}
	}
	if len(dumps) == 1 {
		return diff.Compare(nil, dumps[0], sample)
	}
	base, later, swapped := diff.Order(dumps[0], dumps[1])
	if swapped {
		fmt.Fprintf(stderr, "leakscope: note: %s was taken before %s; using it as the base\n", base.Path, later.Path)
	}
	return diff.Compare(base, later, sample)
}

// WriteReport writes c as a text table like `pprof -top`, keeping the first
// top functions (all when top <= 0).
func WriteReport(w io.Writer, c *diff.Comparison, top int) error {
	r := NewReport(c, top)
	unit := c.SampleType.Unit
	f := func(v int64) string { return diff.FormatValue(v, unit) }
	fd := func(v int64) string { return diff.FormatDelta(v, unit) }
	var b strings.Builder
	if r.Base != nil {
		fmt.Fprintf(&b, "Base:  %s%s\n", *r.Base, when(c.Base))
	}
	fmt.Fprintf(&b, "Later: %s%s\n", r.Later, when(c.Later))
	fmt.Fprintf(&b, "Type:  %s (%s)\n", r.SampleType, r.Unit)
	if r.Base != nil {
		fmt.Fprintf(&b, "Total: %s -> %s (%s%s)\n", f(r.Total.Base), f(r.Total.Later), fd(r.Total.Delta), percent(r.Total))
	} else {
		fmt.Fprintf(&b, "Total: %s\n", f(r.Total.Later))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if r.Base != nil {
		fmt.Fprintln(tw, "flat base\tflat later\tflat delta\tcum base\tcum later\tcum delta\t\t")
		for _, fn := range r.Functions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\t%s\n",
				f(fn.Flat.Base), f(fn.Flat.Later), fd(fn.Flat.Delta),
				f(fn.Cum.Base), f(fn.Cum.Later), fd(fn.Cum.Delta), fn.Name)
		}
	} else {
		fmt.Fprintln(tw, "flat\tflat%\tcum\tcum%\t\t")
		for _, fn := range r.Functions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t%s\n", f(fn.Flat.Later), share(fn.Flat.Later, r.Total.Later),
				f(fn.Cum.Later), share(fn.Cum.Later, r.Total.Later), fn.Name)
		}
	}
	return tw.Flush()
}

func when(d *diff.Dump) string {
	if d.Time.IsZero() {
		return ""
	}
	return " (" + d.Time.Format("2006-01-02 15:04:05 MST") + ")"
}

func percent(v Values) string {
	if v.Base == 0 {
		return ""
	}
	return fmt.Sprintf(", %+.1f%%", float64(v.Delta)*100/float64(v.Base))
}

func share(v, total int64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", float64(v)*100/float64(total))
}
