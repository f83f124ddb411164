//go:build !linux

package diff

// adviseHuge asks for huge pages on Linux only.
func adviseHuge[T any](b []T) {}
