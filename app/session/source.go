package session

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// FindSource looks for the source file a dump names as path: at path
// itself, then under GOROOT (for paths that pass through a Go tree's
// "src/"), then in the Go module cache (paths through "pkg/mod/"), then in
// each of folders, by the path's trailing elements (so that a path recorded
// on a build machine, /build/app/cmd/server/main.go, is found as
// FOLDER/cmd/server/main.go or FOLDER/main.go). It returns the file found,
// or "", and the places it looked, for the user. It stops soon after ctx
// is done, having found nothing.
func FindSource(ctx context.Context, path string, folders []string) (found string, tried []string) {
	try := func(p string) bool {
		if ctx.Err() != nil {
			return false
		}
		tried = append(tried, p)
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	}
	if path == "" {
		return "", nil
	}
	if try(path) {
		return path, tried
	}
	slashed := filepath.ToSlash(path)
	if i := strings.LastIndex(slashed, "/src/"); i >= 0 {
		for _, root := range goRoots(ctx) {
			if p := filepath.Join(root, "src", filepath.FromSlash(slashed[i+len("/src/"):])); try(p) {
				return p, tried
			}
		}
	}
	if i := strings.LastIndex(slashed, "/pkg/mod/"); i >= 0 {
		if p := filepath.Join(modCache(), filepath.FromSlash(slashed[i+len("/pkg/mod/"):])); try(p) {
			return p, tried
		}
	}
	if !filepath.IsAbs(path) {
		// A -trimpath build (Go's own tools among them) names the standard
		// library's and cmd's files by import path ("cmd/compile/internal/
		// ir/name.go"), and a module's by path@version.
		if i := strings.Index(slashed, "@"); i >= 0 && strings.Contains(slashed[:i], ".") {
			if p := filepath.Join(modCache(), filepath.FromSlash(slashed)); try(p) {
				return p, tried
			}
		} else {
			for _, root := range goRoots(ctx) {
				if p := filepath.Join(root, "src", filepath.FromSlash(slashed)); try(p) {
					return p, tried
				}
			}
		}
	}
	parts := strings.Split(strings.TrimPrefix(slashed, "/"), "/")
	for _, dir := range folders {
		for k := 0; k < len(parts); k++ {
			if p := filepath.Join(dir, filepath.FromSlash(strings.Join(parts[k:], "/"))); try(p) {
				return p, tried
			}
		}
	}
	return "", tried
}

// goRoots is where Go's own sources may be: $GOROOT, and the go command's.
func goRoots(ctx context.Context) []string {
	var roots []string
	if r := os.Getenv("GOROOT"); r != "" {
		roots = append(roots, r)
	}
	if r := goEnvRoot(ctx); r != "" {
		roots = append(roots, r)
	}
	return roots
}

var (
	goRootMu   sync.Mutex
	goRootSeen bool   // the go command was asked, and answered or failed
	goRoot     string // its GOROOT
)

// goEnvRoot asks the go command for its GOROOT, once: a run that ctx
// cancelled (the go command killed) is asked again next time.
func goEnvRoot(ctx context.Context) string {
	goRootMu.Lock()
	defer goRootMu.Unlock()
	if goRootSeen {
		return goRoot
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if ctx.Err() != nil {
		return ""
	}
	goRootSeen = true
	if err == nil {
		goRoot = strings.TrimSpace(string(out))
	}
	return goRoot
}

func modCache() string {
	if m := os.Getenv("GOMODCACHE"); m != "" {
		return m
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}
