package meeting

import (
	"strings"
	"unicode"
)

// typeWords maps each word of the English and Spanish type names of
// Types (folded: lowercase, no accents; words of three or more
// letters) to the codes whose names contain it.
var typeWords = func() map[string][]string {
	m := map[string][]string{}
	for _, t := range Types {
		for _, w := range strings.FieldsFunc(Fold(t.Name+" "+t.NameES), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if len([]rune(w)) < 3 {
				continue
			}
			if cs := m[w]; len(cs) == 0 || cs[len(cs)-1] != t.Code {
				m[w] = append(cs, t.Code)
			}
		}
	}
	return m
}()

// TypeCodes returns the type codes whose English or Spanish name has a
// word that starts with term ("wom" → W, "big" → B, "espanol" → S) or,
// for terms of five or more letters, is one typo away from it ("womens" →
// W). term is a word as search.Terms returns it. Indexes match a term
// against a meeting's types with these codes, so documents need not carry
// the names.
func TypeCodes(term string) []string {
	term = Fold(term)
	n := len([]rune(term))
	if n < 2 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for w, codes := range typeWords {
		if strings.HasPrefix(w, term) || (n >= 5 && withinOneEdit(term, w)) {
			for _, c := range codes {
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Fold lowercases s and strips the accents of Latin letters ("Español" →
// "espanol"), as the database's search_normalize does.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := folds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var folds = func() map[rune]string {
	m := map[rune]string{}
	for _, p := range []struct{ from, to string }{
		{"àáâãäåā", "a"}, {"çćč", "c"}, {"èéêëēę", "e"}, {"ìíîïī", "i"}, {"ñń", "n"},
		{"òóôõöøō", "o"}, {"ùúûüū", "u"}, {"ýÿ", "y"}, {"šś", "s"}, {"žźż", "z"}, {"ł", "l"},
	} {
		for _, r := range p.from {
			m[r] = p.to
		}
	}
	m['ß'], m['æ'], m['œ'] = "ss", "ae", "oe"
	return m
}()

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion or substitution, or b starts with such a variant of a.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(rb) > len(ra)+1 {
		rb = rb[:len(ra)+1] // compare with the start of a longer word
	}
	if d := len(ra) - len(rb); d > 1 || d < -1 {
		return false
	}
	i, j, edits := 0, 0, 0
	for i < len(ra) && j < len(rb) {
		if ra[i] == rb[j] {
			i++
			j++
			continue
		}
		edits++
		if edits > 1 {
			return false
		}
		switch {
		case len(ra) > len(rb):
			i++
		case len(ra) < len(rb):
			j++
		default:
			i++
			j++
		}
	}
	return edits+(len(ra)-i)+(len(rb)-j) <= 1
}
