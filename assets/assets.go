// Package assets holds the files built into the binary: the demo dumps that
// the app opens when started with no files.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed demo/dumps/*.pb.gz demo/dumps/*.txt
var demo embed.FS

// DemoFile is one embedded demo dump.
type DemoFile struct {
	Name string // file name, e.g. "heap-base.pb.gz"
	Data []byte
}

// Demo returns the named demo dump, e.g. "heap-base.pb.gz".
func Demo(name string) (DemoFile, error) {
	b, err := fs.ReadFile(demo, "demo/dumps/"+name)
	return DemoFile{Name: name, Data: b}, err
}
