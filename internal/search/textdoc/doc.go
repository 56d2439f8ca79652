// Package textdoc defines, once for every text index of meetingfinder,
// what a document and a query are: how a meeting becomes the words an
// index holds (Builder: its words by field, the one- and two-letter
// prefixes of its name and group words, its name key and its types), how
// a query becomes the words to match (Parse, then Query.Correct with
// candidates from an index's vocabulary for typos), and the relevance
// tiers results are ordered by (the Score constants).
//
// It is pure: no database, no I/O. postgres writes its documents as
// tsvectors and its queries as tsqueries (meeting_search); memindex holds
// them as posting lists in memory. Both normalise text with Words, so a
// query word and a document word always agree.
package textdoc

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MaxNameKey bounds a name key, in bytes (a tsvector lexeme may hold
// 2047).
const MaxNameKey = 240

// MaxWord is the longest document word kept, in bytes: longer ones are
// noise (and tsvector caps lexemes).
const MaxWord = 200

// Field is one part of a document, as a bit: a Term's Fields say where it
// occurs.
type Field uint8

// The fields of a document, in order of weight (tsvector weights A to D).
const (
	// FieldName is the meeting's name.
	FieldName Field = 1 << iota
	// FieldGroup is its group's name.
	FieldGroup
	// FieldPlace is where it is: the location's name, city, region,
	// postal code, address, formatted address and service areas.
	FieldPlace
	// FieldNotes is the meeting's and the location's notes.
	FieldNotes
)

// Term is a word (or a prefix) of a document and the fields it occurs in.
type Term struct {
	Text   string
	Fields Field
}

// Doc is the document of one meeting: what an index matches queries
// against.
type Doc struct {
	// Words are the distinct words of the four fields (Words), in the
	// order first seen (name first), without those longer than MaxWord.
	Words []Term
	// Prefixes are the distinct first letters and first two letters of
	// the words of the name and group: a one- or two-letter query word
	// (someone starting to type a name) matches them, as one posting list
	// rather than the merge of every word starting so. A prefix of one
	// letter never equals one of two.
	Prefixes []Term
	// NameKey is the name's words joined by single spaces (NameKey): "the
	// name is the query" and "the name starts with the query" compare it
	// with the query's Phrase.
	NameKey string
	// Types are the meeting's type codes, as stored, without duplicates: a
	// query word naming a type (meeting.TypeCodes) matches them.
	Types []string
}

// Builder builds documents, reusing its memory. The zero value is ready.
type Builder struct {
	doc    Doc
	words  map[string]int // word → index in doc.Words
	prefix map[string]int // prefix → index in doc.Prefixes
	buf    []byte         // the folded text of the meeting visited
}

// Build returns the document of m. It is valid until the next Build or
// Visit; its strings are m's text, lowercased and without accents.
func (b *Builder) Build(m *meeting.Meeting) *Doc {
	if b.words == nil {
		b.words, b.prefix = map[string]int{}, map[string]int{}
	}
	clear(b.words)
	clear(b.prefix)
	d := &b.doc
	d.Words, d.Prefixes, d.Types = d.Words[:0], d.Prefixes[:0], d.Types[:0]
	b.Visit(m, func(text string, f Field, prefix bool) {
		if prefix {
			b.prefix, d.Prefixes = addTerm(b.prefix, d.Prefixes, text, f)
		} else {
			b.words, d.Words = addTerm(b.words, d.Words, text, f)
		}
	})
	d.NameKey = NameKey(m.Name)
	d.Types = AppendTypes(d.Types, m)
	return d
}

// Visit calls fn with every word of m's document in the order of
// Doc.Words, and every prefix (prefix true) in the order of
// Doc.Prefixes, each as often as it occurs (Build keeps each once, with
// the fields it occurs in). The strings are valid until the next Build
// or Visit. It is Build without its maps, for indexes that number their
// terms anyway.
func (b *Builder) Visit(m *meeting.Meeting, fn func(text string, f Field, prefix bool)) {
	b.buf = b.buf[:0]
	b.visit(m.Name, FieldName, fn)
	b.visit(m.Group, FieldGroup, fn)
	l := &m.Location
	for _, s := range [...]string{l.Name, l.City, l.Region, l.PostalCode, l.Address, l.FormattedAddress} {
		b.visit(s, FieldPlace, fn)
	}
	for _, s := range l.Regions {
		b.visit(s, FieldPlace, fn)
	}
	b.visit(m.Notes, FieldNotes, fn)
	b.visit(l.Notes, FieldNotes, fn)
}

// AppendTypes appends m's type codes, as stored, without duplicates, to
// dst: the Types of its document.
func AppendTypes(dst []string, m *meeting.Meeting) []string {
	start := len(dst)
	for _, t := range m.Types {
		if !slices.Contains(dst[start:], t) {
			dst = append(dst, t)
		}
	}
	return dst
}

// visit folds text into b's buffer and calls fn with its words in field
// f, and for the name and the group their prefixes.
func (b *Builder) visit(text string, f Field, fn func(string, Field, bool)) {
	if text == "" {
		return
	}
	from := len(b.buf)
	b.buf = appendFold(b.buf, text)
	folded := unsafe.String(unsafe.SliceData(b.buf[from:]), len(b.buf)-from)
	if len(folded) == 0 {
		return
	}
	eachWord(folded, func(w string) {
		if len(w) > MaxWord {
			return
		}
		fn(w, f, false)
		if f&(FieldName|FieldGroup) == 0 {
			return
		}
		_, n1 := utf8.DecodeRuneInString(w)
		fn(w[:n1], f, true)
		if n1 < len(w) {
			_, n2 := utf8.DecodeRuneInString(w[n1:])
			fn(w[:n1+n2], f, true)
		}
	})
}

// addTerm records that w occurs in field f.
func addTerm(idx map[string]int, terms []Term, w string, f Field) (map[string]int, []Term) {
	if i, ok := idx[w]; ok {
		terms[i].Fields |= f
		return idx, terms
	}
	idx[w] = len(terms)
	return idx, append(terms, Term{Text: w, Fields: f})
}

// Words splits s into index words: Fold, then split at anything that is
// not a letter or a digit.
func Words(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	eachWord(Fold(s), func(w string) { out = append(out, w) })
	return out
}

// eachWord calls fn with each run of letters and digits of s.
func eachWord(s string, fn func(string)) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var word bool
		if c < utf8.RuneSelf {
			word = 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			word = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			fn(s[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// Fold lowercases s and strips its accents: meeting.Fold, then any
// combining marks left (NFD, marks dropped, NFC).
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return string(appendFold(nil, s))
		}
	}
	return s
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendFold appends Fold(s) to b.
func appendFold(b []byte, s string) []byte {
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		return b
	}
	s = meeting.Fold(s)
	if isASCII(s) { // the accents of Latin letters, folded already
		return append(b, s...)
	}
	d := norm.NFD.String(s)
	var stripped strings.Builder
	stripped.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			stripped.WriteRune(r)
		}
	}
	return norm.NFC.AppendString(b, stripped.String())
}

// NameKey is the name key of text: its words joined by single spaces,
// cut to MaxNameKey bytes at a character boundary.
func NameKey(text string) string {
	k := strings.Join(Words(text), " ")
	return cut(k, MaxNameKey)
}

// cut cuts s to at most n bytes at a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
