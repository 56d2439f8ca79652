package memindex

import (
	"math"
	"slices"
	"strings"
)

// gone marks, in a renumbering, a document that is not kept.
const gone = math.MaxUint32

// merge returns the part holding the live documents of a and b (dead bit
// sets may be nil), renumbered in the order of their meetings' ids; a
// meeting in both is taken from b. It reads only the parts, never the
// meetings: each list of the result is the merge of a's and b's lists
// for the same term, renumbered (the renumbering keeps each part's order,
// so the merge of two sorted lists is sorted). Terms no live document
// holds any more are dropped. Its cost is linear in the postings of both.
func merge(a *part, aDead []uint64, b *part, bDead []uint64) *part {
	n := a.len() + b.len()
	out := &part{
		ids: make([]int64, 0, n), xyz: make([]float64, 0, 3*n), cell: make([]uint32, 0, n), day: make([]int8, 0, n), start: make([]int16, 0, n),
		att: make([]uint8, 0, n), prog: make([]uint8, 0, n), src: make([]uint32, 0, n), key: make([]uint32, 0, n),
	}
	aMap, bMap := make([]uint32, a.len()), make([]uint32, b.len())
	srcIdx := map[string]uint32{}
	srcOf := func(p *part, d int) uint32 {
		name := p.sources[p.src[d]]
		s, ok := srcIdx[name]
		if !ok {
			s = uint32(len(out.sources))
			out.sources = append(out.sources, name)
			srcIdx[name] = s
		}
		return s
	}
	take := func(p *part, d int) {
		out.ids = append(out.ids, p.ids[d])
		out.xyz = append(out.xyz, p.xyz[3*d:3*d+3]...)
		out.cell = append(out.cell, p.cell[d])
		out.day = append(out.day, p.day[d])
		out.start = append(out.start, p.start[d])
		out.att = append(out.att, p.att[d])
		out.prog = append(out.prog, p.prog[d])
		out.src = append(out.src, srcOf(p, d))
	}
	i, j := 0, 0
	for i < a.len() || j < b.len() {
		for i < a.len() && has(aDead, uint32(i)) {
			aMap[i] = gone
			i++
		}
		for j < b.len() && has(bDead, uint32(j)) {
			bMap[j] = gone
			j++
		}
		switch {
		case i < a.len() && (j >= b.len() || a.ids[i] < b.ids[j]):
			aMap[i] = uint32(len(out.ids))
			take(a, i)
			i++
		case j < b.len():
			if i < a.len() && a.ids[i] == b.ids[j] {
				aMap[i] = gone
				i++
			}
			bMap[j] = uint32(len(out.ids))
			take(b, j)
			j++
		}
	}
	mergeKeys(out, a, aMap, b, bMap)
	var fam []lists
	out.words, fam = mergeTerms(&a.words, []*lists{&a.all, &a.name}, aMap, &b.words, []*lists{&b.all, &b.name}, bMap)
	out.all, out.name = fam[0], fam[1]
	out.prefixes, fam = mergeTerms(&a.prefixes, []*lists{&a.pre, &a.preName}, aMap, &b.prefixes, []*lists{&b.pre, &b.preName}, bMap)
	out.pre, out.preName = fam[0], fam[1]
	out.types, fam = mergeTerms(&a.types, []*lists{&a.typ}, aMap, &b.types, []*lists{&b.typ}, bMap)
	out.typ = fam[0]
	out.byShape = buildShapes(&out.words)
	out.fine = buildFineGrid(out)
	return out
}

// has reports whether bit i of the set is on (a nil set has none).
func has(set []uint64, i uint32) bool {
	return int(i/64) < len(set) && set[i/64]&(1<<(i%64)) != 0
}

// mergeKeys gives out the name keys of its documents: the keys of a and
// b that a kept document holds, sorted, and each document's.
func mergeKeys(out *part, a *part, aMap []uint32, b *part, bMap []uint32) {
	aUsed, bUsed := make([]bool, a.keys.len()), make([]bool, b.keys.len())
	for d, m := range aMap {
		if m != gone {
			aUsed[a.key[d]] = true
		}
	}
	for d, m := range bMap {
		if m != gone {
			bUsed[b.key[d]] = true
		}
	}
	aNew, bNew := make([]uint32, len(aUsed)), make([]uint32, len(bUsed))
	var keys []string
	i, j := 0, 0
	for {
		for i < len(aUsed) && !aUsed[i] {
			i++
		}
		for j < len(bUsed) && !bUsed[j] {
			j++
		}
		if i >= len(aUsed) && j >= len(bUsed) {
			break
		}
		var c int
		switch {
		case i >= len(aUsed):
			c = 1
		case j >= len(bUsed):
			c = -1
		default:
			c = strings.Compare(a.keys.at(i), b.keys.at(j))
		}
		k := uint32(len(keys))
		if c <= 0 {
			keys = append(keys, a.keys.at(i))
			aNew[i] = k
			i++
		}
		if c >= 0 {
			if c > 0 {
				keys = append(keys, b.keys.at(j))
			}
			bNew[j] = k
			j++
		}
	}
	out.keys = newStrtab(keys)
	out.key = out.key[:len(out.ids)]
	for d, m := range aMap {
		if m != gone {
			out.key[m] = aNew[a.key[d]]
		}
	}
	for d, m := range bMap {
		if m != gone {
			out.key[m] = bNew[b.key[d]]
		}
	}
	out.keyLast = make([]uint32, len(keys))
	for d, k := range out.key {
		out.keyLast[k] = uint32(d)
	}
}

// mergeTerms merges two term tables and their families of lists (the
// first of a family decides whether a term is kept: the others are
// subsets of it), renumbering the documents by aMap and bMap.
func mergeTerms(at *strtab, af []*lists, aMap []uint32, bt *strtab, bf []*lists, bMap []uint32) (strtab, []lists) {
	fam := make([]lists, len(af))
	for k := range fam {
		fam[k] = lists{ids: make([]uint32, 0, len(af[k].ids)+len(bf[k].ids)), off: make([]uint32, 0, at.len()+bt.len()+1)}
	}
	var terms []string
	add := func(term string, ai, bi int) {
		first := len(fam[0].ids)
		var x, y []uint32
		if ai >= 0 {
			x = af[0].at(ai)
		}
		if bi >= 0 {
			y = bf[0].at(bi)
		}
		fam[0].ids = mergeMapped(fam[0].ids, x, aMap, y, bMap)
		if len(fam[0].ids) == first {
			return // no live document holds it
		}
		fam[0].off = append(fam[0].off, uint32(first))
		for k := 1; k < len(fam); k++ {
			x, y = nil, nil
			if ai >= 0 {
				x = af[k].at(ai)
			}
			if bi >= 0 {
				y = bf[k].at(bi)
			}
			fam[k].off = append(fam[k].off, uint32(len(fam[k].ids)))
			fam[k].ids = mergeMapped(fam[k].ids, x, aMap, y, bMap)
		}
		terms = append(terms, term)
	}
	i, j := 0, 0
	for i < at.len() || j < bt.len() {
		switch {
		case j >= bt.len():
			add(at.at(i), i, -1)
			i++
		case i >= at.len():
			add(bt.at(j), -1, j)
			j++
		default:
			switch c := strings.Compare(at.at(i), bt.at(j)); {
			case c < 0:
				add(at.at(i), i, -1)
				i++
			case c > 0:
				add(bt.at(j), -1, j)
				j++
			default:
				add(at.at(i), i, j)
				i++
				j++
			}
		}
	}
	for k := range fam {
		fam[k].off = append(fam[k].off, uint32(len(fam[k].ids)))
		if cap(fam[k].ids)-len(fam[k].ids) > len(fam[k].ids)/8+1024 {
			fam[k].ids = slices.Clip(slices.Clone(fam[k].ids))
		}
	}
	return newStrtab(terms), fam
}

// mergeMapped appends to dst the documents of x and y renumbered by xMap
// and yMap, leaving out those not kept, in order.
func mergeMapped(dst, x []uint32, xMap []uint32, y []uint32, yMap []uint32) []uint32 {
	i, j := 0, 0
	for {
		for i < len(x) && xMap[x[i]] == gone {
			i++
		}
		for j < len(y) && yMap[y[j]] == gone {
			j++
		}
		switch {
		case i < len(x) && j < len(y):
			u, v := xMap[x[i]], yMap[y[j]]
			if u < v {
				dst = append(dst, u)
				i++
			} else {
				dst = append(dst, v)
				j++
			}
		case i < len(x):
			dst = append(dst, xMap[x[i]])
			i++
		case j < len(y):
			dst = append(dst, yMap[y[j]])
			j++
		default:
			return dst
		}
	}
}
