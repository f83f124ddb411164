package reftest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// CacheDir is where reference programs and the dumps they write are kept
// between test binaries, so that each is built once per run and shared
// between packages: $LEAKSCOPE_REFCACHE (make test sets it under bin/),
// else the user's cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("LEAKSCOPE_REFCACHE"); d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	c, err := os.UserCacheDir()
	if err != nil {
		c = os.TempDir()
	}
	d := filepath.Join(c, "leakscope", "reference")
	return d, os.MkdirAll(d, 0o755)
}

// cached returns the folder of name for inputs (the files whose content
// decides what is built, and any other words that do): the first caller
// with these inputs makes it with make, under a lock that other test
// binaries wait on; later callers find it made.
func cached(name string, files []string, words []string, make func(dir string) error) (string, error) {
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, w := range words {
		fmt.Fprintln(h, w)
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(h, filepath.Base(f))
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			return "", err
		}
	}
	dir := filepath.Join(root, name+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	lock, err := os.OpenFile(filepath.Join(root, name+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(filepath.Join(dir, ".done")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(root, name+"-new-")
	if err != nil {
		return "", err
	}
	if err := make(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".done"), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return dir, nil
}

// linkInto puts the files of src named names into dir, as hard links when
// it can (the cache and dir on one file system), else as copies, and
// returns their new paths.
func linkInto(dir, src string, names ...string) ([]string, error) {
	var out []string
	for _, n := range names {
		from, to := filepath.Join(src, n), filepath.Join(dir, n)
		if err := os.Link(from, to); err != nil {
			b, err := os.ReadFile(from)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(to, b, 0o644); err != nil {
				return nil, err
			}
		}
		out = append(out, to)
	}
	return out, nil
}

// BuildLeakyC builds the C test program diff/jemalloc/testdata/leaky.c
// (gcc -g -O0, linked to jemalloc) once per run, in the cache, and copies
// it to dir/name: a copy, which a test may move, strip or run, and whose
// path its jemalloc dumps record.
func BuildLeakyC(dir, name string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	src := filepath.Join(root, "diff", "jemalloc", "testdata", "leaky.c")
	gcc, _ := exec.Command("gcc", "--version").Output()
	built, err := cached("leaky-c", []string{src}, []string{string(gcc)}, func(out string) error {
		if b, err := exec.Command("gcc", "-g", "-O0", "-o", filepath.Join(out, "leaky"), src, "-ljemalloc").CombinedOutput(); err != nil {
			return fmt.Errorf("gcc (libjemalloc-dev is needed): %v\n%s", err, b)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(built, "leaky"))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	return bin, os.WriteFile(bin, b, 0o755)
}
