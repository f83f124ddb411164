package pprof_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/leakscope/leakscope/assets"
	"github.com/leakscope/leakscope/diff/reftest"
)

// TestMain removes the dumps tests share (see reftest.TempDir).
func TestMain(m *testing.M) { reftest.Main(m) }

// readDemo returns the built-in demo's dump called name.
func readDemo(t testing.TB, name string) []byte {
	t.Helper()
	f, err := assets.Demo(name)
	if err != nil {
		t.Fatal(err)
	}
	return f.Data
}

// gunzip returns the gzipped data b holds.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
