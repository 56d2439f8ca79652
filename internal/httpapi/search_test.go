package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// searchFixtures are Serenity groups near New York and one far away, plus
// meetings that must not match.
func searchFixtures() []fixture {
	return []fixture{
		{name: "Serenity Group", day: 1, start: "19:00", tz: "America/New_York", at: near(2, 0), types: []string{"O"}},
		{name: "Morning Serenity", day: 2, start: "07:00", tz: "America/New_York", at: near(5, 90), types: []string{"B"}},
		{name: "Serenity Seekers", day: 3, start: "12:00", tz: "America/New_York", at: near(8, 180), types: []string{"W"}},
		{name: "Serenity in Tokyo", day: 4, start: "19:00", tz: "Asia/Tokyo", at: &tokyo},
		{name: "Monday Night NYC", day: 1, start: "19:00", end: "20:00", tz: "America/New_York", at: near(1, 0), types: []string{"O", "D"}},
		{name: "Big Book Study", day: 5, start: "18:00", tz: "America/New_York", at: near(3, 45), types: []string{"B", "S"}},
	}
}

// searchServer is a Server over e's database with place search and a
// search health check that fails when down is true. Text search and
// places are PostgreSQL's own (memstore has neither), so the tests that
// use it need a database.
func searchServer(t *testing.T, e *pgEnv, down bool) *httpapi.Server {
	t.Helper()
	// Text search sees the fixtures once indexed, as serve's refresh would.
	if _, err := e.db.RefreshSearch(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	places := postgres.NewPlaceStore(e.db)
	if err := places.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return httpapi.New(httpapi.Config{
		Store: e.store, Ready: e.db.Ping, Places: places, Logger: quietLogger(),
		Now:    func() time.Time { return now },
		Search: searchCheck(down),
	})
}

// searchCheck is a search health check that fails when down is true.
func searchCheck(down bool) httpapi.Checker {
	return func(context.Context) error {
		if down {
			return errors.New("meilisearch: connection refused")
		}
		return nil
	}
}

func TestTextQueryNearAPoint(t *testing.T) {
	e := newPGEnv(t, searchFixtures()...)
	srv := searchServer(t, e, false)
	spec := newSpecCheck(t)
	res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, "/v1/meetings?q=serinity&lat=40.7128&lng=-74.006&radius_km=25"))
	if reqErr != nil {
		t.Errorf("openapi.yaml refuses q: %v", reqErr)
	}
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	got := meetingNames(res.list(t))
	want := []string{"Serenity Group", "Morning Serenity", "Serenity Seekers"} // nearest first among equals; Tokyo is outside the radius
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("q=serinity near NYC (-want +got):\n%s", d)
	}
	for _, tc := range []struct{ target, first string }{
		{"/v1/meetings?q=Big+Book+Study", "Big Book Study"},
		{"/v1/meetings?q=spanish", "Big Book Study"},
		{"/v1/meetings?q=serenity+tokyo", "Serenity in Tokyo"},
	} {
		res, _ := spec.exchange(t, srv, request(t, http.MethodGet, tc.target))
		l := res.list(t)
		if len(l.Meetings) == 0 || l.Meetings[0].Name != tc.first {
			t.Errorf("%s: got %q, want %q first", tc.target, meetingNames(l), tc.first)
		}
	}
}

func TestTextQueryPagingAndErrors(t *testing.T) {
	e := newPGEnv(t, searchFixtures()...)
	srv := searchServer(t, e, false)
	spec := newSpecCheck(t)
	var all []string
	target := "/v1/meetings?q=serenity&limit=2"
	for range 10 {
		l := get(t, srv, target).list(t)
		all = append(all, meetingNames(l)...)
		if l.NextCursor == nil {
			break
		}
		target = "/v1/meetings?q=serenity&limit=2&cursor=" + url.QueryEscape(*l.NextCursor)
	}
	if len(all) != 4 {
		t.Errorf("paged q=serenity: %q, want the 4 Serenity meetings once each", all)
	}
	first := get(t, srv, "/v1/meetings?q=serenity&limit=1").list(t)
	plain := get(t, srv, "/v1/meetings?limit=1").list(t)
	for _, tc := range []struct {
		name, target string
		specBlind    bool
		field        string
	}{
		{"q too long", "/v1/meetings?q=" + strings.Repeat("a", 201), false, "q"},
		{"q with 11 words", "/v1/meetings?q=" + url.QueryEscape("one two three four five six seven eight nine ten eleven"), true, "q"},
		{"text cursor without q", "/v1/meetings?cursor=" + url.QueryEscape(*first.NextCursor), true, "cursor"},
		{"plain cursor with q", "/v1/meetings?q=serenity&cursor=" + url.QueryEscape(*plain.NextCursor), true, "cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, tc.target))
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", res.status, res.body)
			}
			if !tc.specBlind && reqErr == nil {
				t.Errorf("openapi.yaml accepts a request the server refuses")
			}
			if b := res.errorBody(t); b.Error.Code != string(meeting.KindInvalid) || b.Error.Fields[tc.field] == "" {
				t.Errorf("error code %q, fields %v; want invalid naming %s", b.Error.Code, b.Error.Fields, tc.field)
			}
		})
	}
}

// TestTextQueryAnyCharacter: whatever q holds (tsquery operators, quotes,
// backslashes, NUL, emoji, right-to-left text), the answer is a 200 or a
// 400, never a 500; ten words are accepted; a one-letter query orders
// like any other: by relevance, then by distance with a point.
func TestTextQueryAnyCharacter(t *testing.T) {
	e := newPGEnv(t, searchFixtures()...)
	srv := searchServer(t, e, false)
	for _, q := range []string{`'`, `''`, `"serenity"`, `a & b`, `a | b`, `!serenity`, `seren:*`, `:*`, `\`, `back\slash`,
		"nul\x00byte", "nul\x00byte", "🙂", "serenity 🙂 group", "שלום", "مرحبا بكم", "(", ")", "a:A", "<->", "<2>", "&&&|||!!!",
		"one two three four five six seven eight nine ten", "‮serenity", "é", "ｓｅｒｅｎｉｔｙ"} {
		for _, point := range []string{"", "&lat=40.7128&lng=-74.006"} {
			res := get(t, srv, "/v1/meetings?q="+url.QueryEscape(q)+point)
			if res.status != http.StatusOK && res.status != http.StatusBadRequest {
				t.Errorf("q=%q%s: status %d: %s", q, point, res.status, res.body)
			}
		}
	}
	// "s": every Serenity meeting near New York, nearest first (all hold
	// an S word in the name), Tokyo outside the radius.
	got := meetingNames(get(t, srv, "/v1/meetings?q=s&lat=40.7128&lng=-74.006&radius_km=25").list(t))
	want := []string{"Serenity Group", "Big Book Study", "Morning Serenity", "Serenity Seekers"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("q=s near NYC (-want +got):\n%s", d)
	}
}

func TestPlaces(t *testing.T) {
	e := newPGEnv(t, searchFixtures()...)
	srv := searchServer(t, e, false)
	spec := newSpecCheck(t)
	res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, "/v1/places?q=testvile"))
	if res.status != http.StatusOK || reqErr != nil {
		t.Fatalf("status %d (%v): %s", res.status, reqErr, res.body)
	}
	var body httpapi.PlaceListJSON
	res.decode(t, &body)
	if len(body.Places) == 0 || body.Places[0].Name != "Testville" || body.Places[0].Meetings != 6 {
		t.Errorf("places for testvile: %+v, want Testville with its 6 meetings first", body.Places)
	}
	for _, target := range []string{"/v1/places", "/v1/places?q=", "/v1/places?q=x&limit=0", "/v1/places?q=x&limit=51"} {
		res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, target))
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, res.status)
		}
		if reqErr == nil {
			t.Errorf("%s: openapi.yaml accepts a request the server refuses", target)
		}
	}
	noPlaces := httpapi.New(httpapi.Config{Store: e.store, Logger: quietLogger()})
	if res, _ := spec.exchange(t, noPlaces, request(t, http.MethodGet, "/v1/places?q=x")); res.status != http.StatusServiceUnavailable {
		t.Errorf("without a place finder: status %d, want 503", res.status)
	}
}

func TestReadyzSearchDegraded(t *testing.T) {
	e := newEnv(t)
	spec := newSpecCheck(t)
	// Readiness with a search index needs no database: memstore serves.
	server := func(down bool) *httpapi.Server {
		return httpapi.New(httpapi.Config{Store: e.store, Ready: ready, Logger: quietLogger(), Now: func() time.Time { return now }, Search: searchCheck(down)})
	}
	for _, tc := range []struct {
		down bool
		want string
	}{{false, "ok"}, {true, "degraded"}} {
		res, _ := spec.exchange(t, server(tc.down), request(t, http.MethodGet, "/readyz"))
		var body struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		res.decode(t, &body)
		if res.status != http.StatusOK || body.Status != "ok" || body.Checks["search"] != tc.want {
			t.Errorf("search down=%v: status %d %+v, want 200 ok with search %s", tc.down, res.status, body, tc.want)
		}
	}
}
