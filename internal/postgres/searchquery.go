package postgres

import (
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// This file writes a text query (textdoc.Query: one definition of a query
// for every index) as the tsqueries the embedded index reads, in tsquery
// input syntax with every lexeme quoted, so no input can make a syntax
// error.

// wordMatch returns the tsquery of what w matches: itself as a prefix
// (one and two letters through their prefix tokens), its corrections,
// and, unless inName, the types it names. weight restricts word lexemes
// to a field ("A": the name; "" any).
func wordMatch(b []byte, w *textdoc.Word, weight string, withCorrections, withTypes bool) []byte {
	b = append(b, '(')
	switch n := utf8.RuneCountInString(w.Text); {
	case n == 1:
		b = quoteLexeme(b, "~1"+w.Text)
		b = append(b, ':')
		b = append(b, weight...)
	case n == 2:
		b = quoteLexeme(b, "~2"+w.Text)
		b = append(b, ':')
		b = append(b, weight...)
	default:
		b = quoteLexeme(b, w.Text)
		b = append(b, ":*"...)
		b = append(b, weight...)
	}
	if withCorrections {
		for _, c := range w.Corrections {
			b = append(b, " | "...)
			b = quoteLexeme(b, c)
			if weight != "" {
				b = append(b, ':')
				b = append(b, weight...)
			}
		}
	}
	if withTypes {
		for _, t := range w.Types {
			b = append(b, " | "...)
			b = quoteLexeme(b, "~t"+t)
		}
	}
	return append(b, ')')
}

// tsMatch returns the tsquery every matching meeting satisfies: each word,
// with its corrections and type names, ANDed, and area (a tsquery of
// cells, or "") ANDed to it.
func tsMatch(tq *textdoc.Query, area string) string {
	return tsAnd(tq, "", true, true, area)
}

// tsExact is tsMatch without corrections: the meetings that match as
// typed.
func tsExact(tq *textdoc.Query) string { return tsAnd(tq, "", false, true, "") }

// tsInName is the tsquery of meetings whose name holds every word (as a
// prefix or corrected), and area.
func tsInName(tq *textdoc.Query, area string) string { return tsAnd(tq, "A", true, false, area) }

// tsAnd ANDs the words' matches and area.
func tsAnd(tq *textdoc.Query, weight string, corrections, types bool, area string) string {
	var b []byte
	for i := range tq.Words {
		if i > 0 {
			b = append(b, " & "...)
		}
		b = wordMatch(b, &tq.Words[i], weight, corrections, types)
	}
	if area != "" {
		b = append(b, " & "...)
		b = append(b, area...)
	}
	return string(b)
}

// tsTier returns the tsquery of the meetings of one tier of textdoc's
// score, and area: those whose name holds every word (inName) or not, and
// that match as typed (asTyped) or not. The four tiers are disjoint and
// together are tsMatch.
func tsTier(tq *textdoc.Query, inName, asTyped bool, area string) string {
	in, exact := "("+tsInName(tq, "")+")", "("+tsExact(tq)+")"
	var b string
	switch {
	case tq.AsTyped() && inName && asTyped: // every match is as typed
		b = tsInName(tq, "")
	case tq.AsTyped() && asTyped:
		b = "(" + tsMatch(tq, "") + ") & !" + in
	case inName && asTyped:
		b = in + " & " + exact
	case inName:
		b = in + " & !" + exact
	case asTyped:
		b = exact + " & !" + in
	default:
		b = "(" + tsMatch(tq, "") + ") & !" + in + " & !" + exact
	}
	if area != "" {
		b += " & " + area
	}
	return b
}

// tsName returns the tsquery of meetings named exactly the phrase
// (prefix false) or whose name starts with it (prefix true), and area.
func tsName(tq *textdoc.Query, prefix bool, area string) string {
	b := quoteLexeme(nil, "="+tq.Phrase)
	if prefix {
		b = append(b, ":*"...)
	}
	if area != "" {
		b = append(b, " & "...)
		b = append(b, area...)
	}
	return string(b)
}
