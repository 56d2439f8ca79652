package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb/geo"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// TestListMeetingsInvalid checks that each bad query gets a 400 whose
// error.fields names exactly the offending parameters.
func TestListMeetingsInvalid(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	first := get(t, e.srv, "/v1/meetings?lat=40.7128&lng=-74.006&limit=1").list(t)
	if first.NextCursor == nil {
		t.Fatal("no next_cursor from a point query with limit=1")
	}
	pointCursor := url.QueryEscape(*first.NextCursor)
	plain := get(t, e.srv, "/v1/meetings?limit=1").list(t)
	if plain.NextCursor == nil {
		t.Fatal("no next_cursor from a query with limit=1")
	}
	plainCursor := url.QueryEscape(*plain.NextCursor)

	cases := []struct {
		name   string
		query  string
		fields []string
	}{
		{name: "lat 91", query: "lat=91&lng=0", fields: []string{"lat"}},
		{name: "lat -91", query: "lat=-91&lng=0", fields: []string{"lat"}},
		{name: "lng 200", query: "lat=0&lng=200", fields: []string{"lng"}},
		{name: "lat NaN", query: "lat=NaN&lng=0", fields: []string{"lat"}},
		{name: "both out of range", query: "lat=100&lng=-181", fields: []string{"lat", "lng"}},
		{name: "lat without lng", query: "lat=40.7", fields: []string{"lng"}},
		{name: "lng without lat", query: "lng=-74", fields: []string{"lat"}},
		{name: "radius 9999", query: "lat=40.7&lng=-74&radius_km=9999", fields: []string{"radius_km"}},
		{name: "radius 0", query: "lat=40.7&lng=-74&radius_km=0", fields: []string{"radius_km"}},
		{name: "radius negative", query: "lat=40.7&lng=-74&radius_km=-5", fields: []string{"radius_km"}},
		{name: "radius without point", query: "radius_km=10", fields: []string{"radius_km"}},
		{name: "day 8", query: "day=8", fields: []string{"day"}},
		{name: "day -1", query: "day=-1", fields: []string{"day"}},
		{name: "day x", query: "day=x", fields: []string{"day"}},
		{name: "day list with a bad one", query: "day=1,9", fields: []string{"day"}},
		{name: "unknown attendance", query: "attendance=in_person,walk-in", fields: []string{"attendance"}},
		{name: "unknown program", query: "program=aa,xa", fields: []string{"program"}},
		{name: "malformed cursor", query: "cursor=not!a!cursor", fields: []string{"cursor"}},
		{name: "cursor of base64 garbage", query: "cursor=" + url.QueryEscape("eyJpIjowfQ"), fields: []string{"cursor"}},
		{name: "point cursor without point", query: "cursor=" + pointCursor, fields: []string{"cursor"}},
		{name: "plain cursor with point", query: "lat=40.7128&lng=-74.006&cursor=" + plainCursor, fields: []string{"cursor"}},
		{name: "limit 0", query: "limit=0", fields: []string{"limit"}},
		{name: "limit 201", query: "limit=201", fields: []string{"limit"}},
		{name: "limit not a number", query: "limit=ten", fields: []string{"limit"}},
		{name: "start_after 25:00", query: "start_after=25:00", fields: []string{"start_after"}},
		{name: "start_before 7pm", query: "start_before=7pm", fields: []string{"start_before"}},
		{name: "start_after without colon", query: "start_after=1900", fields: []string{"start_after"}},
		{name: "upcoming_hours 0", query: "upcoming_hours=0", fields: []string{"upcoming_hours"}},
		{name: "upcoming_hours 169", query: "upcoming_hours=169", fields: []string{"upcoming_hours"}},
		{name: "several at once", query: "limit=0&day=9&program=xa", fields: []string{"day", "limit", "program"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, e.srv, "/v1/meetings?"+tc.query)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", res.status, res.body)
			}
			body := res.errorBody(t)
			if body.Error.Code != string(meeting.KindInvalid) {
				t.Errorf("code %q, want %q", body.Error.Code, meeting.KindInvalid)
			}
			if body.Error.Message == "" {
				t.Error("empty message")
			}
			got := make([]string, 0, len(body.Error.Fields))
			for k, reason := range body.Error.Fields {
				got = append(got, k)
				if reason == "" {
					t.Errorf("field %s has no reason", k)
				}
			}
			sort.Strings(got)
			if d := cmp.Diff(tc.fields, got); d != "" {
				t.Errorf("error.fields (-want +got):\n%s", d)
			}
		})
	}
}

// TestGetMeeting checks GET /v1/meetings/{id}: a found meeting in full, an
// unknown id, ids that are not ids, and a path that is no route at all.
func TestGetMeeting(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	t.Run("found", func(t *testing.T) {
		id := e.ids["Online Chicago"]
		res := get(t, e.srv, "/v1/meetings/"+strconv.FormatInt(id, 10))
		if res.status != http.StatusOK {
			t.Fatalf("status %d; body %s", res.status, res.body)
		}
		var got httpapi.MeetingJSON
		res.decode(t, &got)
		want := httpapi.MeetingJSON{
			ID: id, Name: "Online Chicago", Program: "aa", Day: ptr(3), StartTime: ptr("20:00"), EndTime: ptr("21:00"),
			TimeZone: ptr("America/Chicago"), Types: []string{"O", "W"}, Attendance: "online",
			Location: httpapi.LocationJSON{City: "Testville", Address: "3 Main St", Regions: []string{}},
			Online:   &httpapi.OnlineJSON{URL: "https://zoom.example/j/123", URLNotes: "passcode 4242", Phone: "+1 555 0100"},
			Source:   "test",
			// Tuesday 21:00 in Chicago: the next one is Wednesday 20:00 CST.
			NextStart: ptr("2026-03-04T20:00:00-06:00"),
		}
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(httpapi.MeetingJSON{}, "UpdatedAt")); d != "" {
			t.Errorf("meeting (-want +got):\n%s", d)
		}
		if got.UpdatedAt.IsZero() {
			t.Error("updated_at is zero")
		}
		if strings.Contains(string(res.body), "distance_m") {
			t.Errorf("a single meeting has distance_m: %s", res.body)
		}
	})
	for _, tc := range []struct {
		name   string
		path   string
		status int
		code   meeting.Kind
		field  string
	}{
		{name: "unknown id", path: "/v1/meetings/987654321", status: 404, code: meeting.KindNotFound},
		{name: "non-numeric id", path: "/v1/meetings/abc", status: 400, code: meeting.KindInvalid, field: "id"},
		{name: "zero id", path: "/v1/meetings/0", status: 400, code: meeting.KindInvalid, field: "id"},
		{name: "negative id", path: "/v1/meetings/-3", status: 400, code: meeting.KindInvalid, field: "id"},
		{name: "id too big", path: "/v1/meetings/99999999999999999999", status: 400, code: meeting.KindInvalid, field: "id"},
		{name: "unknown route", path: "/v1/meeting", status: 404, code: meeting.KindNotFound},
		{name: "unknown version", path: "/v2/meetings?lat=1&lng=2", status: 404, code: meeting.KindNotFound},
		{name: "root", path: "/", status: 404, code: meeting.KindNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, e.srv, tc.path)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", res.status, tc.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			body := res.errorBody(t)
			if body.Error.Code != string(tc.code) || body.Error.Message == "" {
				t.Errorf("error %+v, want code %q and a message", body.Error, tc.code)
			}
			if tc.field != "" && body.Error.Fields[tc.field] == "" {
				t.Errorf("error.fields %v does not name %q", body.Error.Fields, tc.field)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		res := serve(e.srv, request(t, http.MethodPost, "/v1/meetings"))
		if res.status != http.StatusMethodNotAllowed {
			t.Fatalf("status %d, want 405", res.status)
		}
		if code := res.errorBody(t).Error.Code; code != "method_not_allowed" {
			t.Errorf("code %q, want method_not_allowed", code)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestOnlineMeetingsHaveNoWalkingDistance: an online meeting whose point
// is 4 m from the query point comes back nearest, as its point says, but
// without distance_m; the in-person meeting 1 km away keeps its distance.
// Both encoders (the struct one and the appending one) agree.
func TestOnlineMeetingsHaveNoWalkingDistance(t *testing.T) {
	near := geo.PointAtBearingAndDistance(nyc, 90, 4)
	door := geo.PointAtBearingAndDistance(nyc, 0, 1000)
	e := newEnv(t,
		fixture{name: "Online Here", day: 1, start: "19:00", tz: "America/New_York", at: &near, attend: meeting.AttendanceOnline},
		fixture{name: "Door", day: 1, start: "19:00", tz: "America/New_York", at: &door},
	)
	res := get(t, e.srv, "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=5")
	l := res.list(t)
	if d := cmp.Diff([]string{"Online Here", "Door"}, meetingNames(l)); d != "" {
		t.Fatalf("order (-want +got):\n%s", d)
	}
	if l.Meetings[0].DistanceM != nil {
		t.Errorf("the online meeting has distance_m %v", *l.Meetings[0].DistanceM)
	}
	if d := l.Meetings[1].DistanceM; d == nil || math.Abs(*d-1000) > 10 {
		t.Errorf("the in-person meeting: distance_m %v, want about 1000", d)
	}
	online := meeting.Result{Meeting: fixture{name: "Online Here", day: 1, start: "19:00", tz: "America/New_York", at: &near,
		attend: meeting.AttendanceOnline}.build(t, 1), DistanceM: 4, HasDistance: true}
	if b := httpapi.AppendResultJSON(nil, &online); strings.Contains(string(b), "distance_m") {
		t.Errorf("the appending encoder gives the online meeting a distance: %s", b)
	}
}

// TestListMeetingsOrder checks the two orders: by distance from a point,
// and by day, local start time and id without one.
func TestListMeetingsOrder(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	t.Run("by distance", func(t *testing.T) {
		l := get(t, e.srv, "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=50").list(t)
		want := []string{"Monday Night NYC", "Tuesday Early Hybrid", "By Appointment", "Saturday No Zone"}
		if d := cmp.Diff(want, meetingNames(l)); d != "" {
			t.Fatalf("order (-want +got):\n%s", d)
		}
		for i, km := range []float64{1, 3, 5, 10} {
			m := l.Meetings[i]
			if m.DistanceM == nil {
				t.Errorf("%s: no distance_m", m.Name)
				continue
			}
			if d := *m.DistanceM; math.Abs(d-km*1000) > km*1000*0.006+1 || d != math.Round(d) {
				t.Errorf("%s: distance_m %v, want about %v in whole metres", m.Name, d, km*1000)
			}
		}
		if l.NextCursor != nil {
			t.Errorf("next_cursor %q on the only page", *l.NextCursor)
		}
	})
	t.Run("radius", func(t *testing.T) {
		l := get(t, e.srv, "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=4").list(t)
		if d := cmp.Diff([]string{"Monday Night NYC", "Tuesday Early Hybrid"}, meetingNames(l)); d != "" {
			t.Errorf("within 4 km (-want +got):\n%s", d)
		}
	})
	t.Run("without a point", func(t *testing.T) {
		l := get(t, e.srv, "/v1/meetings").list(t)
		want := []string{
			"Monday Night NYC",     // 1 19:00
			"Tuesday Early Hybrid", // 2 07:00
			"Tokyo Lunch",          // 3 11:30
			"Online Chicago",       // 3 20:00
			"Tokyo Thursday",       // 4 19:00
			"Saturday No Zone",     // 6 10:00
			"By Appointment",       // no day: last
		}
		if d := cmp.Diff(want, meetingNames(l)); d != "" {
			t.Errorf("order (-want +got):\n%s", d)
		}
		for _, m := range l.Meetings {
			if m.DistanceM != nil {
				t.Errorf("%s has distance_m %v without a point", m.Name, *m.DistanceM)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"day=3", []string{"Tokyo Lunch", "Online Chicago"}},
			{"day=1,4", []string{"Monday Night NYC", "Tokyo Thursday"}},
			// Tuesday 22:00 in New York and Chicago, Wednesday in Tokyo.
			{"day=today", []string{"Tuesday Early Hybrid", "Tokyo Lunch"}},
			{"start_after=11:30&start_before=19:00", []string{"Tokyo Lunch"}},
			{"start_after=19:00", []string{"Monday Night NYC", "Online Chicago", "Tokyo Thursday"}},
			{"types=O,W", []string{"Online Chicago"}},
			{"types=open", []string{"Monday Night NYC", "Online Chicago", "Tokyo Thursday"}},
			{"attendance=online,hybrid", []string{"Tuesday Early Hybrid", "Online Chicago"}},
			{"program=na,smart", []string{"Tuesday Early Hybrid", "By Appointment"}},
			{"source=nobody", []string{}},
			// In progress (Tokyo Lunch) or starting within 24 hours.
			{"upcoming_hours=24", []string{"Tokyo Lunch", "Online Chicago"}},
		} {
			l := get(t, e.srv, "/v1/meetings?"+tc.query).list(t)
			if d := cmp.Diff(tc.want, meetingNames(l)); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, d)
			}
		}
	})
}

// TestListMeetingsPagination walks next_cursor to the end with several page
// sizes, in both orders, over meetings with many ties (same point, same day
// and time, several by appointment), and checks that the pages add up to the
// single big page: same meetings, same order, none twice.
func TestListMeetingsPagination(t *testing.T) {
	var fs []fixture
	for i := range 30 {
		f := fixture{name: fmt.Sprintf("m%02d", i), day: meeting.Weekday(i % 3), start: []string{"07:00", "12:00", "19:30"}[i%3/2+i%2],
			tz: "America/New_York", at: near(float64(i%5+1), 45)}
		switch {
		case i%10 == 7:
			f.start = "" // by appointment
		case i%10 == 3:
			f.at, f.attend = nil, meeting.AttendanceOnline
		}
		fs = append(fs, f)
	}
	e := newEnv(t, fs...).unlimited()
	for _, base := range []string{"/v1/meetings?", "/v1/meetings?lat=40.7128&lng=-74.006&"} {
		all := get(t, e.srv, base+"limit=200").list(t)
		if all.NextCursor != nil || len(all.Meetings) < 20 {
			t.Fatalf("%s: the single page has %d meetings and next_cursor %v", base, len(all.Meetings), all.NextCursor)
		}
		for _, limit := range []int{1, 3, 4, 7, len(all.Meetings)} {
			t.Run(fmt.Sprintf("%slimit=%d", base, limit), func(t *testing.T) {
				var got []string
				seen := map[int64]bool{}
				cursor, pages := "", 0
				for {
					target := base + "limit=" + strconv.Itoa(limit)
					if cursor != "" {
						target += "&cursor=" + url.QueryEscape(cursor)
					}
					l := get(t, e.srv, target).list(t)
					pages++
					if len(l.Meetings) == 0 || len(l.Meetings) > limit {
						t.Fatalf("page %d has %d meetings (limit %d)", pages, len(l.Meetings), limit)
					}
					for _, m := range l.Meetings {
						if seen[m.ID] {
							t.Errorf("meeting %s on two pages", m.Name)
						}
						seen[m.ID] = true
						got = append(got, m.Name)
					}
					if l.NextCursor == nil {
						break
					}
					if len(l.Meetings) != limit {
						t.Errorf("page %d is short (%d of %d) but has a next_cursor", pages, len(l.Meetings), limit)
					}
					if pages > len(all.Meetings) {
						t.Fatal("paging does not end")
					}
					cursor = *l.NextCursor
				}
				if want := (len(all.Meetings) + limit - 1) / limit; pages != want {
					t.Errorf("%d pages, want %d (no empty last page)", pages, want)
				}
				if d := cmp.Diff(meetingNames(all), got); d != "" {
					t.Errorf("pages joined differ from the single page (-want +got):\n%s", d)
				}
			})
		}
	}
}

// TestNextStart checks next_start and in_progress with the clock fixed:
// each next_start is in the meeting's own zone, with the offset in force on
// the day of the occurrence.
func TestNextStart(t *testing.T) {
	e := newEnv(t, append(standardFixtures(),
		fixture{name: "Late Night NYC", day: 2, start: "21:30", end: "00:30", tz: "America/New_York", at: near(2, 0)},
		fixture{name: "Sunday 02:30 NYC", day: 0, start: "02:30", end: "03:30", tz: "America/New_York", at: near(2, 0)},
	)...)
	cases := []struct {
		name       string
		nextStart  *string
		inProgress bool
	}{
		// Wednesday 12:00 in Tokyo.
		{name: "Tokyo Thursday", nextStart: ptr("2026-03-05T19:00:00+09:00")},
		{name: "Tokyo Lunch", nextStart: ptr("2026-03-04T11:30:00+09:00"), inProgress: true},
		// Tuesday 22:00 EST; daylight saving starts on 8 March.
		{name: "Monday Night NYC", nextStart: ptr("2026-03-09T19:00:00-04:00")},
		{name: "Tuesday Early Hybrid", nextStart: ptr("2026-03-10T07:00:00-04:00")},
		{name: "Online Chicago", nextStart: ptr("2026-03-04T20:00:00-06:00")},
		// Under way since 21:30 and running past midnight.
		{name: "Late Night NYC", nextStart: ptr("2026-03-03T21:30:00-05:00"), inProgress: true},
		// 02:30 does not exist on 8 March (clocks jump from 02:00 to 03:00):
		// read with the offset before the jump, it is 03:30 EDT.
		{name: "Sunday 02:30 NYC", nextStart: ptr("2026-03-08T03:30:00-04:00")},
		{name: "Saturday No Zone"},
		{name: "By Appointment"},
	}
	list := map[string]httpapi.MeetingJSON{}
	for _, m := range get(t, e.srv, "/v1/meetings").list(t).Meetings {
		list[m.Name] = m
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var one httpapi.MeetingJSON
			res := get(t, e.srv, "/v1/meetings/"+strconv.FormatInt(e.ids[tc.name], 10))
			if res.status != http.StatusOK {
				t.Fatalf("status %d; body %s", res.status, res.body)
			}
			res.decode(t, &one)
			for where, m := range map[string]httpapi.MeetingJSON{"list": list[tc.name], "get": one} {
				if d := cmp.Diff(tc.nextStart, m.NextStart); d != "" {
					t.Errorf("%s: next_start (-want +got):\n%s", where, d)
				}
				if m.InProgress != tc.inProgress {
					t.Errorf("%s: in_progress %v, want %v", where, m.InProgress, tc.inProgress)
				}
			}
		})
	}
}

// TestDatabaseDown checks that a database that refuses connections, or
// accepts them and never answers, gives a quick 503 that does not show the
// driver's error.
func TestDatabaseDown(t *testing.T) {
	refusing, refusingStore := downStore(t)
	silent, silentStore := silentStore(t)
	for _, db := range []struct {
		name  string
		db    *postgres.DB
		store meeting.Store
	}{{"refused", refusing, refusingStore}, {"silent", silent, silentStore}} {
		srv := httpapi.New(httpapi.Config{Store: db.store, Ready: db.db.Ping, Logger: quietLogger()})
		for _, target := range []string{"/v1/meetings", "/v1/meetings?lat=40.7128&lng=-74.006", "/v1/meetings/1", "/readyz"} {
			t.Run(db.name+" "+target, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				res := get(t, srv, target)
				if elapsed := time.Since(start); elapsed >= 3*time.Second {
					t.Errorf("answered after %v, want under 3s", elapsed)
				}
				if res.status != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503; body %s", res.status, res.body)
				}
				if target == "/readyz" {
					var ready struct {
						Status string            `json:"status"`
						Checks map[string]string `json:"checks"`
					}
					res.decode(t, &ready)
					if ready.Status != "unavailable" || ready.Checks["database"] != "unavailable" {
						t.Errorf("readyz body %s", res.body)
					}
				} else {
					if code := res.errorBody(t).Error.Code; code != string(meeting.KindUnavailable) {
						t.Errorf("code %q, want unavailable", code)
					}
					if ra := res.header.Get("Retry-After"); ra == "" {
						t.Error("no Retry-After header")
					}
				}
				for _, leak := range []string{"127.0.0.1", "dial", "refused", "postgres", "pgx", "connect", "timeout", "EOF", "meetingfinder"} {
					if strings.Contains(strings.ToLower(string(res.body)), strings.ToLower(leak)) {
						t.Errorf("body shows %q: %s", leak, res.body)
					}
				}
			})
		}
	}
}

// silentStore returns a store whose "database" accepts TCP connections and
// never says a word, so only the connect timeout ends each attempt.
func silentStore(t *testing.T) (*postgres.DB, *postgres.MeetingStore) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				<-done
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); close(done) })
	db, err := postgres.Open(context.Background(), "postgres://postgres@"+ln.Addr().String()+"/meetingfinder?sslmode=disable")
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(db.Close)
	return db, postgres.NewMeetingStore(db)
}

// TestLogsKeepNoQueryString checks that the logs never hold a request's
// query string (it says where a person is), whatever the outcome: success,
// invalid input, no such route, or a database that is down.
func TestLogsKeepNoQueryString(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	_, down := downStore(t)
	downSrv := httpapi.New(httpapi.Config{Store: down, Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Now: func() time.Time { return now }})
	const lat, lng = "40.712345", "-74.006789"
	for _, tc := range []struct {
		srv    http.Handler
		target string
		status int
	}{
		{e.srv, "/v1/meetings?lat=" + lat + "&lng=" + lng, 200},
		{e.srv, "/v1/meetings?lat=" + lat + "&lng=" + lng + "&radius_km=9999", 400},
		{e.srv, "/v1/meetings?lat=" + lat, 400},
		{e.srv, "/v1/meetings/1?lat=" + lat + "&lng=" + lng, 200},
		{e.srv, "/v1/nowhere?lat=" + lat + "&lng=" + lng, 404},
		{downSrv, "/v1/meetings?lat=" + lat + "&lng=" + lng, 503},
		{downSrv, "/v1/meetings/1?lat=" + lat + "&lng=" + lng, 503},
	} {
		if res := get(t, tc.srv, tc.target); res.status != tc.status {
			t.Errorf("%s: status %d, want %d; body %s", tc.target, res.status, tc.status, res.body)
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/v1/meetings") || !strings.Contains(logs, "kind=unavailable") {
		t.Fatalf("the logs do not show the requests, so this test checks nothing:\n%s", logs)
	}
	for _, secret := range []string{lat, lng, strings.TrimPrefix(lng, "-"), "40.71", "74.00", "lat=", "lng=", "radius_km"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
	}
}
