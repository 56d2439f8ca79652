package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// now is the fixed time of the handler tests: Wednesday 4 March 2026,
// 03:00 UTC. It is Tuesday 22:00 in New York (EST, -05:00; daylight saving
// starts on Sunday 8 March) and Wednesday 12:00 in Tokyo (+09:00).
var now = time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)

// nyc is the reference point of the point queries: [lon, lat].
var nyc = orb.Point{-74.006, 40.7128}

// tokyo is a point in central Tokyo: [lon, lat].
var tokyo = orb.Point{139.7671, 35.6812}

// baseURL is the server of openapi.yaml; requests are built on it so that
// the spec's router finds their route.
const baseURL = "http://127.0.0.1:8080"

// fixture describes a test meeting by the parts the tests vary.
type fixture struct {
	name   string
	day    meeting.Weekday
	start  string // "HH:MM"; "" means by appointment
	end    string // "HH:MM"; "" means no end time
	tz     string
	at     *orb.Point // nil means no point
	attend meeting.Attendance
	prog   meeting.Program
	types  []string
}

// build returns the valid meeting f describes, with external id n.
func (f fixture) build(t testing.TB, n int) meeting.Meeting {
	t.Helper()
	m := meeting.Meeting{
		Source: "test", ExternalID: fmt.Sprintf("x%d", n), GroupKey: fmt.Sprintf("x%d", n),
		Name: f.name, Program: f.prog, TimeZone: f.tz, Types: f.types, Attendance: f.attend,
		Start: meeting.NoClock, End: meeting.NoClock, Day: f.day,
		Location: meeting.Location{City: "Testville", Address: fmt.Sprintf("%d Main St", n)},
		Status:   meeting.StatusPublished,
	}
	if m.Program == "" {
		m.Program = meeting.ProgramAA
	}
	if m.Attendance == "" {
		m.Attendance = meeting.AttendanceInPerson
	}
	if f.start == "" {
		m.ByAppointment = true
	} else {
		m.Start = clock(t, f.start)
	}
	if f.end != "" {
		m.End = clock(t, f.end)
	}
	if f.at != nil {
		m.Location.Point, m.Location.HasPoint = *f.at, true
	}
	if m.Attendance == meeting.AttendanceOnline || m.Attendance == meeting.AttendanceHybrid {
		m.Online = meeting.Online{URL: "https://zoom.example/j/123", URLNotes: "passcode 4242", Phone: "+1 555 0100"}
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("fixture %q is not valid: %v", f.name, err)
	}
	return m
}

func clock(t testing.TB, s string) meeting.Clock {
	t.Helper()
	c, err := meeting.ParseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// near returns the point km kilometres from nyc on the given bearing.
func near(km, bearing float64) *orb.Point {
	p := geo.PointAtBearingAndDistance(nyc, bearing, km*1000)
	return &p
}

// standardFixtures is a small mixed set: every nullable field of the API's
// meeting is null in at least one of them.
func standardFixtures() []fixture {
	return []fixture{
		{name: "Monday Night NYC", day: 1, start: "19:00", end: "20:00", tz: "America/New_York", at: near(1, 0), types: []string{"O", "D"}},
		{name: "Tuesday Early Hybrid", day: 2, start: "07:00", tz: "America/New_York", at: near(3, 90), attend: meeting.AttendanceHybrid, prog: meeting.ProgramNA, types: []string{"C"}},
		{name: "Online Chicago", day: 3, start: "20:00", end: "21:00", tz: "America/Chicago", attend: meeting.AttendanceOnline, types: []string{"O", "W"}},
		{name: "By Appointment", at: near(5, 180), prog: meeting.ProgramSMART},
		{name: "Tokyo Thursday", day: 4, start: "19:00", end: "20:30", tz: "Asia/Tokyo", at: &tokyo, types: []string{"O"}},
		{name: "Tokyo Lunch", day: 3, start: "11:30", end: "12:30", tz: "Asia/Tokyo", at: &tokyo, types: []string{"JA"}},
		{name: "Saturday No Zone", day: 6, start: "10:00", at: near(10, 270)},
	}
}

// env is a Server over a fresh in-memory store holding some meetings.
type env struct {
	srv   *httpapi.Server
	ids   map[string]int64 // meeting name → id
	logs  *bytes.Buffer
	store *memstore.Store
}

// Both stores the handler tests run on serve the feeds.
var (
	_ httpapi.FeedStore = (*memstore.Store)(nil)
	_ httpapi.FeedStore = (*postgres.MeetingStore)(nil)
)

// ready is the readiness check of a server over memstore, which is
// always ready.
func ready(context.Context) error { return nil }

// buildAll returns the meetings fs describe, with external ids 1, 2, ….
func buildAll(t *testing.T, fs []fixture) []meeting.Meeting {
	t.Helper()
	ms := make([]meeting.Meeting, len(fs))
	for i, f := range fs {
		ms[i] = f.build(t, i+1)
	}
	return ms
}

// newEnv starts a Server over a fresh in-memory store holding fs, with
// the clock fixed at now and the logs in a buffer.
func newEnv(t *testing.T, fs ...fixture) *env {
	t.Helper()
	store := memstore.New(memstore.WithClock(func() time.Time { return now }))
	ms := buildAll(t, fs)
	ids, err := store.Insert(context.Background(), ms)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	e := &env{store: store, ids: map[string]int64{}, logs: &bytes.Buffer{}}
	for i, m := range ms {
		e.ids[m.Name] = ids[i]
	}
	e.srv = httpapi.New(e.config())
	return e
}

// config is the Config of newEnv's server.
func (e *env) config() httpapi.Config {
	return httpapi.Config{
		Store:  e.store,
		Ready:  ready,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return now },
	}
}

// unlimited serves e without the public rate limit, for tests that send
// more than a burst of requests (the clock stands still, so the buckets
// never fill again).
func (e *env) unlimited() *env {
	cfg := e.config()
	cfg.PublicRate = httpapi.NoLimit
	e.srv = httpapi.New(cfg)
	return e
}

// pgEnv is a fresh PostGIS database holding some meetings and its store,
// for the tests of what only PostgreSQL does (text search, places).
type pgEnv struct {
	db    *postgres.DB
	store *postgres.MeetingStore
}

// newPGEnv returns a fresh database holding fs; it skips the test
// without DATABASE_URL.
func newPGEnv(t *testing.T, fs ...fixture) *pgEnv {
	t.Helper()
	db := pgtest.New(t)
	store := postgres.NewMeetingStore(db)
	if err := store.InsertMeetings(context.Background(), buildAll(t, fs)); err != nil {
		t.Fatalf("InsertMeetings: %v", err)
	}
	return &pgEnv{db: db, store: store}
}

// downStore returns a store whose database cannot be reached (nothing
// listens on port 1), so every query fails at once.
func downStore(t *testing.T) (*postgres.DB, *postgres.MeetingStore) {
	t.Helper()
	db, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/meetingfinder?sslmode=disable")
	if err != nil {
		t.Fatalf("postgres.Open on a dead port should be lazy, got %v", err)
	}
	t.Cleanup(db.Close)
	return db, postgres.NewMeetingStore(db)
}

// quietLogger discards everything, for servers whose logs a test ignores.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request returns a GET request for target (a path and query) on baseURL.
func request(t testing.TB, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// serve sends req to h and records the answer.
func serve(h http.Handler, req *http.Request) response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// get sends GET target to h.
func get(t testing.TB, h http.Handler, target string) response {
	t.Helper()
	return serve(h, request(t, http.MethodGet, target))
}

// decode unmarshals the body into v, failing the test on bad JSON.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
}

// list decodes a 200 answer of GET /v1/meetings.
func (r response) list(t testing.TB) httpapi.MeetingListJSON {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	var l httpapi.MeetingListJSON
	r.decode(t, &l)
	return l
}

// errorBody decodes an error answer.
func (r response) errorBody(t testing.TB) httpapi.ErrorBody {
	t.Helper()
	var b httpapi.ErrorBody
	r.decode(t, &b)
	return b
}

// meetingNames returns the names of l's meetings in order.
func meetingNames(l httpapi.MeetingListJSON) []string {
	out := []string{}
	for _, m := range l.Meetings {
		out = append(out, m.Name)
	}
	return out
}
