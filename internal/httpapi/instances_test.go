package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
)

// TestInstancesAtDifferentVersions is two instances behind a load
// balancer, each with its own read model of one database, one of them
// behind the other: a cursor handed out by one pages correctly on the
// other, which holds more meetings, and an ETag of one never makes the
// other answer 304.
func TestInstancesAtDifferentVersions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	store := memstore.New(memstore.WithClock(func() time.Time { return now }))
	gen := demo.New(11)
	insert := func(n int, tag string) {
		var ms []meeting.Meeting
		for i := range n {
			m := gen.Next()
			// All in one city, so that a radius holds them all.
			m.Location.Point, m.Location.HasPoint = [2]float64{-73.98 + float64(i%9)*0.002, 40.75 + float64(i%7)*0.002}, true
			m.Source, m.ExternalID, m.GroupKey, m.Status = "test", fmt.Sprintf("%s%d", tag, i), fmt.Sprintf("%s%d", tag, i), meeting.StatusPublished
			m.TimeZone, m.ByAppointment = "America/New_York", false
			ms = append(ms, m)
		}
		if err := store.InsertMeetings(ctx, ms); err != nil {
			t.Fatal(err)
		}
	}
	insert(60, "old")
	server := func() (*httpapi.Server, *readmodel.Model) {
		m := readmodel.New(store, store, readmodel.Options{Now: func() time.Time { return now }, Logger: quietLogger()})
		if err := m.Load(ctx); err != nil {
			t.Fatal(err)
		}
		return httpapi.New(httpapi.Config{Store: m, Feeds: m, DataVersion: m.DataVersion, Now: func() time.Time { return now }, Logger: quietLogger(), PublicRate: httpapi.NoLimit}), m
	}
	behind, _ := server()
	ahead, aheadModel := server()
	insert(25, "new")
	if _, err := aheadModel.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	for _, q := range []string{"lat=40.755&lng=-73.975&radius_km=5", "day=2", ""} {
		all := get(t, ahead, "/v1/meetings?limit=200&"+q).list(t).Meetings
		if n := len(get(t, behind, "/v1/meetings?limit=200&"+q).list(t).Meetings); len(all) <= n || n < 5 {
			t.Fatalf("%q: the instance ahead has %d meetings, the one behind %d: the fixture does not test paging across versions", q, len(all), n)
		}
		for _, limit := range []int{1, 7, 20} {
			page := get(t, behind, fmt.Sprintf("/v1/meetings?limit=%d&%s", limit, q)).list(t)
			for page.NextCursor != nil {
				last := page.Meetings[len(page.Meetings)-1]
				next := get(t, ahead, fmt.Sprintf("/v1/meetings?limit=%d&%s&cursor=%s", limit, q, url.QueryEscape(*page.NextCursor)))
				if next.status != http.StatusOK {
					t.Fatalf("%q: a cursor of the instance behind on the one ahead: %d %s", q, next.status, next.body)
				}
				got := ids(next.list(t).Meetings)
				// What comes after the last meeting of the page, in the
				// order of the instance ahead (which holds every meeting
				// of the one behind).
				at := slices.IndexFunc(all, func(m httpapi.MeetingJSON) bool { return m.ID == last.ID })
				if at < 0 {
					t.Fatalf("%q: meeting %d of the instance behind is not on the one ahead", q, last.ID)
				}
				want := ids(all[at+1 : min(at+1+limit, len(all))])
				if !slices.Equal(got, want) {
					t.Fatalf("%q limit %d: after meeting %d the instance ahead pages %v, want %v", q, limit, last.ID, got, want)
				}
				page = get(t, behind, fmt.Sprintf("/v1/meetings?limit=%d&%s&cursor=%s", limit, q, url.QueryEscape(*page.NextCursor))).list(t)
			}
		}
	}

	for _, path := range []string{"/feeds/meeting-guide.json", "/v1/meetings.geojson"} {
		first := get(t, behind, path)
		etag := first.header.Get("ETag")
		if first.status != http.StatusOK || etag == "" {
			t.Fatalf("%s: %d with ETag %q", path, first.status, etag)
		}
		if r := conditional(t, behind, path, etag); r.status != http.StatusNotModified {
			t.Errorf("%s: the same instance answers %d to its own ETag, want 304", path, r.status)
		}
		if r := conditional(t, ahead, path, etag); r.status != http.StatusOK || r.header.Get("ETag") == etag {
			t.Errorf("%s: the instance ahead answers %d with ETag %q to the ETag %q of the one behind, want 200 and another ETag",
				path, r.status, r.header.Get("ETag"), etag)
		}
	}
}

// conditional sends GET path with If-None-Match: etag.
func conditional(t *testing.T, h http.Handler, path, etag string) response {
	t.Helper()
	req := request(t, http.MethodGet, path)
	req.Header.Set("If-None-Match", etag)
	return serve(h, req)
}

// ids returns the ids of ms in order.
func ids(ms []httpapi.MeetingJSON) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
