package diff_test

import (
	"testing"

	"github.com/leakscope/leakscope/diff/reftest"
)

// TestMain removes the dumps tests share (see reftest.TempDir).
func TestMain(m *testing.M) { reftest.Main(m) }
