package memindex

import (
	"math/bits"
	"sync"
)

// scratch is the memory of one query: the bit sets of its words, reused
// from query to query through scratchPool.
type scratch struct {
	sets [][]uint64
	used int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// getScratch returns a scratch from the pool.
func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// release clears the bit sets used and returns s to the pool; sets it
// made are not to be used after.
func (s *scratch) release() {
	for _, b := range s.sets[:s.used] {
		clear(b)
	}
	s.used = 0
	scratchPool.Put(s)
}

// bitset returns an empty bit set of n bits.
func (s *scratch) bitset(n int) []uint64 {
	words := (n + 63) / 64
	if s.used == len(s.sets) {
		s.sets = append(s.sets, nil)
	}
	b := s.sets[s.used]
	if cap(b) < words {
		b = make([]uint64, words)
	}
	s.sets[s.used] = b[:words]
	s.used++
	return b[:words]
}

// source is some documents: a sorted list, or a run of several sorted
// lists back to back (not sorted as a whole), and the largest of them.
type source struct {
	ids    []uint32
	sorted bool
	last   uint32
}

// listSource returns the source of a sorted list.
func listSource(l []uint32) source {
	if len(l) == 0 {
		return source{}
	}
	return source{ids: l, sorted: true, last: l[len(l)-1]}
}

// runSource returns the source of lists lo..hi-1 of ls.
func runSource(ls *lists, lo, hi int) source {
	if hi-lo == 1 {
		return listSource(ls.at(lo))
	}
	src := source{ids: ls.run(lo, hi)}
	for k := lo; k < hi; k++ {
		if l := ls.at(k); len(l) > 0 {
			src.last = max(src.last, l[len(l)-1])
		}
	}
	return src
}

// set is what a query word matches in a part (the union of its sources):
// a sorted list when it is one, else a bit set of the part's documents.
// It answers whether it holds documents asked about in increasing order.
type set struct {
	l    []uint32
	i    int
	b    []uint64 // non-nil: a bit set
	last int64    // the largest document held, -1 for none
	size int      // how many documents the sources hold (at least the set's size)
}

// newSet returns the union of srcs, of a part of n documents.
func (s *scratch) newSet(n int, srcs []source) set {
	k, size := 0, 0
	var only source
	for _, src := range srcs {
		if len(src.ids) > 0 {
			k, size, only = k+1, size+len(src.ids), src
		}
	}
	switch {
	case k == 0:
		return set{last: -1}
	case k == 1 && only.sorted:
		return set{l: only.ids, last: int64(only.ids[len(only.ids)-1]), size: size}
	}
	st := set{b: s.bitset(n), last: -1, size: size}
	for _, src := range srcs {
		for _, d := range src.ids {
			st.b[d/64] |= 1 << (d % 64)
		}
		if len(src.ids) > 0 {
			st.last = max(st.last, int64(src.last))
		}
	}
	return st
}

// has reports whether the set holds d; d must not be below the document
// asked about before.
func (st *set) has(d uint32) bool {
	if st.b != nil {
		return st.b[d/64]&(1<<(d%64)) != 0
	}
	st.i = gallop(st.l, st.i, d)
	return st.i < len(st.l) && st.l[st.i] == d
}

// each calls fn with the set's documents in order until fn returns false.
func (st *set) each(fn func(uint32) bool) {
	if st.b == nil {
		for _, d := range st.l {
			if !fn(d) {
				return
			}
		}
		return
	}
	for w, x := range st.b {
		for x != 0 {
			if !fn(uint32(w*64 + bits.TrailingZeros64(x))) {
				return
			}
			x &= x - 1
		}
	}
}

// gallop returns the first index at or after from where l holds a
// document at or above d (len(l) when none): steps doubling from from,
// then a binary search, so that walking a list by increasing documents
// costs little whether they are near or far apart.
func gallop(l []uint32, from int, d uint32) int {
	if from >= len(l) || l[from] >= d {
		return from
	}
	lo, step := from, 1
	hi := from + 1
	for hi < len(l) && l[hi] < d {
		lo = hi
		step <<= 1
		hi = from + step
	}
	hi = min(hi, len(l))
	// l[lo] < d; the answer is in (lo, hi].
	lo++
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l[m] < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
