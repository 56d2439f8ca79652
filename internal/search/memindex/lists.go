package memindex

import (
	"math/bits"
	"slices"
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

// source is some documents: one sorted list, or lists lo..hi-1 of ls
// (the words of a prefix, whose lists are one run of the arena).
type source struct {
	one    []uint32
	ls     *lists
	lo, hi int
}

// listSource returns the source of a sorted list.
func listSource(l []uint32) source { return source{one: l} }

// runSource returns the source of lists lo..hi-1 of ls.
func runSource(ls *lists, lo, hi int) source { return source{ls: ls, lo: lo, hi: hi} }

// size returns how many documents the source's lists hold.
func (src source) size() int {
	if src.ls == nil {
		return len(src.one)
	}
	return int(src.ls.off[src.hi] - src.ls.off[src.lo])
}

// each calls fn with each of the source's lists that is not empty.
func (src source) each(fn func([]uint32)) {
	if src.ls == nil {
		if len(src.one) > 0 {
			fn(src.one)
		}
		return
	}
	for k := src.lo; k < src.hi; k++ {
		if l := src.ls.at(k); len(l) > 0 {
			fn(l)
		}
	}
}

// spec is the sources of a set before it is built, and how many
// documents they hold.
type spec struct {
	srcs []source
	size int
}

// add adds src to the spec.
func (sp *spec) add(src source) {
	if n := src.size(); n > 0 {
		sp.srcs = append(sp.srcs, src)
		sp.size += n
	}
}

// cursorsAt bounds the lists a set tests with cursors (one galloping
// search each per document tested) rather than a bit set (a pass over
// all their documents).
const cursorsAt = 8

// set is what a query word matches in a part (the union of its sources),
// built for the documents it will be asked about: one sorted list; a few
// lists, each with a cursor; or a bit set of the part's documents. It
// answers whether it holds documents asked about in increasing order
// (has) or in any (contains).
type set struct {
	l    []uint32   // one list
	ls   [][]uint32 // several lists
	pos  []int      // the cursors of ls
	i    int        // the cursor of l
	b    []uint64   // non-nil: a bit set
	last int64      // the largest document held, -1 for none
	size int        // how many documents the sources hold (at least the set's size)
}

// newSet builds the set of sp, of a part of n documents, to be asked
// about asked documents (walk: sp drives, and is read whole).
func (s *scratch) newSet(n int, sp spec, asked int, walk bool) set {
	st := set{last: -1, size: sp.size}
	var lists [][]uint32
	for _, src := range sp.srcs {
		src.each(func(l []uint32) {
			lists = append(lists, l)
			st.last = max(st.last, int64(l[len(l)-1]))
		})
	}
	switch {
	case len(lists) == 0:
	case len(lists) == 1:
		st.l = lists[0]
	case !walk && len(lists) <= cursorsAt && asked*len(lists)*8 < sp.size:
		st.ls, st.pos = lists, make([]int, len(lists))
	default:
		st.b = s.bitset(n)
		for _, l := range lists {
			for _, d := range l {
				st.b[d/64] |= 1 << (d % 64)
			}
		}
	}
	return st
}

// has reports whether the set holds d; d must not be below the document
// asked about before.
func (st *set) has(d uint32) bool {
	switch {
	case st.b != nil:
		return st.b[d/64]&(1<<(d%64)) != 0
	case st.ls != nil:
		for k, l := range st.ls {
			st.pos[k] = gallop(l, st.pos[k], d)
			if st.pos[k] < len(l) && l[st.pos[k]] == d {
				return true
			}
		}
		return false
	}
	st.i = gallop(st.l, st.i, d)
	return st.i < len(st.l) && st.l[st.i] == d
}

// contains reports whether the set holds d, asked in any order (binary
// searches in lists).
func (st *set) contains(d uint32) bool {
	switch {
	case st.b != nil:
		return st.b[d/64]&(1<<(d%64)) != 0
	case st.ls != nil:
		for _, l := range st.ls {
			if _, ok := slices.BinarySearch(l, d); ok {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(st.l, d)
	return ok
}

// each calls fn with the set's documents in order until fn returns false
// (a set built to walk: a list or a bit set).
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
