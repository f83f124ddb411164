package jemalloc_test

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/reftest"
)

var discriminatorRE = regexp.MustCompile(` \(discriminator \d+\)$`)

// TestLinesMatchJeprof: per-line values equal `jeprof --lines --base`, line
// by line, with every allocation sampled; the test program's hold() moves
// its buffer from one line to another between the dumps, so its two lines
// show -16384 and +16384 while the function nets 0.
func TestLinesMatchJeprof(t *testing.T) {
	d := makeDumps(t, 0)
	cmd := exec.Command("jeprof", "--text", "--show_bytes", "--lines", "--inuse_space", "--base="+d.base, d.bin, d.later)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jeprof: %v\n%s", err, stderr.Bytes())
	}
	// jeprof adds " (discriminator N)" to some lines; two rows may then
	// name one line.
	want := map[string]reftest.Row{}
	for _, line := range strings.Split(string(out), "\n") {
		line = discriminatorRE.ReplaceAllString(line, "")
		rows, err := reftest.ParseTop([]byte(line))
		if err != nil {
			continue
		}
		for k, r := range rows {
			w := want[k]
			w.Flat += r.Flat
			w.Cum += r.Cum
			want[k] = w
		}
	}
	dumps, err := diff.OpenAll(context.Background(), nil, d.base, d.later)
	if err != nil {
		t.Fatal(err)
	}
	c, err := diff.Compare(dumps[0], dumps[1], "inuse_space")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]diff.Function{}
	for _, l := range c.Lines() {
		got[l.Name] = l
	}
	var holdLines []int64
	for name, w := range want {
		if strings.Contains(name, "??") || w.Flat == 0 {
			continue // jeprof's unsymbolized and pass-through rows
		}
		g := got[name]
		if g.Flat.Diff() != w.Flat {
			t.Errorf("%s: flat %+d, jeprof --lines %+d", name, g.Flat.Diff(), w.Flat)
		}
		if strings.HasPrefix(name, "hold ") {
			holdLines = append(holdLines, w.Flat)
		}
	}
	if len(holdLines) != 2 || holdLines[0]+holdLines[1] != 0 || absInt(holdLines[0]) != 16384 {
		t.Errorf("hold's lines moved by %v, want -16384 and +16384", holdLines)
	}
	for _, f := range c.Functions() {
		if f.Name == "hold" && f.Flat.Diff() != 0 {
			t.Errorf("hold nets %+d, want 0", f.Flat.Diff())
		}
	}
}

func absInt(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
