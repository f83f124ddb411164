//go:build !linux

package main

// screenSize is not known here: the window opens at its default size.
func screenSize() (w, h int, ok bool) { return 0, 0, false }
