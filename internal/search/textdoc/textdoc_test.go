package textdoc_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// TestBuild: a document holds every word once with the fields it occurs
// in, accents stripped, the one- and two-letter prefixes of the name and
// group words, the name key and the types without duplicates.
func TestBuild(t *testing.T) {
	m := meeting.Meeting{Name: "Reunión de Esperanza", Group: "Grupo Sérénité", Types: []string{"S", "O", "S"},
		Notes: "Café y esperanza", Location: meeting.Location{Name: "Iglesia", City: "Genève", Regions: []string{"Genève", "Centre"}}}
	var b textdoc.Builder
	d := b.Build(&m)
	want := []textdoc.Term{
		{"reunion", textdoc.FieldName}, {"de", textdoc.FieldName}, {"esperanza", textdoc.FieldName | textdoc.FieldNotes},
		{"grupo", textdoc.FieldGroup}, {"serenite", textdoc.FieldGroup}, {"iglesia", textdoc.FieldPlace},
		{"geneve", textdoc.FieldPlace}, {"centre", textdoc.FieldPlace}, {"cafe", textdoc.FieldNotes}, {"y", textdoc.FieldNotes},
	}
	if diff := cmp.Diff(want, d.Words); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	wantPrefixes := []textdoc.Term{
		{"r", textdoc.FieldName}, {"re", textdoc.FieldName}, {"d", textdoc.FieldName}, {"de", textdoc.FieldName},
		{"e", textdoc.FieldName}, {"es", textdoc.FieldName}, {"g", textdoc.FieldGroup}, {"gr", textdoc.FieldGroup},
		{"s", textdoc.FieldGroup}, {"se", textdoc.FieldGroup},
	}
	if diff := cmp.Diff(wantPrefixes, d.Prefixes); diff != "" {
		t.Errorf("prefixes (-want +got):\n%s", diff)
	}
	if d.NameKey != "reunion de esperanza" {
		t.Errorf("name key %q", d.NameKey)
	}
	if !slices.Equal(d.Types, []string{"S", "O"}) {
		t.Errorf("types %q", d.Types)
	}
	// The builder reuses its memory: a second build starts afresh.
	d = b.Build(&meeting.Meeting{Name: "A"})
	if len(d.Words) != 1 || len(d.Prefixes) != 1 || len(d.Types) != 0 || d.NameKey != "a" {
		t.Errorf("second build: %+v", d)
	}
}

// TestWords: lowercased, accents stripped, split at anything else than
// letters and digits.
func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Serenity Group", []string{"serenity", "group"}},
		{"Peace & Serenity", []string{"peace", "serenity"}},
		{"e\u0301cole Genève", []string{"ecole", "geneve"}},
		{"12-Step 'quoted' a:*b", []string{"12", "step", "quoted", "a", "b"}},
		{"nul\x00byte", []string{"nul", "byte"}},
		{"שלום עולם", []string{"שלום", "עולם"}},
		{"", nil},
	} {
		if got := textdoc.Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if k := textdoc.NameKey(strings.Repeat("é", 200)); len(k) > textdoc.MaxNameKey || !utf8.ValidString(k) {
		t.Errorf("name key of %d bytes, valid %v", len(k), utf8.ValidString(k))
	}
}

// TestCorrect: a word that is not known is corrected to the vocabulary
// words with the fewest edits, commoner first; a known word is not.
func TestCorrect(t *testing.T) {
	tq, ok := textdoc.Parse("serinity grup")
	if !ok {
		t.Fatal("no words")
	}
	if got := tq.NeedsLookup(); !slices.Equal(got, []string{"serinity", "grup"}) {
		t.Fatalf("NeedsLookup = %q", got)
	}
	tq.Correct("serinity", false, []textdoc.Candidate{{"trinity", 50}, {"serenity", 10}, {"serenitys", 99}, {"sobriety", 1}})
	tq.Correct("grup", false, []textdoc.Candidate{{"group", 100}, {"grupo", 5}, {"grupa", 7}, {"grupos", 1}, {"troup", 1}})
	tq.Finish("Serinity, grup!")
	if got := tq.Words[0].Corrections; !slices.Equal(got, []string{"serenity"}) {
		t.Errorf("serinity → %q", got)
	}
	// grupo and grupa start with grup (a prefix match finds them); troup
	// has another first letter.
	if got := tq.Words[1].Corrections; !slices.Equal(got, []string{"group"}) {
		t.Errorf("grup → %q", got)
	}
	if tq.Phrase != "serenity group" || tq.AsTyped() {
		t.Errorf("phrase %q, as typed %v", tq.Phrase, tq.AsTyped())
	}
	tq, _ = textdoc.Parse("serenity")
	tq.Correct("serenity", true, []textdoc.Candidate{{"serenita", 1}})
	tq.Finish("serenity")
	if !tq.Words[0].Known || len(tq.Words[0].Corrections) != 0 || !tq.AsTyped() {
		t.Errorf("a known word: %+v", tq.Words[0])
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"grup", "group", 1}, {"serinity", "serenity", 1}, {"serentiy", "serenity", 1}, {"pittson", "pittston", 1},
		{"abc", "abc", 0}, {"recovry", "recovery", 1}, {"reunion", "reunión", 1}, {"abcd", "wxyz", 3}} {
		if got := textdoc.EditDistance(c.a, c.b, 2); got != min(c.want, 3) {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	long := strings.Repeat("a", 100)
	if got := textdoc.EditDistance(long, long+"b", 2); got != 1 {
		t.Errorf("long words: %d", got)
	}
}

// FuzzParse: whatever q holds, the parser keeps only words of letters
// and digits, at most 10 of them, each at most MaxQueryWord bytes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"serenity", "serinity grup", "a", "big bo", "reunión", "Genève", `'quoted' "double"`,
		"a & b | !c", "word:*", `back\slash\\`, "nul\x00byte", "emoji 🙂 here", "שלום עולם", "مرحبا", "", "   ", "::*", "'''",
		"e\u0301cole", strings.Repeat("x ", 30), "\xff\xfe invalid utf8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tq, ok := textdoc.Parse(q)
		if !ok {
			if len(tq.Words) != 0 {
				t.Fatalf("%q: not ok but %d words", q, len(tq.Words))
			}
			return
		}
		if len(tq.Words) > 10 {
			t.Fatalf("%q: %d words", q, len(tq.Words))
		}
		for _, w := range tq.Words {
			if w.Text == "" || !utf8.ValidString(w.Text) || len(w.Text) > textdoc.MaxQueryWord {
				t.Fatalf("%q: bad word %q", q, w.Text)
			}
			for _, r := range w.Text {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("%q: word %q holds %q", q, w.Text, r)
				}
			}
		}
		tq.Finish(q)
		if len(tq.Phrase) > textdoc.MaxNameKey || !utf8.ValidString(tq.Phrase) {
			t.Fatalf("%q: phrase %q", q, tq.Phrase)
		}
	})
}
