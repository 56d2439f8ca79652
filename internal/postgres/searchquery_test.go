package postgres

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// validTSQuery reports whether s is in the tsquery syntax the builders
// write: quoted lexemes (quotes and backslashes doubled) with optional
// :*ABCD flags, joined by & and |, negated by !, grouped by parentheses.
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
		case c == '!' && expectOperand:
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

// FuzzTextQuery: whatever q holds, every tsquery written for it is well
// formed (so PostgreSQL never sees a syntax error from user input), even
// with hostile corrections. What words a query has is textdoc's
// (FuzzParse there).
func FuzzTextQuery(f *testing.F) {
	for _, s := range []string{"serenity", "serinity grup", "a", "big bo", "reunión", "Genève", `'quoted' "double"`,
		"a & b | !c", "word:*", `back\slash\\`, "nul\x00byte", "emoji 🙂 here", "שלום עולם", "مرحبا", "", "   ", "::*", "'''",
		"e\u0301cole", strings.Repeat("x ", 30), "\xff\xfe invalid utf8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tq, ok := textdoc.Parse(q)
		if !ok {
			return
		}
		for i, w := range tq.Words {
			// A correction may be any vocabulary word: hostile ones too.
			tq.Words[i].Corrections = []string{w.Text + "'", `\` + w.Text}
		}
		tq.Finish(q)
		area := cellArea(orb.Point{-74, 40.7}, 25000)
		for _, s := range []string{tsMatch(&tq, ""), tsMatch(&tq, area), tsExact(&tq), tsInName(&tq, area), tsName(&tq, false, ""), tsName(&tq, true, area),
			tsTier(&tq, true, true, area), tsTier(&tq, true, false, ""), tsTier(&tq, false, true, area), tsTier(&tq, false, false, area)} {
			if !validTSQuery(s) {
				t.Fatalf("%q: bad tsquery %s", q, s)
			}
		}
	})
}
