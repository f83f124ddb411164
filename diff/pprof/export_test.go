package pprof

import (
	"github.com/google/pprof/profile"

	"github.com/leakscope/leakscope/diff"
)

// ParseWithProfilePackage reads a pprof profile with profile.Parse, as the
// oracle for the streaming reader.
func ParseWithProfilePackage(data []byte, name string) (*diff.Dump, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, &diff.Error{Path: name, Err: err}
	}
	b := diff.NewBuilder(nil)
	b.HideGoRuntime() // as the streaming reader does
	loadProfile(p, b, nil)
	return b.Dump(name), nil
}
