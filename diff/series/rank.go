package series

import (
	"context"
	"fmt"
	"math"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/rust"
)

// Analysis is a series of dumps ranked: the main series (memory, or the
// goroutines when only goroutine dumps are given) and the goroutine series
// beside it, when there is one.
type Analysis struct {
	Main, Goroutines *Series
	SampleIndex      int
	Functions        []FunctionTrend
	Sites            []SiteTrend
	Suspects         []Suspect
}

// Analyze loads paths as series (see Load, which takes
// keepAllocFrames) and ranks them for sample type sample. Goroutine dumps
// given with heap dumps give the spawn sites; given alone, they are the
// main series.
func Analyze(ctx context.Context, paths []string, sample string, opts *diff.Options, keepAllocFrames bool) (*Analysis, error) {
	all, err := Load(ctx, paths, opts, keepAllocFrames)
	if err != nil {
		return nil, err
	}
	return Rank(all, sample)
}

// Rank makes the Analysis of the series of each kind: the first that is
// not of goroutines is the main one; goroutines beside it give the sites.
func Rank(all []*Series, sample string) (*Analysis, error) {
	a := &Analysis{}
	for _, s := range all {
		switch {
		case s.Kind == diff.KindGoroutine:
			a.Goroutines = s
		case a.Main == nil:
			a.Main = s
		default:
			return nil, &diff.Error{Path: s.Snapshots[0].Path, Err: fmt.Errorf("is a %s dump, and %s a %s dump: a series takes dumps of one kind (and goroutine dumps beside them)",
				s.Kind, a.Main.Snapshots[0].Path, a.Main.Kind)}
		}
	}
	if a.Main == nil {
		a.Main = a.Goroutines
	}
	if a.Main == nil {
		return nil, nil
	}
	var err error
	if a.SampleIndex, err = a.Main.SampleIndex(sample); err != nil {
		return nil, &diff.Error{Path: a.Main.Snapshots[0].Path, Err: err}
	}
	a.Functions = a.Main.Functions(a.SampleIndex)
	switch {
	case a.Goroutines != nil:
		a.Sites = a.Goroutines.Sites()
	case a.Main.Tasks:
		a.Sites = a.Main.Sites() // a tokio service's tasks
	}
	a.Suspects = Suspects(a.Functions, a.Sites)
	return a, nil
}

// Tasks reports whether the spawn sites are a tokio service's tasks.
func (a *Analysis) Tasks() bool { return a.Goroutines == nil && a.Main.Tasks }

// SuspectText returns how tables name a suspect, and its rate with its
// unit of time: "+1.2MB/h".
func (a *Analysis) SuspectText(s *Suspect) (name, rate string) {
	per := "/interval"
	if s.PerHour {
		per = "/h"
	}
	name = s.Function
	switch {
	case s.Kind == "spawn_site" && a.Tasks():
		name = "tasks spawned at " + rust.ShortName(s.Site.Function) + " " + s.Site.String()[len(s.Site.Function):]
	case s.Kind == "spawn_site":
		name = "go " + s.Site.String()
	}
	return name, diff.FormatDelta(int64(math.Round(s.Rate)), a.SuspectUnit(s)) + per
}

// Unit returns the unit of the main series' values.
func (a *Analysis) Unit() string { return a.Main.SampleTypes[a.SampleIndex].Unit }

// SuspectUnit returns the unit of a suspect's values.
func (a *Analysis) SuspectUnit(s *Suspect) string {
	if s.Kind == "spawn_site" {
		return "count"
	}
	return a.Unit()
}
