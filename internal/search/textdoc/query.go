package textdoc

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
)

// A query matches a document when every one of its words does, in one of
// these ways:
//
//   - as a prefix of one of the document's words; a word of one or two
//     letters only as a prefix of a word of the name or the group (through
//     Doc.Prefixes);
//   - by naming one of its types (meeting.TypeCodes: "women" finds type
//     W, "español" type S);
//   - for a word of MinTypoLen or more letters that is no word of the
//     index, through its corrections: the words of the index's vocabulary
//     with the same first letter and the fewest edits, at most MaxEdits
//     (Query.Correct), matched as whole words.
//
// Results are ordered by their score, the sum of the tiers they earn
// (higher first), then by distance when the query has a point, then by
// id. The name tiers rank only without a point: with one, as in
// Meilisearch (where the geo sort comes before exactness), meetings that
// hold every word in the name as typed are equal but for their distance.
const (
	// ScoreExactName is earned by a meeting whose name key is the query's
	// Phrase (no point only).
	ScoreExactName = 8
	// ScoreNamePrefix is earned by a meeting whose name key starts with
	// the Phrase (no point only; the exact name earns it too).
	ScoreNamePrefix = 4
	// ScoreInName is earned when every word matches in the name (as a
	// prefix or through a correction; type names do not count).
	ScoreInName = 2
	// ScoreAsTyped is earned when every word matches without corrections.
	ScoreAsTyped = 1
)

// MinTypoLen is the shortest word corrected for typos: shorter words have
// too many one-letter neighbours.
const MinTypoLen = 4

// MaxCorrections bounds the corrections kept per word.
const MaxCorrections = 3

// MaxQueryWord is the longest query word used, in bytes: longer ones are
// cut (still a prefix of what they would match), so that no input, from
// the API's 200 characters or any other caller, costs more than that.
const MaxQueryWord = 100

// MaxTypeWord is the longest word looked up among the type names.
const MaxTypeWord = 40

// Word is one word of a text query and what it may match.
type Word struct {
	// Text is the word, normalised as documents are (Words) and cut to
	// MaxQueryWord bytes.
	Text string
	// Known is true when the word is a word of the index as typed: it is
	// not corrected.
	Known bool
	// Corrections are the vocabulary words it may be a typo of, best
	// first (Correct).
	Corrections []string
	// Types are the type codes the word names (meeting.TypeCodes).
	Types []string
}

// Runes returns the number of letters of the word.
func (w *Word) Runes() int { return utf8.RuneCountInString(w.Text) }

// Query is a text query made ready for an index: its words and, once
// Finish has run, its phrase.
type Query struct {
	Words []Word
	// Phrase is the query's name key: its words as typed (one-letter words
	// included), each replaced by its first correction when it is not
	// known. "The name is the query" is NameKey == Phrase.
	Phrase string
}

// Parse returns the words of q (search.Terms, normalised as documents
// are, at most search.MaxTerms), without corrections. ok is false when q
// has no word. No character of q is special: quotes, operators,
// backslashes, NUL and the like only separate words.
func Parse(q string) (tq Query, ok bool) {
	seen := map[string]bool{}
	for _, t := range search.Terms(q) {
		for _, w := range Words(t) {
			w = cut(w, MaxQueryWord)
			if seen[w] || len(tq.Words) == search.MaxTerms {
				continue
			}
			seen[w] = true
			qw := Word{Text: w}
			if len(w) <= MaxTypeWord {
				qw.Types = meeting.TypeCodes(w)
			}
			tq.Words = append(tq.Words, qw)
		}
	}
	return tq, len(tq.Words) > 0
}

// HasShortWord reports whether a word has one or two letters (matched
// through the prefixes, which most documents hold).
func (tq *Query) HasShortWord() bool {
	for i := range tq.Words {
		if tq.Words[i].Runes() <= 2 {
			return true
		}
	}
	return false
}

// NeedsLookup returns the words to look up in the vocabulary: those long
// enough to be corrected.
func (tq *Query) NeedsLookup() []string {
	var out []string
	for i := range tq.Words {
		if tq.Words[i].Runes() >= MinTypoLen {
			out = append(out, tq.Words[i].Text)
		}
	}
	return out
}

// MaxEdits is how many typos a word of n letters may have: one from four
// letters, two from nine (Meilisearch allows one from five and two from
// nine; people type names on phones).
func MaxEdits(n int) int {
	if n >= 9 {
		return 2
	}
	return 1
}

// Candidate is a vocabulary word offered as a correction of a query word,
// with the number of documents that hold it.
type Candidate struct {
	Word string
	Docs int
}

// SameFirstLetter reports whether v starts with the first letter of w:
// corrections are looked for among such words only (people seldom get
// the first letter wrong, and it keeps the look-up to one range of a
// sorted vocabulary).
func SameFirstLetter(w, v string) bool {
	_, n := utf8.DecodeRuneInString(w)
	return n > 0 && strings.HasPrefix(v, w[:n])
}

// Correct records, for the word w, whether it is known and its
// corrections among near (candidates from the vocabulary, with w's first
// letter): those within MaxEdits and with the fewest edits of any
// ("serinity" is corrected to "serenity", one edit, and not also to
// "trinity", two), not starting with w (a prefix match finds them
// anyway), the commoner first, at most MaxCorrections.
func (tq *Query) Correct(w string, known bool, near []Candidate) {
	for i := range tq.Words {
		qw := &tq.Words[i]
		if qw.Text != w {
			continue
		}
		qw.Known = known
		if known {
			return
		}
		type cand struct {
			word       string
			edits, doc int
		}
		var cs []cand
		limit := MaxEdits(utf8.RuneCountInString(w))
		for _, v := range near {
			if strings.HasPrefix(v.Word, w) || !SameFirstLetter(w, v.Word) {
				continue
			}
			if e := EditDistance(w, v.Word, limit); e <= limit {
				cs = append(cs, cand{v.Word, e, v.Docs})
			}
		}
		slices.SortStableFunc(cs, func(a, b cand) int {
			if a.edits != b.edits {
				return a.edits - b.edits
			}
			return b.doc - a.doc
		})
		for _, c := range cs[:min(len(cs), MaxCorrections)] {
			if c.edits == cs[0].edits && !slices.Contains(qw.Corrections, c.word) {
				qw.Corrections = append(qw.Corrections, c.word)
			}
		}
	}
}

// Finish computes the Phrase once corrections are known; raw is the query
// as typed.
func (tq *Query) Finish(raw string) {
	var words []string
	for _, w := range Words(raw) {
		for i := range tq.Words {
			qw := &tq.Words[i]
			if qw.Text == w && !qw.Known && len(qw.Corrections) > 0 {
				w = qw.Corrections[0]
				break
			}
		}
		words = append(words, w)
	}
	tq.Phrase = NameKey(strings.Join(words, " "))
}

// AsTyped reports whether no word has corrections: every match is then
// a match as typed.
func (tq *Query) AsTyped() bool {
	for i := range tq.Words {
		if len(tq.Words[i].Corrections) > 0 {
			return false
		}
	}
	return true
}

// EditDistance returns the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and adjacent transpositions, in
// letters), or limit+1 as soon as it must exceed limit.
func EditDistance(a, b string, limit int) int {
	var bufA, bufB [64]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	var rows [3][65]int
	var prev2, prev, cur []int
	if len(rb) < 65 {
		prev2, prev, cur = rows[0][:len(rb)+1], rows[1][:len(rb)+1], rows[2][:len(rb)+1]
	} else {
		prev2, prev, cur = make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	}
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

// appendRunes appends the runes of s to buf.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
