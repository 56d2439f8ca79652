package memindex

import (
	"cmp"
	"encoding/binary"
	"iter"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// A part is built in two steps. Builders read the meetings, one pass
// each over a share of them (several at once on several cores): each
// learns its vocabulary and records every document's columns and terms
// (as varints of its own term ids, a few dozen bytes a document, rather
// than the meetings). assemble then numbers the documents of all the
// builders by meeting id, sorts the vocabularies into one, and fills the
// lists, each allocated once at its exact size.

// builder reads meetings for assemble.
type builder struct {
	tb textdoc.Builder

	words, prefixes, types dict
	keys                   dict     // the name keys
	docKey                 []uint32 // by input document, into keys
	sources                dict
	terms                  []byte   // each input document's terms
	termsAt                []uint32 // where each input document's terms start
	hidden                 []uint64 // bit i: input document i is not public
	doc, pre, typ          []uint32 // scratch: the current document's term ids (bit 0: in the name)

	// The columns, in input order.
	ids   []int64
	xyz   []float64
	cell  []uint32
	day   []int8
	start []int16
	att   []uint8
	prog  []uint8
	src   []uint32
}

// dict is a vocabulary under construction: each term's id, its text and
// when a document last held it.
type dict struct {
	idx   map[string]uint32
	str   []string
	stamp []uint32 // by id: 1 + the last document that held it
	// short, when not nil, holds 1 + the id of the terms of one or two
	// ASCII bytes (most prefixes), so that they take no map look-up.
	short []uint32
}

// see records an occurrence of s in document doc and returns its id,
// and false when doc held it already.
func (d *dict) see(s string, doc int) (uint32, bool) {
	var i uint32
	ok := false
	short := -1 // the index in d.short of a string of one or two ASCII bytes
	if d.short != nil && len(s) <= 2 && s[0] < utf8.RuneSelf && (len(s) == 1 || s[1] < utf8.RuneSelf) {
		short = int(s[0])
		if len(s) == 2 {
			short = 128 + int(s[0])*128 + int(s[1])
		}
		if j := d.short[short]; j > 0 {
			i, ok = j-1, true
		}
	}
	if !ok {
		i, ok = d.idx[s]
	}
	if !ok {
		if d.idx == nil {
			d.idx = map[string]uint32{}
		}
		i = uint32(len(d.str))
		s = strings.Clone(s)
		d.idx[s] = i
		d.str = append(d.str, s)
		d.stamp = append(d.stamp, 0)
	}
	if short >= 0 {
		d.short[short] = i + 1
	}
	if d.stamp[i] == uint32(doc)+1 {
		return i, false
	}
	d.stamp[i] = uint32(doc) + 1
	return i, true
}

// newBuilder returns a builder sized for about n meetings.
func newBuilder(n int) *builder {
	b := &builder{
		ids: make([]int64, 0, n), xyz: make([]float64, 0, 3*n), cell: make([]uint32, 0, n),
		day: make([]int8, 0, n), start: make([]int16, 0, n), att: make([]uint8, 0, n), prog: make([]uint8, 0, n),
		src: make([]uint32, 0, n), docKey: make([]uint32, 0, n), termsAt: make([]uint32, 0, n+1),
		terms: make([]byte, 0, n*48), hidden: make([]uint64, 0, (n+63)/64),
	}
	b.prefixes.short = make([]uint32, 128+128*128)
	return b
}

// add reads one meeting: its columns, its name key and the terms of its
// document; of one that is not public only its id (it hides an earlier
// version).
func (b *builder) add(m *meeting.Meeting) {
	doc := len(b.ids)
	if doc%64 == 0 {
		b.hidden = append(b.hidden, 0)
	}
	b.ids = append(b.ids, m.ID)
	b.termsAt = append(b.termsAt, uint32(len(b.terms)))
	if !search.Public(m) {
		b.hidden[doc/64] |= 1 << (doc % 64)
		b.xyz = append(b.xyz, 0, 0, 0)
		b.cell = append(b.cell, noCell)
		b.day, b.start, b.att, b.prog = append(b.day, 0), append(b.start, 0), append(b.att, 0), append(b.prog, 0)
		b.src, b.docKey = append(b.src, 0), append(b.docKey, 0)
		b.terms = append(b.terms, 0, 0, 0)
		return
	}
	if l := &m.Location; l.HasPoint {
		x, y, z := unitVector(l.Point.Lon(), l.Point.Lat())
		b.xyz = append(b.xyz, x, y, z)
		b.cell = append(b.cell, cellOf(l.Point.Lon(), l.Point.Lat()))
	} else {
		b.xyz = append(b.xyz, 0, 0, 0)
		b.cell = append(b.cell, noCell)
	}
	day, start := int8(m.Day), int16(-1)
	if m.ByAppointment {
		day = 7
	} else if m.Start.Valid() {
		start = int16(m.Start)
	}
	b.day = append(b.day, day)
	b.start = append(b.start, start)
	b.att = append(b.att, indexOf(meeting.Attendances, m.Attendance))
	b.prog = append(b.prog, indexOf(meeting.Programs, m.Program))
	s, _ := b.sources.see(m.Source, -1)
	b.src = append(b.src, s)
	k, _ := b.keys.see(textdoc.NameKey(m.Name), -1)
	b.docKey = append(b.docKey, k)
	b.doc, b.pre, b.typ = b.doc[:0], b.pre[:0], b.typ[:0]
	// textdoc visits the name first, so a term's first occurrence in a
	// document is in the name whenever it occurs there.
	b.tb.Visit(m, func(text string, f textdoc.Field, prefix bool) {
		named := uint32(0)
		if f&textdoc.FieldName != 0 {
			named = 1
		}
		if prefix {
			if i, first := b.prefixes.see(text, doc); first {
				b.pre = append(b.pre, i<<1|named)
			}
		} else if i, first := b.words.see(text, doc); first {
			b.doc = append(b.doc, i<<1|named)
		}
	})
	for _, t := range m.Types {
		if i, first := b.types.see(t, doc); first {
			b.typ = append(b.typ, i<<1)
		}
	}
	for _, l := range [3][]uint32{b.doc, b.pre, b.typ} {
		b.terms = binary.AppendUvarint(b.terms, uint64(len(l)))
		for _, t := range l {
			b.terms = binary.AppendUvarint(b.terms, uint64(t))
		}
	}
}

// eachTerm calls fn with each term of input document i: its kind (0
// words, 1 prefixes, 2 types), builder id and whether it is in the name.
func (b *builder) eachTerm(i uint32, fn func(kind int, id uint32, named bool)) {
	r := b.terms[b.termsAt[i]:]
	for kind := range 3 {
		n, k := binary.Uvarint(r)
		r = r[k:]
		for range n {
			t, k := binary.Uvarint(r)
			r = r[k:]
			fn(kind, uint32(t>>1), t&1 != 0)
		}
	}
}

// buildPart returns the part holding the public meetings of parts, each
// read once by a builder of its own, all at once: meetings in any order;
// of meetings sharing an id, the last (of the last part holding it). n
// is about how many there are (a hint).
func buildPart(n int, parts ...iter.Seq[*meeting.Meeting]) *part {
	bs := make([]*builder, len(parts))
	var wg sync.WaitGroup
	for k, each := range parts {
		bs[k] = newBuilder(n / max(len(parts), 1))
		wg.Go(func() {
			for m := range each {
				bs[k].add(m)
			}
		})
	}
	wg.Wait()
	return assemble(bs)
}

// docRef is a document of assemble: its builder and input number.
type docRef struct {
	b int
	i uint32
}

// assemble returns the part of the builders' documents.
func assemble(bs []*builder) *part {
	order := globalOrder(bs)
	n := len(order)
	p := &part{ids: make([]int64, n), xyz: make([]float64, 3*n), cell: make([]uint32, n), day: make([]int8, n),
		start: make([]int16, n), att: make([]uint8, n), prog: make([]uint8, n), src: make([]uint32, n), key: make([]uint32, n)}
	// How many kept documents hold each term (and in the name) and each
	// key, by builder.
	var counts, namedCounts [3][][]uint32
	usedKeys := make([][]bool, len(bs))
	for k, b := range bs {
		usedKeys[k] = make([]bool, len(b.keys.str))
		for kind, d := range [3]*dict{&b.words, &b.prefixes, &b.types} {
			counts[kind] = append(counts[kind], make([]uint32, len(d.str)))
			namedCounts[kind] = append(namedCounts[kind], make([]uint32, len(d.str)))
		}
	}
	for _, r := range order {
		b := bs[r.b]
		usedKeys[r.b][b.docKey[r.i]] = true
		b.eachTerm(r.i, func(kind int, id uint32, inName bool) {
			counts[kind][r.b][id]++
			if inName {
				namedCounts[kind][r.b][id]++
			}
		})
	}
	var srcMap, keyMap [][]uint32
	p.sources, srcMap = unite(bs, func(b *builder) *dict { return &b.sources }, nil)
	var keys []string
	keys, keyMap = unite(bs, func(b *builder) *dict { return &b.keys }, usedKeys)
	p.keys = newStrtab(keys)
	for d, r := range order {
		b, i := bs[r.b], r.i
		p.ids[d] = b.ids[i]
		copy(p.xyz[3*d:3*d+3], b.xyz[3*i:3*i+3])
		p.cell[d], p.day[d], p.start[d], p.att[d], p.prog[d] = b.cell[i], b.day[i], b.start[i], b.att[i], b.prog[i]
		p.src[d], p.key[d] = srcMap[r.b][b.src[i]], keyMap[r.b][b.docKey[i]]
	}
	p.keyLast = make([]uint32, len(keys))
	for d, k := range p.key {
		p.keyLast[k] = uint32(d)
	}
	// The vocabularies: the terms the kept documents hold, sorted, and
	// their lists, sized from a count, then filled.
	kinds := [3]func(*builder) *dict{
		func(b *builder) *dict { return &b.words },
		func(b *builder) *dict { return &b.prefixes },
		func(b *builder) *dict { return &b.types },
	}
	var maps [3][][]uint32
	var tabs [3][]string
	var all, named [3]lists
	cur := [3][2][]uint32{}
	for kind, of := range kinds {
		used := make([][]bool, len(bs))
		for k := range bs {
			used[k] = make([]bool, len(counts[kind][k]))
			for id, c := range counts[kind][k] {
				used[k][id] = c > 0
			}
		}
		tabs[kind], maps[kind] = unite(bs, of, used)
		for k, l := range [2]*lists{&all[kind], &named[kind]} {
			c := [2][3][][]uint32{counts, namedCounts}[k][kind]
			l.off = make([]uint32, len(tabs[kind])+1)
			for b := range bs {
				for id, n := range c[b] {
					if n > 0 {
						l.off[maps[kind][b][id]+1] += n
					}
				}
			}
			for t := 1; t < len(l.off); t++ {
				l.off[t] += l.off[t-1]
			}
			l.ids = make([]uint32, l.off[len(l.off)-1])
			cur[kind][k] = slices.Clone(l.off)
		}
	}
	for d, r := range order {
		bs[r.b].eachTerm(r.i, func(kind int, id uint32, inName bool) {
			t := maps[kind][r.b][id]
			all[kind].ids[cur[kind][0][t]] = uint32(d)
			cur[kind][0][t]++
			if inName {
				named[kind].ids[cur[kind][1][t]] = uint32(d)
				cur[kind][1][t]++
			}
		})
	}
	p.words, p.all, p.name = newStrtab(tabs[0]), all[0], named[0]
	p.prefixes, p.pre, p.preName = newStrtab(tabs[1]), all[1], named[1]
	p.types, p.typ = newStrtab(tabs[2]), all[2]
	p.byShape = buildShapes(&p.words)
	p.fine = buildFineGrid(p)
	return p
}

// globalOrder returns the documents to keep, in meeting id order: of
// those sharing an id the last (the later builder's, else the later
// input), unless it is hidden (not public).
func globalOrder(bs []*builder) []docRef {
	var refs []docRef
	sorted := true
	var last int64 = math.MinInt64
	for k, b := range bs {
		for i, id := range b.ids {
			refs = append(refs, docRef{k, uint32(i)})
			sorted = sorted && id > last && !has(b.hidden, uint32(i))
			last = id
		}
	}
	if sorted {
		return refs
	}
	id := func(r docRef) int64 { return bs[r.b].ids[r.i] }
	slices.SortStableFunc(refs, func(x, y docRef) int { return cmp.Compare(id(x), id(y)) })
	kept := refs[:0]
	for k, r := range refs {
		if k+1 < len(refs) && id(refs[k+1]) == id(r) || has(bs[r.b].hidden, r.i) {
			continue // a later version follows, or it is not public
		}
		kept = append(kept, r)
	}
	return kept
}

// unite returns the sorted union of the builders' terms of one dict (of
// those used marks, by builder, when it is not nil: the terms a kept
// document holds) and, for each builder, its term ids' ranks in it
// (unused terms get none).
func unite(bs []*builder, of func(*builder) *dict, used [][]bool) ([]string, [][]uint32) {
	seen := map[string]bool{}
	var terms []string
	for k, b := range bs {
		for i, s := range of(b).str {
			if (used == nil || used[k][i]) && !seen[s] {
				seen[s] = true
				terms = append(terms, s)
			}
		}
	}
	slices.Sort(terms)
	rank := make(map[string]uint32, len(terms))
	for r, s := range terms {
		rank[s] = uint32(r)
	}
	maps := make([][]uint32, len(bs))
	for k, b := range bs {
		d := of(b)
		maps[k] = make([]uint32, len(d.str))
		for i, s := range d.str {
			maps[k][i] = rank[s]
		}
	}
	return terms, maps
}
