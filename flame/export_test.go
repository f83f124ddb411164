package flame_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/flame"
)

// deepTree is the flame tree of a base and a later dump that each hold one
// stack of depth distinct frames.
func deepTree(t testing.TB, depth int) *flame.Tree {
	t.Helper()
	dump := func(name string, v int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		frames := make([]int32, depth)
		for i := range frames {
			frames[i] = b.Frame(diff.Frame{Function: fmt.Sprintf("main.f%d", i)})
		}
		b.AddStack(frames, []int64{v})
		b.AddStack(frames[depth-1:], []int64{v})
		return b.Dump(name)
	}
	c, err := diff.Compare(dump("base", 100), dump("later", 300), "")
	if err != nil {
		t.Fatal(err)
	}
	return flame.Build(c)
}

func TestImageChecked(t *testing.T) {
	t.Parallel()
	deep := &flame.View{Tree: deepTree(t, 20_000)}
	shallow := &flame.View{Tree: deepTree(t, 50)}
	tests := []struct {
		desc          string
		view          *flame.View
		width, height int
		scale         float64
		want          string // "" for success
	}{
		{"full height of a 20,000-frame stack", deep, 1600, 0, 1,
			"an image of 1600 × 360096 pixels is too large (at most 16384 pixels a side and 256 Mpx); 1600 × 16384 would fit"},
		{"too wide", deep, 20000, 100, 1, "an image of 20000 × 100 pixels is too large (at most 16384 pixels a side and 256 Mpx); 16384 × 100 would fit"},
		{"NaN scale", deep, 800, 300, math.NaN(), "scale NaN is not between 0.25 and 4"},
		{"tiny scale", deep, 800, 300, 0.02, "scale 0.02 is not between 0.25 and 4"},
		{"huge scale", deep, 800, 300, 5, "scale 5 is not between 0.25 and 4"},
		{"fixed height fits", deep, 800, 300, 1, ""},
		{"smallest scale with a base, full height", shallow, 800, 0, 0.25, ""},
		{"largest scale, full height", shallow, 800, 0, 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			img, err := tt.view.ImageChecked(tt.width, tt.height, tt.scale, nil)
			if tt.want == "" {
				if err != nil || img == nil {
					t.Fatalf("error %v", err)
				}
				w, h := tt.view.ImageSize(tt.width, tt.height, tt.scale)
				if img.Rect.Dx() != w || img.Rect.Dy() != h {
					t.Errorf("image %v, ImageSize says %d × %d", img.Rect, w, h)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestImageNeverPanics draws with arguments that used to divide by zero or
// ask for gigabytes: Image clamps them and stays within the limits.
func TestImageNeverPanics(t *testing.T) {
	t.Parallel()
	deep := &flame.View{Tree: deepTree(t, 20_000)}
	for _, scale := range []float64{0.02, 0.2, 0, -1, math.NaN(), math.Inf(1), 1} {
		img := deep.Image(1600, 0, scale, nil)
		if w, h := img.Rect.Dx(), img.Rect.Dy(); w > flame.MaxImageSide || h > flame.MaxImageSide || w*h > flame.MaxImagePixels {
			t.Errorf("scale %v: image %d × %d passes the limits", scale, w, h)
		}
	}
	if err := flame.CheckImageSize(0, 10); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("CheckImageSize(0, 10) = %v", err)
	}
}

// TestExportStops: a drawing or a PNG whose context is done stops with its
// error, mid-way (the Stop hook is asked between rows), and leaves no file.
func TestExportStops(t *testing.T) {
	v := &flame.View{Tree: deepTree(t, 5000)}
	ctx, cancel := context.WithCancel(context.Background())
	rows := 0
	st := &flame.Style{Stop: func() bool {
		if rows++; rows == 10 {
			cancel()
		}
		return ctx.Err() != nil
	}}
	img := image.NewRGBA(image.Rect(0, 0, 800, 5000*18))
	flame.Draw(img, img.Rect, v.Layout(800, 0), st)
	if rows != 10 {
		t.Errorf("drawing went on for %d rows after Stop said so at 10", rows)
	}
	if _, err := v.ImageContext(ctx, 800, 600, 1, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("ImageContext after cancel: %v", err)
	}
	path := filepath.Join(t.TempDir(), "out.png")
	small := image.NewRGBA(image.Rect(0, 0, 2000, 2000))
	if err := flame.SavePNGContext(ctx, path, small); !errors.Is(err, context.Canceled) {
		t.Errorf("SavePNGContext after cancel: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a cancelled export left %s: %v", path, err)
	}
}

// TestHeaderSaysWhenNothingIsLeft: drawn by its later value, a comparison
// whose later dump holds nothing of it would be blank; the header says
// which width shows it.
func TestHeaderSaysWhenNothingIsLeft(t *testing.T) {
	dump := func(name string, v int64) *diff.Dump {
		b := diff.NewBuilder([]diff.SampleType{{Type: "inuse_space", Unit: "bytes"}})
		b.AddStack([]int32{b.Frame(diff.Frame{Function: "main.gone"})}, []int64{v})
		return b.Dump(name)
	}
	c, err := diff.Compare(dump("base", 100), dump("later", 0), "")
	if err != nil {
		t.Fatal(err)
	}
	tree := flame.Build(c)
	const note = "the later side is empty: try width base"
	for mode, want := range map[flame.WidthMode]bool{flame.WidthLater: true, flame.WidthBase: false, flame.WidthMax: false} {
		v := &flame.View{Tree: tree, Mode: mode}
		if got := strings.Contains(v.Header()[1], note); got != want {
			t.Errorf("width %s: header %q", mode, v.Header()[1])
		}
	}
}
