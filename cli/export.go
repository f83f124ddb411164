package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/leakscope/leakscope/app/session"
	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/findings"
	"github.com/leakscope/leakscope/diff/tokio"
	"github.com/leakscope/leakscope/flame"
	"github.com/leakscope/leakscope/flame/page"
)

func runExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", stderr)
	sample := fs.String("sample", "", "sample type to compare (default: the dump's default)")
	width := fs.Int("width", 1600, "image width in pixels")
	height := fs.Int("height", 0, "image height in pixels (0: as tall as the graph)")
	palette := fs.String("palette", flame.Diverging.Name, "colours: diverging or colorblind")
	mode := fs.String("mode", "later", "what a frame's width shows: later, base or max")
	search := fs.String("search", "", "highlight functions matching this regular expression")
	scale := fs.Float64("scale", 1, "pixels per logical pixel (2 for HiDPI)")
	flameUp := fs.Bool("flame", false, "draw the root at the bottom (flame) instead of the top (icicle)")
	out := fs.String("o", "", "output PNG file (required)")
	runtimeCrates := runtimeFlag(fs)
	asHTML := fs.Bool("html", false, "write one self-contained, interactive HTML file instead of a PNG; three or more dumps make a series")
	lim := limitFlags(fs)
	files, err := parseFlags(fs, args)
	if err == nil {
		err = lim.check()
	}
	if err == nil && *asHTML {
		var xerr error
		if files, xerr = session.Expand(files); xerr != nil { // a folder stands for the dumps in it
			return fail(stderr, xerr)
		}
	}
	switch {
	case err != nil:
	case *asHTML && len(files) < 1:
		err = usagef("export --html takes BASE [LATER], or three or more dumps of a series, got no files")
	case !*asHTML && (len(files) < 1 || len(files) > 2):
		err = usagef("export takes BASE [LATER], got %d files (--html takes a series)", len(files))
	case *out == "" && *asHTML:
		err = usagef("export --html needs -o OUT.html")
	case *out == "":
		err = usagef("export needs -o OUT.png")
	}
	if err == nil && *asHTML {
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "width", "height", "scale", "flame":
				err = usagef("--%s is for a PNG: the page fits the browser's width", f.Name)
			}
		})
	}
	if err == nil && (*width < 200 || *width > flame.MaxImageSide || *height < 0 || *height > flame.MaxImageSide) {
		err = usagef("--width must be 200 to %d and --height 0 to %d pixels", flame.MaxImageSide, flame.MaxImageSide)
	}
	if err == nil && flame.CheckScale(*scale) != nil {
		err = usagef("--scale must be a number from %v to %v, not %v", flame.MinScale, flame.MaxScale, *scale)
	}
	p := flame.PaletteByName(*palette)
	if err == nil && p == nil {
		err = usagef("unknown palette %q: use diverging or colorblind", *palette)
	}
	m, ok := map[string]flame.WidthMode{"later": flame.WidthLater, "base": flame.WidthBase, "max": flame.WidthMax}[*mode]
	if err == nil && !ok {
		err = usagef("unknown mode %q: use later, base or max", *mode)
	}
	var re *regexp.Regexp
	if err == nil && *search != "" {
		if re, err = regexp.Compile(*search); err != nil {
			err = usagef("bad --search: %v", err)
		}
	}
	if err != nil {
		return fail(stderr, err)
	}
	if *asHTML {
		v := &flame.View{Mode: m, Palette: p}
		rule := findings.Rule{Crates: *runtimeCrates}
		if err := exportHTML(files, *sample, v, re, *search, rule, lim.options(), *out, stderr); err != nil {
			return fail(stderr, err)
		}
		return ExitOK
	}
	var notes []string // how the pair was put in order: the image's title says it too
	c, err := loadTagged(files, *sample, "", true, lim.options(), stderr, &notes)
	if err != nil {
		return fail(stderr, err)
	}
	rule := findings.Rule{Crates: *runtimeCrates}.Func()
	v := &flame.View{Tree: flame.Build(c), Mode: m, Palette: p, Flame: *flameUp, Runtime: rule}
	in := findings.Input{Tasks: tokio.Compare(c.Base, c.Later), Outside: rule}
	if c.Later.Kind == diff.KindGoroutine {
		if in.Goroutines, err = SpawnSites(c); err != nil {
			return fail(stderr, err)
		}
	} else {
		in.Profile = c
	}
	v.Notes = append(notes, findings.Headlines(findings.Find(in), 3)...)
	v.Panels = flame.SitePanels(in.Goroutines, in.Tasks, flame.PanelRows)
	if c.Later.Kind != diff.KindGoroutine { // a goroutine's flat frame is where it waits
		v.Panels = append(v.Panels, v.FunctionPanel(flame.PanelRows))
	}
	if re != nil {
		v.Match, v.Query = v.Tree.Search(re), *search
	}
	img, err := v.ImageChecked(*width, *height, *scale, nil)
	if err != nil {
		return fail(stderr, usagef("%v: give --height (and --width) to draw the part that fits", err))
	}
	if err := flame.SavePNG(*out, img); err != nil {
		return fail(stderr, fmt.Errorf("%s: %w", *out, err))
	}
	return ExitOK
}

// exportHTML writes the comparison of files (a pair, one dump, or a series
// of three or more) as one HTML page to out, the graph drawn as v says
// (width mode, palette) with re's matches marked. It reads the dumps as the
// window does, so that the page shows what the window shows: the same
// ordering, allocation folding, site panel and series timeline.
func exportHTML(files []string, sample string, v *flame.View, re *regexp.Regexp, query string, rule findings.Rule, opts *diff.Options, out string, stderr io.Writer) error {
	ctx := context.Background()
	opts.SkipZero, opts.Sample = true, sample
	got, err := session.LoadAllWith(ctx, session.Files(files), opts)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range got.Dumps {
		printWarnings(stderr, d, seen)
	}
	s := session.New(nil)
	s.Sample, s.RuntimeCrates = sample, rule.Crates
	if qs := s.Add(got.Dumps, false); len(qs) > 0 {
		return usagef("%s: a third dump of one kind; give a pair, or three or more dumps of one kind for a series", qs[0].Dump.Path)
	}
	s.SetSeries(session.NewSeries(got.Series))
	r, err := session.Compute(ctx, s.Snapshot(), nil, nil)
	if err != nil {
		return err
	}
	if r.Tree == nil {
		return fmt.Errorf("nothing to draw: the dumps hold no stacks of a sample type both have")
	}
	if sample != "" && r.Sample != sample {
		return usagef("--sample %s: the dumps have no such sample type", sample)
	}
	printNotes(stderr, s.Notes, seen)
	v.Tree, v.Runtime = r.Tree, rule.Func()
	if r.Shown != nil && r.Shown.Base != nil {
		v.Colors = session.DefaultColors(r.Shown)
	}
	if r.Trends != nil && r.Trends.Scores != nil {
		v.Colors, v.Scores = flame.Steady, r.Trends.Scores
	}
	if re != nil {
		v.Match, v.Query = v.Tree.Search(re), query
	}
	if err := page.Save(out, r.Page(v, s.Notes, assets.Version)); err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	return nil
}
