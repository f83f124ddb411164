//go:build !unix

package diff

import (
	"context"
	"os"
)

// openFile opens path for reading.
func openFile(_ context.Context, path string) (*os.File, error) {
	f, err := os.Open(path)
	return f, unwrapPathError(err)
}
