package ingest_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/nominatim"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// fakeClock is a clock whose Sleep moves it on at once.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

// fakeGeocoder is a Nominatim-compatible server on 127.0.0.1 that knows a
// few addresses and notes, for each request, the query and the fake
// clock's time.
type fakeGeocoder struct {
	srv   *httptest.Server
	clock *fakeClock
	mu    sync.Mutex
	asked []string
	at    []time.Time
	down  bool
}

// geocoderAnswers are the fake's places by query: lat, lon, rank.
var geocoderAnswers = map[string][3]float64{
	"337 Spring St, West Pittston, PA 18643, USA": {41.3301, -75.7921, 30},
	"Spring St, Duryea, PA 18642, USA":            {41.3437, -75.7385, 26},
	"Wyoming Ave, Kingston, PA 18704, USA":        {41.2612, -75.8869, 26},
	"1 Church Ln, Dallas, PA 18612, USA":          {41.3362, -75.9632, 30},
	"10 Main St, Scranton, PA 18503, USA":         {31.0, -100.0, 30}, // Texas: contradicts the address
	"Plains, PA 18705, USA":                       {41.2732, -75.8507, 19},
}

func newFakeGeocoder(t *testing.T, clock *fakeClock) *fakeGeocoder {
	f := &fakeGeocoder{clock: clock}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		f.mu.Lock()
		f.asked = append(f.asked, q)
		f.at = append(f.at, clock.Now())
		down := f.down
		f.mu.Unlock()
		if down {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		out := []map[string]any{}
		if a, ok := geocoderAnswers[q]; ok {
			out = append(out, map[string]any{"lat": ftoa(a[0]), "lon": ftoa(a[1]), "display_name": q, "place_rank": int(a[2])})
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }

// requests returns the queries asked so far and forgets them.
func (f *fakeGeocoder) requests() ([]string, []time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, at := f.asked, f.at
	f.asked, f.at = nil, nil
	return q, at
}

// TestGeocodeAtImport: meetings with an address and no point that no
// centroid places are geocoded, each address once, through the cache (a
// re-import asks nothing), at most one request a second and the run's
// cap; a door is exact, a street approximate; a place not found or
// contradicting the address is not used; online meetings and meetings
// with points are never sent.
func TestGeocodeAtImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	fake := newFakeGeocoder(t, clock)
	client, err := nominatim.New(fake.srv.URL, "meetingfinder-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.im.Geocoder = client
	e.im.GeocodeCache = postgres.NewGeocodeCache(e.db)
	e.im.GeocodeLimiter = &ingest.IntervalLimiter{Every: ingest.GeocodeInterval, Now: clock.Now, Sleep: clock.Sleep}
	e.im.GeocodeMax = 4

	rec := func(slug, addr string, day any) map[string]any {
		return map[string]any{"slug": slug, "name": "Meeting " + slug, "day": day, "time": "19:00", "formatted_address": addr}
	}
	feed := []map[string]any{
		rec("door", "337 Spring St, West Pittston, PA 18643, USA", []int{1, 3}), // two rows, one request
		rec("door-again", "337 SPRING ST,  West Pittston, PA 18643, USA", 5),    // the same address spelt otherwise
		rec("street", "Spring St, Duryea, PA 18642, USA", 2),
		rec("nowhere", "12 Nowhere Rd, Atlantis, PA 18999, USA", 4),
		rec("texas", "10 Main St, Scranton, PA 18503, USA", 6),
		rec("later-1", "Wyoming Ave, Kingston, PA 18704, USA", 0),
		rec("later-2", "1 Church Ln, Dallas, PA 18612, USA", 0),
	}
	online := rec("online", "Plains, PA 18705, USA", 1) // an online meeting's town: never a door
	online["conference_url"] = "https://zoom.us/j/123456789"
	withPoint := rec("with-point", "5 Hill Rd, Plains, PA 18705, USA", 2)
	withPoint["latitude"], withPoint["longitude"] = 41.2732, -75.8507
	withPoint["address"] = "5 Hill Rd" // not geocoded: it has its point
	feed = append(feed, online, withPoint)
	src := meeting.Source{Name: "geo", Location: e.write("geo.json", feed), Format: meeting.FormatMeetingGuide, TimeZone: "America/New_York"}

	rep := e.im.Run(ctx, src, ingest.Options{})
	if rep.Status != meeting.ImportOK {
		t.Fatalf("first run: %s %s", rep.Status, rep.Error)
	}
	asked, at := fake.requests()
	wantAsked := []string{"337 Spring St, West Pittston, PA 18643, USA", "Spring St, Duryea, PA 18642, USA",
		"12 Nowhere Rd, Atlantis, PA 18999, USA", "10 Main St, Scranton, PA 18503, USA"}
	if strings.Join(asked, "|") != strings.Join(wantAsked, "|") {
		t.Errorf("first run asked %q, want %q (the cap of 4, each address once, in feed order)", asked, wantAsked)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < time.Second {
			t.Errorf("requests %d and %d %v apart, want at least a second", i-1, i, gap)
		}
	}
	// door ×2 rows, door-again, street: geocoded; nowhere, texas: not; later-*: pending.
	if p := rep.Points; p.Geocoded != 4 || p.GeocodePending != 2 {
		t.Errorf("first run points %+v, want 4 geocoded, 2 pending", p)
	}

	got := pointsOf(t, e, "geo")
	check := func(id string, want *orb.Point, approx bool) {
		t.Helper()
		g, ok := got[id]
		switch {
		case want == nil && ok && g.HasPoint:
			t.Errorf("%s has a point %v, want none", id, g.Point)
		case want != nil && (!ok || !g.HasPoint):
			t.Errorf("%s has no point, want %v", id, *want)
		case want != nil && (math.Abs(g.Lng()-want.Lon()) > 1e-9 || math.Abs(g.Lat()-want.Lat()) > 1e-9 || g.Approximate != approx || !g.Geocoded):
			t.Errorf("%s at %v approximate %v geocoded %v; want %v approximate %v geocoded", id, g.Point, g.Approximate, g.Geocoded, *want, approx)
		}
	}
	door, street := orb.Point{-75.7921, 41.3301}, orb.Point{-75.7385, 41.3437}
	check("door-1", &door, false)
	check("door-3", &door, false)
	check("door-again", &door, false)
	check("street", &street, true)
	check("nowhere", nil, false)
	check("texas", nil, false)
	check("later-1", nil, false)
	check("online", nil, false)
	if g := got["with-point"]; g.Geocoded || !g.HasPoint {
		t.Errorf("with-point: %+v, want its own point, not geocoded", g)
	}
	reasons := map[string]string{}
	for _, p := range rep.Problems {
		if p.Field == "location" {
			reasons[p.ExternalID] = p.Reason
		}
	}
	for id, want := range map[string]string{"door-1": "geocoded from its address, a door", "street": "approximate: the geocoder placed only the street",
		"nowhere": "could not place its address", "texas": "where it cannot be"} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("%s: reason %q, want one saying %q", id, reasons[id], want)
		}
	}

	// The second run asks only for the two addresses left; the third
	// asks for nothing and changes nothing.
	rep = e.im.Run(ctx, src, ingest.Options{Force: true})
	asked, _ = fake.requests()
	if rep.Status != meeting.ImportOK || len(asked) != 2 || rep.Points.Geocoded != 6 || rep.Points.GeocodePending != 0 {
		t.Errorf("second run: %s, asked %q, points %+v; want the 2 addresses left, 6 geocoded", rep.Status, asked, rep.Points)
	}
	rep = e.im.Run(ctx, src, ingest.Options{Force: true})
	asked, _ = fake.requests()
	if rep.Status != meeting.ImportOK || len(asked) != 0 || rep.Points.Geocoded != 6 || rep.Updated != 0 || rep.Inserted != 0 {
		t.Errorf("third run: %s, asked %q, points %+v, updated %d; want no request, nothing changed", rep.Status, asked, rep.Points, rep.Updated)
	}

	// A geocoder that fails stops the asking for the run without failing it.
	fake.mu.Lock()
	fake.down = true
	fake.mu.Unlock()
	more := append(feed, rec("new-1", "2 New St, Pittston, PA 18640, USA", 3), rec("new-2", "3 New St, Pittston, PA 18640, USA", 3))
	src.Location = e.write("geo.json", more)
	rep = e.im.Run(ctx, src, ingest.Options{Force: true})
	asked, _ = fake.requests()
	if rep.Status != meeting.ImportOK || len(asked) != 1 || rep.Points.GeocodePending != 2 || rep.Points.Geocoded != 6 {
		t.Errorf("geocoder down: %s %s, asked %d times, points %+v; want ok, asked once, 2 pending", rep.Status, rep.Error, len(asked), rep.Points)
	}
}

// pointsOf returns the stored locations of source's live meetings by
// external id.
func pointsOf(t *testing.T, e *env, source string) map[string]meeting.Location {
	t.Helper()
	rows, err := e.db.Pool.Query(context.Background(), `SELECT external_id, geog IS NOT NULL, coalesce(ST_X(geog::geometry), 0),
		coalesce(ST_Y(geog::geometry), 0), approximate, geocoded FROM meetings WHERE source = $1 AND deleted_at IS NULL`, source)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]meeting.Location{}
	for rows.Next() {
		var id string
		var l meeting.Location
		var lng, lat float64
		if err := rows.Scan(&id, &l.HasPoint, &lng, &lat, &l.Approximate, &l.Geocoded); err != nil {
			t.Fatal(err)
		}
		l.Point = orb.Point{lng, lat}
		out[id] = l
	}
	return out
}

// TestIntervalLimiter: one request a second, the first at once, on a
// fake clock.
func TestIntervalLimiter(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	start := clock.Now()
	l := &ingest.IntervalLimiter{Every: time.Second, Now: clock.Now, Sleep: clock.Sleep}
	var at []time.Duration
	for range 4 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.Now().Sub(start))
	}
	want := []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("requests at %v, want %v", at, want)
		}
	}
	clock.Sleep(context.Background(), 5*time.Second) // idle: the next goes at once
	before := clock.Now()
	if err := l.Wait(context.Background()); err != nil || clock.Now() != before {
		t.Errorf("after an idle spell: waited %v (%v), want no wait", clock.Now().Sub(before), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); err == nil {
		t.Error("a cancelled wait returned nil")
	}
}

// TestMaintainerStored: who maintains a listing is stored per meeting,
// read back by the store as it came, and a re-import changes nothing.
func TestMaintainerStored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	feed := []map[string]any{{"slug": "m", "name": "Noon", "day": 1, "time": "12:00", "timezone": "America/New_York",
		"formatted_address": "1 Main St, Scranton, PA 18503, USA", "latitude": 41.41, "longitude": -75.66,
		"feedback_emails": []string{"fix@example.org"}, "feedback_url": "https://example.org/fix",
		"entity": "Example Intergroup", "entity_email": "office@example.org", "entity_phone": "+1-570-555-0100",
		"entity_location": "Scranton, PA", "entity_logo": "https://example.org/logo.svg", "entity_url": "https://example.org"}}
	src := meeting.Source{Name: "maint", Location: e.write("m.json", feed), Format: meeting.FormatMeetingGuide}
	if rep := e.im.Run(ctx, src, ingest.Options{}); rep.Status != meeting.ImportOK || rep.Inserted != 1 {
		t.Fatalf("import: %s %s, inserted %d", rep.Status, rep.Error, rep.Inserted)
	}
	var id int64
	if err := e.db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE source = 'maint'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m, err := postgres.NewMeetingStore(e.db).Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := meeting.Maintainer{FeedbackEmails: []string{"fix@example.org"}, FeedbackURL: "https://example.org/fix",
		Entity: "Example Intergroup", EntityEmail: "office@example.org", EntityLocation: "Scranton, PA",
		EntityLogo: "https://example.org/logo.svg", EntityPhone: "+1-570-555-0100", EntityURL: "https://example.org"}
	if d := cmp.Diff(want, m.Maintainer); d != "" {
		t.Errorf("stored maintainer (-want +got):\n%s", d)
	}
	if rep := e.im.Run(ctx, src, ingest.Options{Force: true}); rep.Status != meeting.ImportOK || rep.Unchanged != 1 {
		t.Errorf("re-import: %s, unchanged %d, updated %d; want unchanged", rep.Status, rep.Unchanged, rep.Updated)
	}
}

// TestResolveUploadCap: Resolve (an upload, answered while its request
// waits) sends at most UploadGeocodeMax addresses to the geocoder, fewer
// when GeocodeMax says so, and none when it is negative.
func TestResolveUploadCap(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	fake := newFakeGeocoder(t, clock)
	client, err := nominatim.New(fake.srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ms []meeting.Meeting
	for i := range ingest.UploadGeocodeMax + 5 {
		ms = append(ms, meeting.Meeting{ExternalID: string(rune('a' + i)), Name: "M", Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: strings.Repeat("1", i+1) + " Main St", City: "Kingston", Region: "PA", PostalCode: "18704", Country: "US"}})
	}
	for _, tc := range []struct{ max, want int }{{0, ingest.UploadGeocodeMax}, {3, 3}, {-1, 0}} {
		im := &ingest.Importer{Geocoder: client, GeocodeMax: tc.max,
			GeocodeLimiter: &ingest.IntervalLimiter{Every: time.Second, Now: clock.Now, Sleep: clock.Sleep}}
		batch := append([]meeting.Meeting(nil), ms...)
		res, err := im.Resolve(context.Background(), meeting.Source{Name: "org-1", TimeZone: "America/New_York"}, batch)
		if err != nil {
			t.Fatal(err)
		}
		asked, _ := fake.requests()
		if len(asked) != tc.want || res.Points.GeocodePending != len(ms)-tc.want || res.Zones.Source != len(ms) {
			t.Errorf("GeocodeMax %d: asked %d, points %+v, zones %+v; want %d asked", tc.max, len(asked), res.Points, res.Zones, tc.want)
		}
	}
}
