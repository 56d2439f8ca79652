package postgres

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// minTypoLen is the shortest word corrected for typos: shorter words have
// too many one-letter neighbours.
const minTypoLen = 4

// maxCorrections bounds the corrections kept per word.
const maxCorrections = 3

// queryWord is one word of a text query and what it may match.
type queryWord struct {
	word        string   // normalised (searchWords)
	known       bool     // a word of the index as typed: not corrected
	corrections []string // vocabulary words within maxEdits of word, best first
	types       []string // type codes the word names (meeting.TypeCodes)
}

// textQuery is a text query made ready for SQL: its words and the
// tsqueries the search reads (all in tsquery input syntax, every lexeme
// quoted, so no input can make a syntax error).
type textQuery struct {
	words []queryWord
	// phrase is the query's name key (the words as typed, corrected where
	// not known): "the name is the query" is the lexeme "=" + phrase.
	phrase string
}

// parseTextQuery returns the words of q (search.Terms, normalised as the
// documents are), without corrections. ok is false when q has no word.
func parseTextQuery(q string) (tq textQuery, ok bool) {
	seen := map[string]bool{}
	for _, t := range search.Terms(q) {
		for _, w := range searchWords(t) {
			w = truncateWord(w)
			if seen[w] || len(tq.words) == search.MaxTerms {
				continue
			}
			seen[w] = true
			qw := queryWord{word: w}
			if len(w) <= maxTypeWord {
				qw.types = meeting.TypeCodes(w)
			}
			tq.words = append(tq.words, qw)
		}
	}
	return tq, len(tq.words) > 0
}

// hasShortWord reports whether a word has one or two letters (matched
// through the prefix tokens, which most documents hold).
func (tq *textQuery) hasShortWord() bool {
	for _, w := range tq.words {
		if utf8.RuneCountInString(w.word) <= 2 {
			return true
		}
	}
	return false
}

// maxQueryWord is the longest query word used, in bytes: longer ones are
// cut (still a prefix of what they would match), so that no input, from
// the API's 200 characters or any other caller, costs more than that.
const maxQueryWord = 100

// maxTypeWord is the longest word looked up among the type names.
const maxTypeWord = 40

// truncateWord cuts w to maxQueryWord bytes at a character boundary.
func truncateWord(w string) string {
	if len(w) <= maxQueryWord {
		return w
	}
	w = w[:maxQueryWord]
	for !utf8.ValidString(w) {
		w = w[:len(w)-1]
	}
	return w
}

// needsLookup returns the words to look up in the vocabulary: those long
// enough to be corrected.
func (tq *textQuery) needsLookup() []string {
	var out []string
	for _, w := range tq.words {
		if utf8.RuneCountInString(w.word) >= minTypoLen {
			out = append(out, w.word)
		}
	}
	return out
}

// maxEdits is how many typos a word of n letters may have: one from four
// letters, two from nine (Meilisearch allows one from five and two from
// nine; people type names on phones).
func maxEdits(n int) int {
	if n >= 9 {
		return 2
	}
	return 1
}

// vocabEntry is a vocabulary word near a query word.
type vocabEntry struct {
	word string
	ndoc int
}

// correct records, for the word w, whether it is known and its
// corrections among near (candidates from the vocabulary): those within
// maxEdits and with the fewest edits of any ("serinity" is corrected to
// "serenity", one edit, and not also to "trinity", two), not starting
// with w (a prefix match finds them anyway), the commoner first.
func (tq *textQuery) correct(w string, known bool, near []vocabEntry) {
	for i := range tq.words {
		qw := &tq.words[i]
		if qw.word != w {
			continue
		}
		qw.known = known
		if known {
			return
		}
		type cand struct {
			word       string
			edits, doc int
		}
		var cs []cand
		limit := maxEdits(utf8.RuneCountInString(w))
		for _, v := range near {
			if strings.HasPrefix(v.word, w) {
				continue
			}
			if e := editDistance(w, v.word, limit); e <= limit {
				cs = append(cs, cand{v.word, e, v.ndoc})
			}
		}
		// Insertion sort: a handful of entries.
		for a := 1; a < len(cs); a++ {
			for b := a; b > 0 && (cs[b].edits < cs[b-1].edits || cs[b].edits == cs[b-1].edits && cs[b].doc > cs[b-1].doc); b-- {
				cs[b], cs[b-1] = cs[b-1], cs[b]
			}
		}
		for _, c := range cs[:min(len(cs), maxCorrections)] {
			if c.edits == cs[0].edits && !slices.Contains(qw.corrections, c.word) {
				qw.corrections = append(qw.corrections, c.word)
			}
		}
	}
}

// finish computes the phrase once corrections are known.
func (tq *textQuery) finish(raw string) {
	var words []string
	for _, w := range searchWords(raw) {
		for _, qw := range tq.words {
			if qw.word == w && !qw.known && len(qw.corrections) > 0 {
				w = qw.corrections[0]
				break
			}
		}
		words = append(words, w)
	}
	tq.phrase = nameKey(strings.Join(words, " "))
}

// editDistance returns the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and adjacent transpositions), or
// limit+1 as soon as it must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// wordMatch returns the tsquery of what w matches: itself as a prefix
// (one and two letters through their prefix tokens), its corrections,
// and, unless inName, the types it names. weight restricts word lexemes
// to a field ("A": the name; "" any).
func wordMatch(b []byte, w queryWord, weight string, withCorrections, withTypes bool) []byte {
	b = append(b, '(')
	switch n := utf8.RuneCountInString(w.word); {
	case n == 1:
		b = quoteLexeme(b, "~1"+w.word)
		b = append(b, ':')
		b = append(b, weight...)
	case n == 2:
		b = quoteLexeme(b, "~2"+w.word)
		b = append(b, ':')
		b = append(b, weight...)
	default:
		b = quoteLexeme(b, w.word)
		b = append(b, ":*"...)
		b = append(b, weight...)
	}
	if withCorrections {
		for _, c := range w.corrections {
			b = append(b, " | "...)
			b = quoteLexeme(b, c)
			if weight != "" {
				b = append(b, ':')
				b = append(b, weight...)
			}
		}
	}
	if withTypes {
		for _, t := range w.types {
			b = append(b, " | "...)
			b = quoteLexeme(b, "~t"+t)
		}
	}
	return append(b, ')')
}

// tsMatch returns the tsquery every matching meeting satisfies: each word,
// with its corrections and type names, ANDed, and area (a tsquery of
// cells, or "") ANDed to it.
func (tq *textQuery) tsMatch(area string) string {
	return tq.and("", true, true, area)
}

// tsExact is tsMatch without corrections: the meetings that match as
// typed.
func (tq *textQuery) tsExact() string { return tq.and("", false, true, "") }

// tsInName is the tsquery of meetings whose name holds every word (as a
// prefix or corrected), and area.
func (tq *textQuery) tsInName(area string) string { return tq.and("A", true, false, area) }

// and ANDs the words' matches and area.
func (tq *textQuery) and(weight string, corrections, types bool, area string) string {
	var b []byte
	for i, w := range tq.words {
		if i > 0 {
			b = append(b, " & "...)
		}
		b = wordMatch(b, w, weight, corrections, types)
	}
	if area != "" {
		b = append(b, " & "...)
		b = append(b, area...)
	}
	return string(b)
}

// tsName returns the tsquery of meetings named exactly the phrase
// (prefix false) or whose name starts with it (prefix true), and area.
func (tq *textQuery) tsName(prefix bool, area string) string {
	b := quoteLexeme(nil, "="+tq.phrase)
	if prefix {
		b = append(b, ":*"...)
	}
	if area != "" {
		b = append(b, " & "...)
		b = append(b, area...)
	}
	return string(b)
}
