// Package assets holds the files built into the binary: the demo dumps that
// the app opens when started with no files, and the icon. Beside them are the
// desktop integration files that `make install` installs (linux/), the macOS
// and Windows file-association templates (darwin/, windows/), and the demo
// service that writes the demo dumps (demo/leakyd).
package assets

import (
	"embed"
	"io/fs"
)

//go:embed demo/dumps/*.pb.gz demo/dumps/*.txt demo/source/main.go.txt
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

// DemoSourcePath is where the demo's dumps say the demo service's source
// is, on the machine that made them.
const DemoSourcePath = "/work/main/assets/demo/leakyd/main.go"

// DemoSource returns the demo service's main.go as it was when the demo's
// dumps were taken, so that the source view shows the very lines they name
// on any machine (the service has grown since).
func DemoSource() []byte {
	b, _ := fs.ReadFile(demo, "demo/source/main.go.txt")
	return b
}

//go:embed icon.png
var icon []byte

// Icon returns the application icon, a 512 px PNG.
func Icon() []byte { return icon }

// Version is Leakscope's version, as FyneApp.toml gives it; a test keeps
// the two the same.
const Version = "0.1.0"
