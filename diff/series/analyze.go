package series

import (
	"sort"

	"github.com/leakscope/leakscope/diff"
	"github.com/leakscope/leakscope/diff/goroutines"
)

// FunctionTrend is one function's flat and cum values over a series, as
// `pprof -top` sums them at each snapshot.
type FunctionTrend struct {
	Name      string
	Flat, Cum Trend
}

// SiteTrend is one spawn site's goroutine count over a goroutine series.
type SiteTrend struct {
	goroutines.Site
	Trend
}

// Functions returns every function with a non-zero value at some snapshot,
// for sample type t, with scored trends, sorted by flat score, then by |flat
// delta|, then name. Values of dumps of estimates (jemalloc's sampled dumps)
// are their estimates summed, then truncated, as jeprof prints them.
func (s *Series) Functions(t int) []FunctionTrend {
	index := map[string]int32{}
	fnOf := make([]int32, len(s.frames))
	var names []string
	for i, f := range s.frames {
		id, ok := index[f.Function]
		if !ok {
			id = int32(len(names))
			index[f.Function] = id
			names = append(names, f.Function)
		}
		fnOf[i] = id
	}
	nf, n, nt := len(names), s.Len(), len(s.SampleTypes)
	flat := make([]int64, nf*n) // flat[f*n+k]
	cum := make([]int64, nf*n)
	var eflat, ecum []float64
	seen := make([]int32, nf)
	for k := range n {
		col := &s.cols[k]
		est := col.est
		if est != nil && eflat == nil {
			eflat, ecum = make([]float64, nf*n), make([]float64, nf*n)
		}
		for e, st := range col.ids {
			v := col.val(e*nt + t)
			var x float64
			if est != nil {
				x = est[e*nt+t]
			}
			if v == 0 && x == 0 {
				continue
			}
			stack := s.pool.stack(st)
			if len(stack) == 0 {
				continue
			}
			leaf := fnOf[stack[0]]
			flat[int(leaf)*n+k] = satAdd(flat[int(leaf)*n+k], v)
			if est != nil {
				eflat[int(leaf)*n+k] += x
			}
			// seen marks the functions this entry counted, once each.
			mark := int32(e + 1)
			for _, f := range stack {
				fi := fnOf[f]
				if seen[fi] == mark {
					continue
				}
				seen[fi] = mark
				cum[int(fi)*n+k] = satAdd(cum[int(fi)*n+k], v)
				if est != nil {
					ecum[int(fi)*n+k] += x
				}
			}
		}
		clear(seen)
		if est != nil {
			for f := range nf {
				flat[f*n+k], _ = diff.Truncate(eflat[f*n+k])
				cum[f*n+k], _ = diff.Truncate(ecum[f*n+k])
			}
		}
	}
	hours := s.Hours()
	var out []FunctionTrend
	var flats, cums []Trend
	for f := range nf {
		fv, cv := flat[f*n:(f+1)*n:(f+1)*n], cum[f*n:(f+1)*n:(f+1)*n]
		if allZero(fv) && allZero(cv) {
			continue
		}
		out = append(out, FunctionTrend{Name: names[f]})
		flats = append(flats, NewTrend(fv, hours))
		cums = append(cums, NewTrend(cv, hours))
	}
	scale := maxOf(s.Totals(t))
	Score(flats, scale)
	Score(cums, scale)
	for i := range out {
		out[i].Flat, out[i].Cum = flats[i], cums[i]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Flat.Score != b.Flat.Score {
			return a.Flat.Score > b.Flat.Score
		}
		if x, y := abs(a.Flat.Delta()), abs(b.Flat.Delta()); x != y {
			return x > y
		}
		return a.Name < b.Name
	})
	return out
}

func allZero(v []int64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

func maxOf(v []int64) int64 {
	var m int64
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Sites returns the spawn sites of a goroutine series with the number of
// goroutines each has at each snapshot (for a series of a tokio service's
// jemalloc dumps, see Tasks: its live tasks), scored, sorted by score, then
// by delta, then by site. It is nil for other series.
func (s *Series) Sites() []SiteTrend {
	if s.Kind != diff.KindGoroutine && !s.Tasks {
		return nil
	}
	n := s.Len()
	hours := s.Hours()
	out := make([]SiteTrend, len(s.sites))
	trends := make([]Trend, len(s.sites))
	for id, site := range s.sites {
		v := make([]int64, n)
		for k, col := range s.siteVals {
			if id < len(col) {
				v[k] = col[id]
			}
		}
		out[id].Site = site
		trends[id] = NewTrend(v, hours)
	}
	scale := maxOf(s.Goroutines())
	if s.Tasks {
		for _, col := range s.siteVals {
			var n int64
			for _, v := range col {
				n += v
			}
			scale = max(scale, n)
		}
	}
	Score(trends, scale)
	for i := range out {
		out[i].Trend = trends[i]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if x, y := a.Delta(), b.Delta(); x != y {
			return x > y
		}
		return a.Site.String() < b.Site.String()
	})
	return out
}

// Suspect is a leak suspect: a function (by its flat values) or a spawn site.
type Suspect struct {
	Kind     string // "function" or "spawn_site"
	Function string // the function, or the site's creating function
	Site     goroutines.Site
	Trend
}

// Suspects ranks the functions of sample type t by flat trend and, given a
// goroutine series (nil when there is none), its spawn sites, and returns
// those with a positive score, highest first; ties go to the larger growth.
func Suspects(fns []FunctionTrend, sites []SiteTrend) []Suspect {
	var out []Suspect
	for _, f := range fns {
		if f.Flat.Score > 0 {
			out = append(out, Suspect{Kind: "function", Function: f.Name, Trend: f.Flat})
		}
	}
	for _, s := range sites {
		if s.Score > 0 {
			out = append(out, Suspect{Kind: "spawn_site", Function: s.Function, Site: s.Site, Trend: s.Trend})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Growth > out[j].Growth
	})
	return out
}
