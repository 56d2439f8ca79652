package memindex

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A part is an immutable set of documents in pointer-free columns. Its
// documents are numbered 0..n-1 in the order of their meetings' ids (doc
// numbers are dense uint32s, four bytes a posting); every posting list is
// sorted, so walking a list walks meetings by id, which is the order of a
// text query without a point within a relevance tier.
type part struct {
	// Per document.
	ids   []int64   // the meeting's id
	xyz   []float64 // the point on the unit sphere (geo.go) at 3i, 3i+1, 3i+2
	cell  []uint32  // the point's grid cell (geo.go), noCell without a point
	day   []int8    // 0–6, 7 by appointment
	start []int16   // minutes after midnight, -1 for none or by appointment
	att   []uint8   // index in meeting.Attendances, noIndex when unknown
	prog  []uint8   // index in meeting.Programs, noIndex when unknown
	src   []uint32  // index in sources
	key   []uint32  // index in keys: the name key

	sources []string
	keys    strtab   // the distinct name keys, sorted
	keyLast []uint32 // the last document with each key

	// words is the vocabulary: the distinct words of the documents,
	// sorted, so that the words with a prefix are one range (and their
	// lists one run of all.ids). all lists, for each word, the documents
	// holding it in any field, name those holding it in the name.
	words strtab
	// byShape is the words ordered by first letter, then length in
	// letters (at most 255), then word: the candidates for a typo's
	// correction (textdoc: the first letter, within MaxEdits) are one
	// range of it.
	byShape   []uint32
	all, name lists
	// prefixes are the distinct one- and two-letter prefixes of name and
	// group words (textdoc.Doc.Prefixes), sorted; pre lists the documents
	// with a name or group word starting so, preName those with a name
	// word starting so.
	prefixes     strtab
	pre, preName lists
	// types are the distinct type codes; typ lists their documents.
	types strtab
	typ   lists
	// fine is the documents with a point by fine cell (geo.go).
	fine fineGrid
}

// shape is a word's key in byShape: its first letter and its length in
// letters, at most 255.
func shape(w string) uint64 {
	r, _ := utf8.DecodeRuneInString(w)
	return uint64(r)<<8 | uint64(min(utf8.RuneCountInString(w), math.MaxUint8))
}

// buildShapes returns the words of t ordered for byShape.
func buildShapes(t *strtab) []uint32 {
	keys := make([]uint64, t.len())
	out := make([]uint32, t.len())
	for i := range out {
		keys[i], out[i] = shape(t.at(i)), uint32(i)
	}
	slices.SortStableFunc(out, func(a, b uint32) int { return cmp.Compare(keys[a], keys[b]) })
	return out
}

// shapeRange returns the range of byShape of the words with first letter
// first (a rune) and a length from lo to hi letters.
func (p *part) shapeRange(first rune, lo, hi int) []uint32 {
	lo, hi = max(lo, 0), min(hi, math.MaxUint8)
	from, to := uint64(first)<<8|uint64(lo), uint64(first)<<8|uint64(hi)
	a, _ := slices.BinarySearchFunc(p.byShape, from, func(i uint32, k uint64) int { return cmp.Compare(shape(p.words.at(int(i))), k) })
	b, _ := slices.BinarySearchFunc(p.byShape, to+1, func(i uint32, k uint64) int { return cmp.Compare(shape(p.words.at(int(i))), k) })
	return p.byShape[a:b]
}

// noIndex marks an attendance or program that is none of the known ones:
// it never passes a filter.
const noIndex = math.MaxUint8

// len returns the number of documents.
func (p *part) len() int { return len(p.ids) }

// emptyPart is a part without documents.
var emptyPart = &part{keys: newStrtab(nil), words: newStrtab(nil), prefixes: newStrtab(nil), types: newStrtab(nil),
	all: emptyLists(0), name: emptyLists(0), pre: emptyLists(0), preName: emptyLists(0), typ: emptyLists(0)}

// strtab is a sorted table of distinct strings in one byte arena: string i
// is b[off[i]:off[i+1]].
type strtab struct {
	b   []byte
	off []uint32
}

// newStrtab returns the table of ss, which must be sorted and distinct.
func newStrtab(ss []string) strtab {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	t := strtab{b: make([]byte, 0, n), off: make([]uint32, 0, len(ss)+1)}
	for _, s := range ss {
		t.off = append(t.off, uint32(len(t.b)))
		t.b = append(t.b, s...)
	}
	t.off = append(t.off, uint32(len(t.b)))
	return t
}

// len returns the number of strings.
func (t *strtab) len() int { return len(t.off) - 1 }

// at returns string i. It shares the table's memory, which is never
// written once built.
func (t *strtab) at(i int) string {
	a, b := t.off[i], t.off[i+1]
	if a == b {
		return ""
	}
	return unsafe.String(&t.b[a], int(b-a))
}

// find returns the index of s, or -1.
func (t *strtab) find(s string) int {
	lo, hi := 0, t.len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.at(m) < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < t.len() && t.at(lo) == s {
		return lo
	}
	return -1
}

// prefixRange returns the range [lo, hi) of the strings that start with
// prefix.
func (t *strtab) prefixRange(prefix string) (lo, hi int) {
	n := t.len()
	lo, hi = 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.at(m) < prefix {
			lo = m + 1
		} else {
			hi = m
		}
	}
	a, b := lo, n
	for a < b {
		m := int(uint(a+b) >> 1)
		if strings.HasPrefix(t.at(m), prefix) {
			a = m + 1
		} else {
			b = m
		}
	}
	return lo, a
}

// lists are sorted posting lists back to back: list k is
// ids[off[k]:off[k+1]].
type lists struct {
	ids []uint32
	off []uint32
}

// emptyLists returns n empty lists.
func emptyLists(n int) lists { return lists{off: make([]uint32, n+1)} }

// at returns list k.
func (l *lists) at(k int) []uint32 { return l.ids[l.off[k]:l.off[k+1]] }

// run returns lists lo..hi-1 as one run of the arena (each sorted, the run
// not).
func (l *lists) run(lo, hi int) []uint32 { return l.ids[l.off[lo]:l.off[hi]] }

// indexOf returns the index of v in list, or noIndex.
func indexOf[T comparable](list []T, v T) uint8 {
	if i := slices.Index(list, v); i >= 0 && i < noIndex {
		return uint8(i)
	}
	return noIndex
}
