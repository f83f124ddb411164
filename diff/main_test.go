package diff_test

import (
	"testing"

	_ "github.com/leakscope/leakscope/diff/pprof" // reads pprof protobuf and Go text profiles
	"github.com/leakscope/leakscope/diff/reftest"
)

// TestMain removes the dumps tests share (see reftest.TempDir).
func TestMain(m *testing.M) { reftest.Main(m) }
