package cli

import (
	"fmt"
	"io"
	"regexp"

	"github.com/leakscope/leakscope/flame"
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
	lim := limitFlags(fs)
	files, err := parseFlags(fs, args)
	if err == nil {
		err = lim.check()
	}
	if err == nil && (len(files) < 1 || len(files) > 2) {
		err = usagef("export takes BASE [LATER], got %d files", len(files))
	}
	if err == nil && *out == "" {
		err = usagef("export needs -o OUT.png")
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
	c, err := loadComparison(files, *sample, lim.options(), stderr)
	if err != nil {
		return fail(stderr, err)
	}
	v := &flame.View{Tree: flame.Build(c), Mode: m, Palette: p, Flame: *flameUp}
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
