package postgres

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// This file turns a meeting into the document of the embedded text index
// (meeting_search.doc, migration 0011), and a query into a tsquery, both
// in Go: one normaliser (searchWords) for both sides, so a query word and
// a document word always agree, and no unaccent/to_tsvector per row in
// the database (which capped indexing at ~10,000 meetings/s).
//
// A document is a tsvector of:
//   - the words of the name (weight A), group (B), place (C) and notes
//     (D), lowercased, accents stripped, with positions;
//   - "=" + the name's words joined by spaces: the name key, so that "the
//     name is the query" and "the name starts with the query" are index
//     lookups (exact lexeme and prefix lexeme);
//   - "~1x" and "~2xy" for the first one and two letters of each word of
//     the name and group: a one- or two-letter query (someone starting to
//     type a name) is one posting list, not the merge of every word
//     starting so;
//   - "~t" + type code for each type: a query word that names a type
//     ("women", "español") matches it inside the same index;
//   - "~g<level>:<row>:<col>" for the meeting's cell in each grid level
//     (geoLevels), so that text and place are intersected in one GIN scan.
//
// User words never start with "~" or "=" (searchWords keeps letters and
// digits only), so these tokens cannot be matched by what people type.

// maxNameKey bounds the name key, in bytes (a tsvector lexeme may hold
// 2047).
const maxNameKey = 240

// searchWords splits s into index words: lowercased, accents stripped
// (meeting.Fold, then any remaining combining marks), split at anything
// that is not a letter or a digit.
func searchWords(s string) []string {
	if s == "" {
		return nil
	}
	s = foldAccents(s)
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// foldAccents lowercases s and strips its accents.
func foldAccents(s string) string {
	ascii, upper := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if ascii {
		if !upper {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	s = meeting.Fold(s)
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// nameKey is the name key of text: its words joined by single spaces,
// cut to maxNameKey bytes at a character boundary.
func nameKey(text string) string {
	k := strings.Join(searchWords(text), " ")
	if len(k) > maxNameKey {
		k = k[:maxNameKey]
		for !utf8.ValidString(k) {
			k = k[:len(k)-1]
		}
	}
	return k
}

// quoteLexeme appends w as a quoted tsvector/tsquery lexeme: in single
// quotes, with quotes and backslashes doubled.
func quoteLexeme(b []byte, w string) []byte {
	b = append(b, '\'')
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == '\'' || c == '\\' {
			b = append(b, c)
		}
		b = append(b, c)
	}
	return append(b, '\'')
}

// geoLevel is one grid of the geo cells: cells of size degrees of
// latitude and longitude.
type geoLevel struct {
	name byte
	size float64
}

// geoLevels are the grids, finest first. The query picks the finest level
// whose cells cover the search box in at most maxCells cells.
var geoLevels = []geoLevel{{'1', 0.05}, {'2', 0.25}, {'3', 1.25}, {'4', 6}}

// maxCells bounds the cells of a query's area.
const maxCells = 16

// cellToken returns the token of the cell at (row, col) of level l.
func cellToken(l geoLevel, row, col int) string {
	return "~g" + string(l.name) + ":" + strconv.Itoa(row) + ":" + strconv.Itoa(col)
}

// cellOf returns the row and column of the cell of level l holding
// (lat, lon).
func cellOf(l geoLevel, lat, lon float64) (row, col int) {
	return int(math.Floor(lat / l.size)), int(math.Floor(lon / l.size))
}

// searchFields are the texts of one meeting that the index reads: place
// is the location name, city, region, postal code, addresses and service
// areas; notes the meeting's and the location's notes (searchFieldsSQL).
type searchFields struct {
	id                        int64
	name, group, place, notes string
	types                     []string
	lat, lon                  float64
	hasPoint                  bool
}

// docBuilder builds documents, reusing its buffers.
type docBuilder struct {
	pos   map[string][]byte // word → its positions ("1A,5C")
	order []string          // words in first-seen order
	extra map[string]bool   // position-less tokens
	n     int               // last position used
	out   []byte
}

// build returns the tsvector text of f and calls word for each distinct
// user word (for the vocabulary).
func (d *docBuilder) build(f *searchFields, word func(string)) string {
	if d.pos == nil {
		d.pos, d.extra = map[string][]byte{}, map[string]bool{}
	}
	clear(d.pos)
	clear(d.extra)
	d.order, d.n = d.order[:0], 0
	d.add(f.name, 'A')
	d.add(f.group, 'B')
	d.add(f.place, 'C')
	d.add(f.notes, 'D')
	if k := nameKey(f.name); k != "" {
		d.extra["="+k] = true
	}
	for _, t := range f.types {
		d.extra["~t"+t] = true
	}
	if f.hasPoint {
		for _, l := range geoLevels {
			r, c := cellOf(l, f.lat, f.lon)
			d.extra[cellToken(l, r, c)] = true
		}
	}
	b := d.out[:0]
	for _, w := range d.order {
		if word != nil && w[0] != '~' {
			word(w)
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = quoteLexeme(b, w)
		b = append(b, ':')
		b = append(b, d.pos[w]...)
	}
	for t := range d.extra {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = quoteLexeme(b, t)
	}
	d.out = b
	return string(b)
}

// add adds the words of text at weight w, with their one- and two-letter
// prefix tokens at the same positions (so "~1a":A is "a word of the name
// starts with a"). Positions stop at 16383, PostgreSQL's limit.
func (d *docBuilder) add(text string, w byte) {
	for _, word := range searchWords(text) {
		if len(word) > 200 { // longer lexemes are noise (and tsvector caps them)
			continue
		}
		if d.n < 16383 {
			d.n++
		}
		d.at(word, w)
		if w > 'B' { // prefix tokens for the name and group only
			continue
		}
		_, n1 := utf8.DecodeRuneInString(word)
		d.at("~1"+word[:n1], w)
		if n1 < len(word) {
			_, n2 := utf8.DecodeRuneInString(word[n1:])
			d.at("~2"+word[:n1+n2], w)
		}
	}
}

// at records lexeme at the current position with weight w, once per
// weight: positions only carry the weights, which is all the queries read.
func (d *docBuilder) at(lexeme string, w byte) {
	p, seen := d.pos[lexeme]
	if !seen {
		d.order = append(d.order, lexeme)
	} else {
		if bytes.IndexByte(p, w) >= 0 {
			return
		}
		p = append(p, ',')
	}
	p = strconv.AppendInt(p, int64(d.n), 10)
	d.pos[lexeme] = append(p, w)
}
