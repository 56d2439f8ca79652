package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	mgimport "github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// feedNow is the fixed time of the feed tests.
var feedNow = time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)

// feedMeetings are the meetings of the feed tests: in person, online and
// hybrid, by appointment, two programs, three sources, with and without
// regions and points.
func feedMeetings() []meeting.Meeting {
	nyc := func(addr, city, zip string) meeting.Location {
		return meeting.Location{Address: addr, City: city, Region: "NY", PostalCode: zip, Country: "USA",
			FormattedAddress: addr + ", " + city + ", NY " + zip + ", USA"}
	}
	at := func(l meeting.Location, lng, lat float64, regions ...string) meeting.Location {
		l.Point, l.HasPoint, l.Regions = orb.Point{lng, lat}, true, regions
		return l
	}
	downtown := at(nyc("350 5th Ave", "New York", "10118"), -73.9857, 40.7484, "Manhattan")
	downtown.Name, downtown.Notes = "Empire Hall", "Use the side door"
	harbor := at(nyc("1 Battery Pl", "New York", "10004"), -74.011, 40.7033, "Manhattan", "Downtown")
	harbor.Name = "Harbor Church"
	return []meeting.Meeting{
		{Source: "nyc-intergroup", ExternalID: "dt", Name: "Downtown Big Book", Program: meeting.ProgramAA,
			Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NewClock(20, 0), TimeZone: "America/New_York",
			Types: []string{"B", "O", "X"}, Attendance: meeting.AttendanceInPerson, Location: downtown,
			Notes: "Bring a book", Group: "Big Book Group", URL: "https://nyc.example/meetings/dt"},
		{Source: "nyc-intergroup", ExternalID: "sun", Name: "Sunrise Online", Program: meeting.ProgramAA,
			Day: 2, Start: meeting.NewClock(7, 0), End: meeting.NoClock, TimeZone: "America/Chicago",
			Types: []string{"C", "D"}, Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{City: "Chicago", Region: "IL", Country: "USA", FormattedAddress: "Chicago, IL, USA", Approximate: true},
			Online:   meeting.Online{URL: "https://zoom.us/j/123456789", URLNotes: "Passcode 4242"}},
		{Source: "nyc-intergroup", ExternalID: "hb", Name: "Harbor Hybrid", Program: meeting.ProgramAA,
			Day: 6, Start: meeting.NewClock(10, 30), End: meeting.NewClock(11, 30), TimeZone: "America/New_York",
			Types: []string{"O", "S", "SP"}, Attendance: meeting.AttendanceHybrid, Location: harbor,
			Online: meeting.Online{URL: "https://meet.google.com/abc-defg-hij", Phone: "+1 555 010 0100", PhoneNote: "PIN 99#"}},
		{Source: "na-brooklyn", ExternalID: "bk", Name: "Brooklyn Step Study", Program: meeting.ProgramNA,
			Day: 0, Start: meeting.NewClock(18, 0), End: meeting.NewClock(19, 30), TimeZone: "America/New_York",
			Types: []string{"C", "ST"}, Attendance: meeting.AttendanceInPerson,
			Location: at(nyc("10 Grand Army Plaza", "Brooklyn", "11238"), -73.9442, 40.6782)},
		{Source: "nyc-intergroup", ExternalID: "appt", Name: "Sponsorship by Appointment", Program: meeting.ProgramAA,
			ByAppointment: true, Start: meeting.NoClock, End: meeting.NoClock, TimeZone: "America/New_York",
			Types: []string{}, Attendance: meeting.AttendanceInPerson,
			Location: at(nyc("200 W 110th St", "New York", "10026"), -73.955, 40.8007)},
		{Source: "uk", ExternalID: "ldn", Name: "London Thursday", Program: meeting.ProgramAA,
			Day: 4, Start: meeting.NewClock(20, 0), End: meeting.NewClock(21, 0), TimeZone: "Europe/London",
			Types: []string{"O", "EN"}, Attendance: meeting.AttendanceInPerson,
			Location: at(meeting.Location{Address: "1 Trafalgar Sq", City: "London", PostalCode: "WC2N 5DN", Country: "UK",
				FormattedAddress: "1 Trafalgar Sq, London WC2N 5DN, UK"}, -0.1276, 51.5072, "Westminster")},
	}
}

// feedEnv is a Server over an in-memory store holding feedMeetings.
type feedEnv struct {
	srv   *httpapi.Server
	store *memstore.Store
	ids   map[string]int64 // by meeting name
	ms    map[string]meeting.Meeting
}

func newFeedEnv(t *testing.T) *feedEnv {
	t.Helper()
	return newFeedEnvWith(t, feedMeetings())
}

// newFeedEnvWith is newFeedEnv over the meetings ms (published, each its
// own group); ids and ms hold one meeting of each name.
func newFeedEnvWith(t *testing.T, ms []meeting.Meeting) *feedEnv {
	t.Helper()
	store := memstore.New(memstore.WithClock(func() time.Time { return feedNow }))
	ctx := context.Background()
	for i := range ms {
		ms[i].GroupKey, ms[i].Status = ms[i].ExternalID, meeting.StatusPublished
		if err := ms[i].Validate(); err != nil {
			t.Fatalf("fixture %s: %v", ms[i].Name, err)
		}
	}
	if err := store.InsertMeetings(ctx, ms); err != nil {
		t.Fatalf("InsertMeetings: %v", err)
	}
	e := &feedEnv{store: store, ids: map[string]int64{}, ms: map[string]meeting.Meeting{}}
	rs, err := store.All(ctx, meeting.Filter{Now: feedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(ms) {
		t.Fatalf("All returned %d meetings, want %d", len(rs), len(ms))
	}
	for _, r := range rs {
		e.ids[r.Name] = r.ID
		e.ms[r.Name] = r.Meeting
	}
	e.srv = httpapi.New(httpapi.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return feedNow }})
	return e
}

// feedResponse is a recorded answer.
type feedResponse struct {
	status int
	header http.Header
	body   []byte
}

// do sends GET target (with optional header pairs) to the server.
func (e *feedEnv) do(t *testing.T, target string, header ...string) feedResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	body, _ := io.ReadAll(w.Result().Body)
	return feedResponse{status: w.Code, header: w.Result().Header, body: body}
}

// mgFeed fetches and decodes the Meeting Guide feed at target.
func (e *feedEnv) mgFeed(t *testing.T, target string) []map[string]any {
	t.Helper()
	r := e.do(t, target)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, r.status, r.body)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("GET %s: not a JSON array: %v: %s", target, err, r.body)
	}
	return out
}

var (
	hhmm       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	slugSafe   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	updatedFmt = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)
)

// TestMeetingGuideFeedRules checks our feed against the Meeting Guide
// specification's rules, object by object.
func TestMeetingGuideFeedRules(t *testing.T) {
	e := newFeedEnv(t)
	feed := e.mgFeed(t, "/feeds/meeting-guide.json")
	if len(feed) != len(e.ids) {
		t.Fatalf("feed has %d meetings, want %d", len(feed), len(e.ids))
	}
	slugs := map[string]bool{}
	for _, m := range feed {
		name, _ := m["name"].(string)
		slug, _ := m["slug"].(string)
		if !slugSafe.MatchString(slug) || slugs[slug] {
			t.Errorf("%s: slug %q is not a unique URL-safe string of at most 64 characters", name, slug)
		}
		slugs[slug] = true
		orig := e.ms[name]
		if strconv.FormatInt(orig.ID, 10) != slug {
			t.Errorf("%s: slug %q, want the id %d", name, slug, orig.ID)
		}
		if orig.ByAppointment {
			if _, ok := m["day"]; ok {
				t.Errorf("%s: by appointment but has a day", name)
			}
		} else {
			day, ok := m["day"].(float64)
			if !ok || day != float64(int(day)) || day < 0 || day > 6 {
				t.Errorf("%s: day %v is not an integer 0-6", name, m["day"])
			}
			if s, _ := m["time"].(string); !hhmm.MatchString(s) {
				t.Errorf("%s: time %q is not HH:MM", name, s)
			}
		}
		if s, ok := m["end_time"].(string); ok && !hhmm.MatchString(s) {
			t.Errorf("%s: end_time %q is not HH:MM", name, s)
		}
		if tz, _ := m["timezone"].(string); tz == "" {
			t.Errorf("%s: no timezone", name)
		} else if _, err := time.LoadLocation(tz); err != nil {
			t.Errorf("%s: timezone %q: %v", name, tz, err)
		}
		types, ok := m["types"].([]any)
		if !ok {
			t.Errorf("%s: types %v is not an array", name, m["types"])
		}
		for _, ty := range types {
			// A code of the specification, or one of the meeting's
			// program's own vocabulary (NA's BT), which reads back.
			code, _ := ty.(string)
			info, known := meeting.LookupType(code)
			back, own := meeting.ProgramTypeCodes(orig.Program, code)
			if !(known && !info.Legacy && len(info.Programs) == 0) && !(own && meeting.HasTypeVocabulary(orig.Program) && len(back) > 0) {
				t.Errorf("%s: type %v is neither a specification code nor one of %s's", name, ty, orig.Program)
			}
		}
		if a, _ := m["attendance_option"].(string); !meeting.Attendance(a).Valid() {
			t.Errorf("%s: attendance_option %q", name, a)
		}
		if fa, _ := m["formatted_address"].(string); fa == "" {
			t.Errorf("%s: no formatted_address", name)
		}
		_, hasLat := m["latitude"].(float64)
		_, hasLng := m["longitude"].(float64)
		if hasLat != orig.Location.HasPoint || hasLng != orig.Location.HasPoint {
			t.Errorf("%s: latitude/longitude present = %v/%v, want %v", name, hasLat, hasLng, orig.Location.HasPoint)
		}
		if !orig.Location.HasPoint && m["approximate"] != "yes" {
			t.Errorf("%s: no point but approximate = %v, want yes", name, m["approximate"])
		}
		if u, _ := m["updated"].(string); !updatedFmt.MatchString(u) {
			t.Errorf("%s: updated %q is not YYYY-MM-DD HH:MM:SS", name, u)
		} else if got, _ := time.Parse("2006-01-02 15:04:05", u); !got.Equal(orig.UpdatedAt.UTC().Truncate(time.Second)) {
			t.Errorf("%s: updated %s, want %s UTC", name, u, orig.UpdatedAt.UTC())
		}
		if orig.Online.URL != "" && m["conference_url"] != orig.Online.URL {
			t.Errorf("%s: conference_url %v, want %s", name, m["conference_url"], orig.Online.URL)
		}
		if orig.URL != "" && m["url"] != orig.URL {
			t.Errorf("%s: url %v, want %s", name, m["url"], orig.URL)
		}
	}
}

// TestMeetingGuideFeedHTTP checks CORS, the ETag and the filters.
func TestMeetingGuideFeedHTTP(t *testing.T) {
	e := newFeedEnv(t)
	r := e.do(t, "/feeds/meeting-guide.json")
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	busted := e.do(t, "/feeds/meeting-guide.json?1795811182290")
	if busted.status != http.StatusOK || !bytes.Equal(busted.body, r.body) || busted.header.Get("ETag") != etag {
		t.Errorf("a bare cache-busting query string changed the answer: %d %s", busted.status, busted.body)
	}
	if nm := e.do(t, "/feeds/meeting-guide.json", "If-None-Match", etag); nm.status != http.StatusNotModified || len(nm.body) != 0 {
		t.Errorf("If-None-Match with the ETag: status %d, body %q; want 304 and no body", nm.status, nm.body)
	}
	if nm := e.do(t, "/feeds/meeting-guide.json", "If-None-Match", `"other"`); nm.status != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: status %d, want 200", nm.status)
	}
	pre := httptest.NewRequest(http.MethodOptions, "http://127.0.0.1:8080/feeds/meeting-guide.json", nil)
	pre.Header.Set("Origin", "https://example.org")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, pre)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: status %d, ACAO %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}

	names := func(feed []map[string]any) []string {
		var out []string
		for _, m := range feed {
			out = append(out, m["name"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		target string
		want   []string
	}{
		{"/feeds/meeting-guide.json?program=na", []string{"Brooklyn Step Study"}},
		{"/feeds/meeting-guide.json?source=uk", []string{"London Thursday"}},
		{"/feeds/meeting-guide.json?source=uk,na-brooklyn", []string{"Brooklyn Step Study", "London Thursday"}},
		// Lower Manhattan: Empire Hall and the Battery, not Brooklyn, not Harlem.
		{"/feeds/meeting-guide.json?bbox=-74.02,40.70,-73.97,40.76", []string{"Downtown Big Book", "Harbor Hybrid"}},
		// Across the antimeridian, from 100°E east to 73.96°W.
		{"/feeds/meeting-guide.json?bbox=100,40,-73.96,41", []string{"Downtown Big Book", "Harbor Hybrid"}},
	} {
		if d := cmp.Diff(c.want, names(e.mgFeed(t, c.target))); d != "" {
			t.Errorf("GET %s (-want +got):\n%s", c.target, d)
		}
	}
	for _, bad := range []string{"bbox=1,2,3", "bbox=a,b,c,d", "bbox=-74,41,-73,40", "program=nope"} {
		if r := e.do(t, "/feeds/meeting-guide.json?"+bad); r.status != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400", bad, r.status)
		}
	}
}

// TestMeetingGuideRoundTrip imports our own feed with the Meeting Guide
// importer and expects the same meetings back.
func TestMeetingGuideRoundTrip(t *testing.T) {
	e := newFeedEnv(t)
	r := e.do(t, "/feeds/meeting-guide.json")
	got, problems, err := mgimport.Parse(bytes.NewReader(r.body), mgimport.Options{ImportOptions: meeting.ImportOptions{Source: "roundtrip"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("import problem: %+v", p)
	}
	if len(got) != len(e.ms) {
		t.Fatalf("imported %d meetings, want %d", len(got), len(e.ms))
	}
	ignore := cmpopts.IgnoreFields(meeting.Meeting{}, "ID", "Source", "ExternalID", "GroupKey", "Status", "OrgID", "CreatedAt", "UpdatedAt")
	for _, m := range got {
		orig, ok := e.ms[m.Name]
		if !ok {
			t.Errorf("imported an unknown meeting %q", m.Name)
			continue
		}
		if m.ExternalID != strconv.FormatInt(orig.ID, 10) {
			t.Errorf("%s: external id %q, want the slug %d", m.Name, m.ExternalID, orig.ID)
		}
		if d := cmp.Diff(orig, m, ignore, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
			t.Errorf("%s: round trip differs (-stored +imported):\n%s", m.Name, d)
		}
	}
}
