package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/jsonw"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// wantResultJSON is what encoding/json writes for r's API shape.
func wantResultJSON(t testing.TB, r *meeting.Result) string {
	b, err := json.Marshal(newResultJSON(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAppendResultJSON holds the hand-written encoder to encoding/json on
// demo meetings in every shape and on awkward text.
func TestAppendResultJSON(t *testing.T) {
	gen := demo.New(7)
	ny, _ := time.LoadLocation("America/New_York")
	for i := range 3000 {
		r := meeting.Result{Meeting: gen.Next()}
		r.ID = int64(i + 1)
		r.UpdatedAt = time.Date(2026, 3, 4, 5, 6, 7, i*1000, time.UTC)
		switch i % 4 {
		case 0:
			r.DistanceM, r.HasDistance = float64(i)*17.37, true
		case 1:
			r.NextStart, r.InProgress = time.Date(2026, 3, 4, 19, 0, 0, 0, ny), i%8 == 1
		case 2:
			r.ByAppointment, r.Start, r.End = true, meeting.NoClock, meeting.NoClock
			r.Location.HasPoint = false
		}
		switch i % 5 { // who maintains it: all, some, one list, nothing
		case 0:
			r.Maintainer = meeting.Maintainer{FeedbackEmails: []string{"a@example.org", "b@example.org"}, FeedbackURL: "https://example.org/fix?a=1&b=<2>",
				Entity: "Intergroup", EntityEmail: "o@example.org", EntityLocation: "Town", EntityLogo: "https://example.org/l.svg",
				EntityPhone: "+1-570-555-0100", EntityURL: "https://example.org"}
		case 1:
			r.Maintainer = meeting.Maintainer{Entity: "Area 5", EntityPhone: "555"}
		case 2:
			r.Maintainer = meeting.Maintainer{FeedbackEmails: []string{"a@example.org"}}
		}
		if got, want := string(AppendResultJSON(nil, &r)), wantResultJSON(t, &r); got != want {
			t.Fatalf("meeting %d:\n got %s\nwant %s", i, got, want)
		}
	}
	for _, s := range []string{"", "plain", `quote " and \ back`, "<b>&amp;</b>", "tab\tnl\ncr\r\b\f\x00\x1f\x7f", "bad \xff utf8 \xc3",
		"sep \u2028 \u2029", "émoji 🙂 reunión Genève", "עברית ערבית عربي"} {
		r := meeting.Result{Meeting: meeting.Meeting{ID: 1, Name: s, Notes: s, Types: []string{s}, TimeZone: s, Start: meeting.NoClock, End: meeting.NoClock,
			Location: meeting.Location{Address: s, Regions: []string{s, s}}, Online: meeting.Online{URL: s, PhoneNote: s},
			Maintainer: meeting.Maintainer{FeedbackEmails: []string{s}, EntityLocation: s}}}
		if got, want := string(AppendResultJSON(nil, &r)), wantResultJSON(t, &r); got != want {
			t.Errorf("text %q:\n got %s\nwant %s", s, got, want)
		}
	}
}

// FuzzAppendJSONString holds jsonw.AppendString to encoding/json on any text.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\x00\xff\u2028", "🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := jsonw.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// TestAppendStringMaps holds the BMLT writer to encoding/json without HTML
// escaping, on maps with the same keys, other keys and awkward text.
func TestAppendStringMaps(t *testing.T) {
	ms := []map[string]string{
		{"id_bigint": "1", "meeting_name": "A <b> & \"c\"", "weekday_tinyint": "2"},
		{"id_bigint": "2", "meeting_name": "bad \xff \u2028", "weekday_tinyint": "3"},
		{"id_bigint": "3", "location_text": "tab\there"},
		{},
		{"z": "", "a": "émoji 🙂"},
	}
	for _, in := range [][]map[string]string{nil, {}, ms} {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if in == nil {
			in = []map[string]string{}
		}
		if err := enc.Encode(in); err != nil {
			t.Fatal(err)
		}
		if got := string(appendStringMaps(nil, in)); got != strings.TrimRight(want.String(), "\n") {
			t.Errorf("got  %s\nwant %s", got, want.String())
		}
	}
}
