package postgres

import (
	"math"
	"strconv"

	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// This file writes a meeting's document (textdoc.Builder: one definition
// of a document for every index) as the tsvector of the embedded text
// index (meeting_search.doc, migration 0011), in Go, so that no
// unaccent/to_tsvector runs per row in the database (which capped
// indexing at ~10,000 meetings/s).
//
// A document is a tsvector of:
//   - its words (textdoc.Doc.Words), with weight A for the name, B the
//     group, C the place and D the notes (positions only carry the
//     weights, which is all the queries read);
//   - "=" + the name key, so that "the name is the query" and "the name
//     starts with the query" are index lookups (exact lexeme and prefix
//     lexeme);
//   - "~1x" and "~2xy" for the one- and two-letter prefixes
//     (textdoc.Doc.Prefixes) of the name and group words, at their
//     weights: a one- or two-letter query is one posting list;
//   - "~t" + type code for each type: a query word that names a type
//     ("women", "español") matches it inside the same index;
//   - "~g<level>:<row>:<col>" for the meeting's cell in each grid level
//     (geoLevels), so that text and place are intersected in one GIN scan.
//
// User words never start with "~" or "=" (textdoc.Words keeps letters and
// digits only), so these tokens cannot be matched by what people type.

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

// maxPosition is the largest tsvector position.
const maxPosition = 16383

// weights are the tsvector weights of textdoc's fields, in bit order.
var weights = [4]struct {
	f textdoc.Field
	w byte
}{{textdoc.FieldName, 'A'}, {textdoc.FieldGroup, 'B'}, {textdoc.FieldPlace, 'C'}, {textdoc.FieldNotes, 'D'}}

// tsvectorWriter writes documents as tsvector text, reusing its buffer.
type tsvectorWriter struct {
	out []byte
	n   int // last position used
}

// write returns the tsvector text of d, with the geo cells of (lat, lon)
// when hasPoint.
func (t *tsvectorWriter) write(d *textdoc.Doc, lat, lon float64, hasPoint bool) string {
	b := t.out[:0]
	t.n = 0
	sep := func() {
		if len(b) > 0 {
			b = append(b, ' ')
		}
	}
	for _, w := range d.Words {
		sep()
		b = quoteLexeme(b, w.Text)
		b = t.positions(b, w.Fields)
	}
	for _, p := range d.Prefixes {
		sep()
		tok := "~2"
		if len([]rune(p.Text)) == 1 {
			tok = "~1"
		}
		b = quoteLexeme(b, tok+p.Text)
		b = t.positions(b, p.Fields)
	}
	if d.NameKey != "" {
		sep()
		b = quoteLexeme(b, "="+d.NameKey)
	}
	for _, ty := range d.Types {
		sep()
		b = quoteLexeme(b, "~t"+ty)
	}
	if hasPoint {
		for _, l := range geoLevels {
			r, c := cellOf(l, lat, lon)
			sep()
			b = quoteLexeme(b, cellToken(l, r, c))
		}
	}
	t.out = b
	return string(b)
}

// positions appends ":" and one position per field of fs, each with the
// field's weight ("1A,2C").
func (t *tsvectorWriter) positions(b []byte, fs textdoc.Field) []byte {
	b = append(b, ':')
	first := true
	for _, w := range weights {
		if fs&w.f == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		t.n = min(t.n+1, maxPosition)
		b = strconv.AppendInt(b, int64(t.n), 10)
		b = append(b, w.w)
	}
	return b
}
