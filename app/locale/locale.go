// Package locale makes the process locale one that Fyne can parse. Fyne reads
// LANG at package initialisation and logs an error for "C" or "POSIX", which
// are what a minimal system or a CI job has. Importing this package first
// (main does) replaces such a value with en_US.UTF-8 before Fyne's init runs:
// Go initialises packages with no pending dependencies in import path order,
// and this one depends only on os and strings.
package locale

import (
	"os"
	"strings"
)

func init() {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(key)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		if base == "C" || base == "POSIX" {
			os.Setenv(key, "en_US.UTF-8")
		}
	}
}
