package postgres

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// validTSQuery reports whether s is in the tsquery syntax the builders
// write: quoted lexemes (quotes and backslashes doubled) with optional
// :*ABCD flags, joined by & and |, grouped by parentheses.
func validTSQuery(s string) bool {
	depth, expectOperand := 0, true
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '(' && expectOperand:
			depth++
			i++
		case c == ')' && !expectOperand && depth > 0:
			depth--
			i++
		case (c == '&' || c == '|') && !expectOperand:
			expectOperand = true
			i++
		case c == '\'' && expectOperand:
			i++
			for {
				if i >= len(s) {
					return false
				}
				if s[i] == '\'' || s[i] == '\\' {
					if i+1 < len(s) && s[i+1] == s[i] {
						i += 2
						continue
					}
					if s[i] == '\\' {
						return false
					}
					i++
					break
				}
				i++
			}
			if i < len(s) && s[i] == ':' {
				i++
				for i < len(s) && strings.IndexByte("*ABCD", s[i]) >= 0 {
					i++
				}
			}
			expectOperand = false
		default:
			return false
		}
	}
	return depth == 0 && !expectOperand
}

// FuzzTextQuery: whatever q holds, the query parser keeps only words of
// letters and digits, at most 10 of them, and every tsquery it writes is
// well formed (so PostgreSQL never sees a syntax error from user input).
func FuzzTextQuery(f *testing.F) {
	for _, s := range []string{"serenity", "serinity grup", "a", "big bo", "reunión", "Genève", `'quoted' "double"`,
		"a & b | !c", "word:*", `back\slash\\`, "nul\x00byte", "emoji 🙂 here", "שלום עולם", "مرحبا", "", "   ", "::*", "'''",
		"e\u0301cole", strings.Repeat("x ", 30), "\xff\xfe invalid utf8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tq, ok := parseTextQuery(q)
		if !ok {
			if len(tq.words) != 0 {
				t.Fatalf("%q: not ok but %d words", q, len(tq.words))
			}
			return
		}
		if len(tq.words) > 10 {
			t.Fatalf("%q: %d words", q, len(tq.words))
		}
		for i, w := range tq.words {
			if w.word == "" || !utf8.ValidString(w.word) {
				t.Fatalf("%q: bad word %q", q, w.word)
			}
			for _, r := range w.word {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("%q: word %q holds %q", q, w.word, r)
				}
			}
			// A correction may be any vocabulary word: hostile ones too.
			tq.words[i].corrections = []string{w.word + "'", `\` + w.word}
		}
		tq.finish(q)
		area := cellArea(orb.Point{-74, 40.7}, 25000)
		for _, s := range []string{tq.tsMatch(""), tq.tsMatch(area), tq.tsExact(), tq.tsInName(area), tq.tsName(false, ""), tq.tsName(true, area)} {
			if !validTSQuery(s) {
				t.Fatalf("%q: bad tsquery %s", q, s)
			}
		}
	})
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"grup", "group", 1}, {"serinity", "serenity", 1}, {"serentiy", "serenity", 1}, {"pittson", "pittston", 1},
		{"abc", "abc", 0}, {"recovry", "recovery", 1}, {"reunion", "reunión", 1}, {"abcd", "wxyz", 3}} {
		if got := editDistance(c.a, c.b, 2); got != min(c.want, 3) {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
