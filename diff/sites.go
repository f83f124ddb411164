package diff

import "sort"

// SiteStacks are, for each spawn site of a comparison (goroutines by the go
// statement that started them, tokio tasks by the call that spawned
// them), the indices of its stacks in the base dump ([0]) and in the later
// one ([1]).
type SiteStacks [2][][]int

// SortSites sorts sites stably by less, and their stacks with them.
func SortSites[T any](sites []T, stacks SiteStacks, less func(a, b *T) bool) ([]T, SiteStacks) {
	order := make([]int, len(sites))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return less(&sites[order[a]], &sites[order[b]]) })
	sorted := make([]T, len(order))
	var st SiteStacks
	for j, i := range order {
		sorted[j] = sites[i]
		st[0] = append(st[0], stacks[0][i])
		st[1] = append(st[1], stacks[1][i])
	}
	return sorted, st
}

// SiteProfile compares the stacks of site k: those of base (nil for none)
// against those of later, for sample ("" for later's default).
func SiteProfile(base, later *Dump, stacks SiteStacks, k int, sample string) (*Comparison, error) {
	pick := func(d *Dump, keep []int) *Dump {
		set := make(map[int]bool, len(keep))
		for _, i := range keep {
			set[i] = true
		}
		return d.Subset(func(i int) bool { return set[i] })
	}
	l := pick(later, stacks[1][k])
	var b *Dump
	if base != nil {
		b = pick(base, stacks[0][k])
	}
	return Compare(b, l, sample)
}
