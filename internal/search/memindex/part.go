package memindex

import (
	"cmp"
	"encoding/binary"
	"iter"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
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
	words     strtab
	wordRunes []uint8 // letters of each word, at most 255
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

// builder builds a part from meetings in one pass over them: it learns
// the vocabulary, how long each list is and each document's terms (as
// varints of their temporary ids, a few dozen bytes a document, rather
// than the meetings themselves); then it sorts the documents by meeting
// id and fills the lists, allocated once at their exact size.
type builder struct {
	tb textdoc.Builder

	words, prefixes, types dict
	keys                   map[string]uint32
	keyStr                 []string
	docKey                 []uint32 // by input document, into keyStr
	srcIdx                 map[string]uint32
	terms                  []byte   // each input document's terms
	termsAt                []uint32 // where each input document's terms start
	hidden                 []uint64 // bit i: input document i is not public
	anyHidden              bool
	doc                    []uint32 // scratch: the current document's word ids (named bit 0)
	pre                    []uint32 // and prefix ids
	typ                    []uint32 // and type ids

	p *part // the columns, in input order until finish
}

// dict is a vocabulary under construction: each term's temporary id, its
// text and how many documents hold it (in any field, and in the name).
type dict struct {
	idx          map[string]uint32
	str          []string
	count, named []uint32
	stamp        []uint32 // by id: 1 + the last document that held it
	final        []uint32 // temporary id → rank in sorted order (after sort)
}

// see records an occurrence of s in field f of document doc and returns
// its temporary id, and false when doc held it already (textdoc visits a
// document's name first, so a term's first occurrence is in the name
// whenever it occurs there).
func (d *dict) see(s string, f textdoc.Field, doc int) (uint32, bool) {
	i, ok := d.idx[s]
	if !ok {
		if d.idx == nil {
			d.idx = map[string]uint32{}
		}
		i = uint32(len(d.str))
		s = strings.Clone(s)
		d.idx[s] = i
		d.str = append(d.str, s)
		d.count = append(d.count, 0)
		d.named = append(d.named, 0)
		d.stamp = append(d.stamp, 0)
	}
	if d.stamp[i] == uint32(doc)+1 {
		return i, false
	}
	d.stamp[i] = uint32(doc) + 1
	d.count[i]++
	if f&textdoc.FieldName != 0 {
		d.named[i]++
	}
	return i, true
}

// sort ranks the terms and returns their table and their lists (of any
// field, and of the name), sized but not filled.
func (d *dict) sort() (strtab, lists, lists) {
	order := make([]uint32, 0, len(d.str))
	for i, c := range d.count {
		if c > 0 { // else held only by a dropped duplicate
			order = append(order, uint32(i))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(d.str[a], d.str[b]) })
	d.final = make([]uint32, len(d.str))
	sorted := make([]string, len(order))
	for r, i := range order {
		d.final[i] = uint32(r)
		sorted[r] = d.str[i]
	}
	size := func(counts []uint32) lists {
		l := lists{off: make([]uint32, len(order)+1)}
		n := uint32(0)
		for r, i := range order {
			l.off[r] = n
			n += counts[i]
		}
		l.off[len(order)] = n
		l.ids = make([]uint32, n)
		return l
	}
	return newStrtab(sorted), size(d.count), size(d.named)
}

// buildPart returns the part holding the public meetings of each, in
// any order (of meetings sharing an id, the last). n is how many to
// expect (a hint). The meetings are read once and not kept.
func buildPart(each iter.Seq[*meeting.Meeting], n int) *part {
	b := &builder{keys: map[string]uint32{}, srcIdx: map[string]uint32{}}
	b.p = &part{
		ids: make([]int64, 0, n), xyz: make([]float64, 0, 3*n), cell: make([]uint32, 0, n),
		day: make([]int8, 0, n), start: make([]int16, 0, n), att: make([]uint8, 0, n), prog: make([]uint8, 0, n),
		src: make([]uint32, 0, n),
	}
	b.docKey = make([]uint32, 0, n)
	b.termsAt = make([]uint32, 0, n+1)
	b.terms = make([]byte, 0, n*48)
	for m := range each {
		b.add(m)
	}
	return b.finish()
}

// add reads one meeting: its columns, its name key and the terms of its
// document; of one that is not public only its id (it hides an earlier
// version).
func (b *builder) add(m *meeting.Meeting) {
	p := b.p
	doc := len(p.ids)
	if !search.Public(m) {
		if doc%64 == 0 {
			b.hidden = append(b.hidden, 0)
		}
		b.hidden[doc/64] |= 1 << (doc % 64)
		b.anyHidden = true
	} else if doc%64 == 0 {
		b.hidden = append(b.hidden, 0)
	}
	p.ids = append(p.ids, m.ID)
	if l := &m.Location; l.HasPoint {
		x, y, z := unitVector(l.Point.Lon(), l.Point.Lat())
		p.xyz = append(p.xyz, x, y, z)
		p.cell = append(p.cell, cellOf(l.Point.Lon(), l.Point.Lat()))
	} else {
		p.xyz = append(p.xyz, 0, 0, 0)
		p.cell = append(p.cell, noCell)
	}
	day, start := int8(m.Day), int16(-1)
	if m.ByAppointment {
		day = 7
	} else if m.Start.Valid() {
		start = int16(m.Start)
	}
	p.day = append(p.day, day)
	p.start = append(p.start, start)
	p.att = append(p.att, indexOf(meeting.Attendances, m.Attendance))
	p.prog = append(p.prog, indexOf(meeting.Programs, m.Program))
	s, ok := b.srcIdx[m.Source]
	if !ok {
		s = uint32(len(p.sources))
		p.sources = append(p.sources, strings.Clone(m.Source))
		b.srcIdx[p.sources[s]] = s
	}
	p.src = append(p.src, s)
	key := textdoc.NameKey(m.Name)
	k, ok := b.keys[key]
	if !ok {
		k = uint32(len(b.keyStr))
		b.keyStr = append(b.keyStr, key)
		b.keys[key] = k
	}
	b.docKey = append(b.docKey, k)
	b.doc, b.pre, b.typ = b.doc[:0], b.pre[:0], b.typ[:0]
	if b.anyHidden && has(b.hidden, uint32(doc)) {
		b.termsAt = append(b.termsAt, uint32(len(b.terms)))
		b.terms = append(b.terms, 0, 0, 0)
		return
	}
	b.tb.Visit(m, func(text string, f textdoc.Field, prefix bool) {
		named := uint32(0)
		if f&textdoc.FieldName != 0 {
			named = 1
		}
		if prefix {
			if i, first := b.prefixes.see(text, f, doc); first {
				b.pre = append(b.pre, i<<1|named)
			}
		} else if i, first := b.words.see(text, f, doc); first {
			b.doc = append(b.doc, i<<1|named)
		}
	})
	for _, t := range m.Types {
		if i, first := b.types.see(t, 0, doc); first {
			b.typ = append(b.typ, i<<1)
		}
	}
	b.termsAt = append(b.termsAt, uint32(len(b.terms)))
	for _, l := range [3][]uint32{b.doc, b.pre, b.typ} {
		b.terms = binary.AppendUvarint(b.terms, uint64(len(l)))
		for _, t := range l {
			b.terms = binary.AppendUvarint(b.terms, uint64(t))
		}
	}
}

// finish sorts the vocabularies and the documents (by meeting id, the
// last of a shared id kept) and fills the lists.
func (b *builder) finish() *part {
	in := b.p
	order, sorted := docOrder(in.ids, b.hidden)
	p := in
	if !sorted {
		p = &part{sources: in.sources, ids: permute(in.ids, order), cell: permute(in.cell, order), day: permute(in.day, order),
			start: permute(in.start, order), att: permute(in.att, order), prog: permute(in.prog, order), src: permute(in.src, order),
			xyz: make([]float64, 3*len(order))}
		for d, i := range order {
			copy(p.xyz[3*d:3*d+3], in.xyz[3*i:3*i+3])
		}
		// The counts are of every input document, dropped duplicates
		// included: recount from their terms.
		b.recount(order)
	}
	p.words, p.all, p.name = b.words.sort()
	p.prefixes, p.pre, p.preName = b.prefixes.sort()
	p.types, p.typ, _ = b.types.sort()
	p.wordRunes = make([]uint8, p.words.len())
	for i := range p.wordRunes {
		p.wordRunes[i] = uint8(min(utf8.RuneCountInString(p.words.at(i)), math.MaxUint8))
	}
	b.finishKeys(p, order)
	cur := [3][2][]uint32{
		{slices.Clone(p.all.off), slices.Clone(p.name.off)},
		{slices.Clone(p.pre.off), slices.Clone(p.preName.off)},
		{slices.Clone(p.typ.off), nil},
	}
	dst := [3][2]*lists{{&p.all, &p.name}, {&p.pre, &p.preName}, {&p.typ, nil}}
	dicts := [3]*dict{&b.words, &b.prefixes, &b.types}
	for d, i := range order {
		r := b.terms[b.termsAt[i]:]
		for kind := range 3 {
			n, k := binary.Uvarint(r)
			r = r[k:]
			for range n {
				t, k := binary.Uvarint(r)
				r = r[k:]
				f := dicts[kind].final[t>>1]
				l := dst[kind][0]
				l.ids[cur[kind][0][f]] = uint32(d)
				cur[kind][0][f]++
				if t&1 != 0 {
					l = dst[kind][1]
					l.ids[cur[kind][1][f]] = uint32(d)
					cur[kind][1][f]++
				}
			}
		}
	}
	b.terms, b.termsAt = nil, nil
	return p
}

// recount counts each term again over the documents of order only.
func (b *builder) recount(order []uint32) {
	dicts := [3]*dict{&b.words, &b.prefixes, &b.types}
	for _, d := range dicts {
		clear(d.count)
		clear(d.named)
	}
	for _, i := range order {
		r := b.terms[b.termsAt[i]:]
		for kind := range 3 {
			n, k := binary.Uvarint(r)
			r = r[k:]
			for range n {
				t, k := binary.Uvarint(r)
				r = r[k:]
				dicts[kind].count[t>>1]++
				dicts[kind].named[t>>1] += uint32(t & 1)
			}
		}
	}
}

// docOrder returns the input documents to keep in meeting id order (of
// those sharing an id, the last, unless hidden: not public) and whether
// that is the input order.
func docOrder(ids []int64, hidden []uint64) ([]uint32, bool) {
	order := make([]uint32, len(ids))
	sorted := true
	for i := range order {
		order[i] = uint32(i)
		sorted = sorted && (i == 0 || ids[i-1] < ids[i]) && !has(hidden, uint32(i))
	}
	if sorted {
		return order, true
	}
	slices.SortStableFunc(order, func(a, b uint32) int { return cmp.Compare(ids[a], ids[b]) })
	kept := order[:0]
	for k, i := range order {
		if k+1 < len(order) && ids[order[k+1]] == ids[i] || has(hidden, i) {
			continue // a later version follows, or it is not public
		}
		kept = append(kept, i)
	}
	return kept, false
}

// permute returns the elements of v at order.
func permute[T any](v []T, order []uint32) []T {
	out := make([]T, len(order))
	for d, i := range order {
		out[d] = v[i]
	}
	return out
}

// finishKeys sorts the name keys and numbers the documents' (p's, in
// order).
func (b *builder) finishKeys(p *part, order []uint32) {
	used := make([]bool, len(b.keyStr))
	for _, i := range order {
		used[b.docKey[i]] = true
	}
	var keys []uint32
	for k, u := range used {
		if u {
			keys = append(keys, uint32(k))
		}
	}
	slices.SortFunc(keys, func(x, y uint32) int { return strings.Compare(b.keyStr[x], b.keyStr[y]) })
	rank := make([]uint32, len(b.keyStr))
	sorted := make([]string, len(keys))
	for r, k := range keys {
		rank[k] = uint32(r)
		sorted[r] = b.keyStr[k]
	}
	p.keys = newStrtab(sorted)
	p.key = make([]uint32, len(order))
	p.keyLast = make([]uint32, len(keys))
	for d, i := range order {
		k := rank[b.docKey[i]]
		p.key[d] = k
		p.keyLast[k] = uint32(d)
	}
	b.docKey, b.keyStr, b.keys = nil, nil, nil
}

// indexOf returns the index of v in list, or noIndex.
func indexOf[T comparable](list []T, v T) uint8 {
	if i := slices.Index(list, v); i >= 0 && i < noIndex {
		return uint8(i)
	}
	return noIndex
}
