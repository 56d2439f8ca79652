package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// streamStore is a FeedStore whose Each makes n meetings on the fly, one
// at a time, and fails with failAfter's error after that many (when set).
// All and Areas fail the test: the feeds must stream.
type streamStore struct {
	t         *testing.T
	n         int
	failAfter int
	calls     atomic.Int32
}

// Each yields the made-up meetings one at a time.
func (s *streamStore) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	s.calls.Add(1)
	tz := []string{"America/New_York", "Europe/London", "Asia/Tokyo"}
	for i := range s.n {
		if s.failAfter > 0 && i == s.failAfter {
			return meeting.Errorf(meeting.KindUnavailable, "streamStore", "the database went away")
		}
		r := meeting.Result{Meeting: meeting.Meeting{
			ID: int64(i + 1), Source: "stream", Name: fmt.Sprintf("Meeting %d", i+1), Program: meeting.ProgramAA,
			Day: meeting.Weekday(i % 7), Start: meeting.NewClock(i%24, 0), End: meeting.NoClock, TimeZone: tz[i%3],
			Types: []string{"O"}, Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
			Location:  meeting.Location{Point: orb.Point{-74 + float64(i%100)/100, 40}, HasPoint: true, Address: "1 Main St", City: "Springfield"},
			CreatedAt: feedNow, UpdatedAt: feedNow,
		}}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

// All fails the test.
func (s *streamStore) All(context.Context, meeting.Filter) ([]meeting.Result, error) {
	s.t.Error("All was called: the feed must stream through Each")
	return nil, errors.New("All is not allowed")
}

// Areas fails the test.
func (s *streamStore) Areas(context.Context) ([][]string, error) {
	s.t.Error("Areas was called")
	return nil, errors.New("Areas is not allowed")
}

// streamServer is a Server over feeds, with version as its data version
// (unknown when nil).
func streamServer(feeds httpapi.FeedStore, version *string) *httpapi.Server {
	cfg := httpapi.Config{Store: memstore.New(), Feeds: feeds, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return feedNow }}
	if version != nil {
		cfg.DataVersion = func() (string, bool) { return *version, true }
	}
	return httpapi.New(cfg)
}

// feedGet sends GET target with header pairs to srv and returns the answer.
func feedGet(t *testing.T, srv http.Handler, target string, header ...string) feedResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	body, _ := io.ReadAll(w.Result().Body)
	return feedResponse{status: w.Code, header: w.Result().Header, body: body}
}

// gunzip decompresses body, failing the test when it is not gzip.
func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

// TestFeedsStream checks that the three whole feeds of many meetings come
// out whole and valid from Each alone (All is never called), streamed: no
// Content-Length, and no ETag without a data version (too big to hash).
func TestFeedsStream(t *testing.T) {
	const n = 12000 // several megabytes: past what is held back
	store := &streamStore{t: t, n: n}
	srv := streamServer(store, nil)

	r := feedGet(t, srv, "/feeds/meeting-guide.json")
	var feed []map[string]any
	if err := json.Unmarshal(r.body, &feed); err != nil || r.status != http.StatusOK || len(feed) != n {
		t.Fatalf("Meeting Guide: status %d, %d meetings, %v; want 200 and %d", r.status, len(feed), err, n)
	}
	if r.header.Get("Content-Length") != "" || r.header.Get("ETag") != "" {
		t.Errorf("Meeting Guide: Content-Length %q, ETag %q; want neither when streaming without a data version",
			r.header.Get("Content-Length"), r.header.Get("ETag"))
	}

	r = feedGet(t, srv, "/v1/meetings.geojson")
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(r.body, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != n {
		t.Fatalf("GeoJSON: %q with %d features, %v; want %d", fc.Type, len(fc.Features), err, n)
	}

	r = feedGet(t, srv, "/v1/meetings.ics")
	cal, err := goical.NewDecoder(bytes.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("iCalendar: %v", err)
	}
	if got := len(cal.Events()); got != n {
		t.Errorf("iCalendar: %d events, want %d", got, n)
	}
	if zones := strings.Count(string(r.body), "BEGIN:VTIMEZONE"); zones != 3 {
		t.Errorf("iCalendar: %d VTIMEZONEs, want 3", zones)
	}
}

// TestFeedGzip checks the gzip round trip of a small (held) and a large
// (streamed) feed: the same bytes as without gzip, Vary on both, and an
// ETag of its own for the gzip form.
func TestFeedGzip(t *testing.T) {
	e := newFeedEnv(t)
	plain := e.do(t, "/feeds/meeting-guide.json")
	zipped := e.do(t, "/feeds/meeting-guide.json", "Accept-Encoding", "gzip, deflate, br")
	if zipped.header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, zipped.body), plain.body) {
		t.Errorf("small feed: Content-Encoding %q, or the gzip body differs", zipped.header.Get("Content-Encoding"))
	}
	for _, r := range []feedResponse{plain, zipped} {
		if r.header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary = %q, want Accept-Encoding", r.header.Get("Vary"))
		}
	}
	if plain.header.Get("Content-Encoding") != "" || plain.header.Get("ETag") == zipped.header.Get("ETag") {
		t.Errorf("identity and gzip: Content-Encoding %q, ETags %q and %q; want none and two ETags",
			plain.header.Get("Content-Encoding"), plain.header.Get("ETag"), zipped.header.Get("ETag"))
	}
	if nm := e.do(t, "/feeds/meeting-guide.json", "Accept-Encoding", "gzip", "If-None-Match", zipped.header.Get("ETag")); nm.status != http.StatusNotModified {
		t.Errorf("If-None-Match with the gzip ETag: status %d, want 304", nm.status)
	}
	if r := e.do(t, "/feeds/meeting-guide.json", "Accept-Encoding", "gzip;q=0, identity"); r.header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q, want none", r.header.Get("Content-Encoding"))
	}

	srv := streamServer(&streamStore{t: t, n: 5000}, nil)
	big := feedGet(t, srv, "/v1/meetings.geojson")
	bigZ := feedGet(t, srv, "/v1/meetings.geojson", "Accept-Encoding", "gzip")
	if bigZ.header.Get("Content-Encoding") != "gzip" || bigZ.header.Get("Content-Length") != "" || !bytes.Equal(gunzip(t, bigZ.body), big.body) {
		t.Errorf("streamed feed: Content-Encoding %q, Content-Length %q, or the gzip body differs",
			bigZ.header.Get("Content-Encoding"), bigZ.header.Get("Content-Length"))
	}
	if len(bigZ.body)*4 > len(big.body) {
		t.Errorf("gzip body %d bytes for %d: hardly compressed", len(bigZ.body), len(big.body))
	}
}

// TestFeedVersionETag checks the ETags made from the data version: a 304
// without asking the store, a new ETag when the version changes, one per
// shape of the feed but not per ignored parameter.
func TestFeedVersionETag(t *testing.T) {
	version := "v1"
	store := &streamStore{t: t, n: 3}
	srv := streamServer(store, &version)
	for _, target := range []string{"/feeds/meeting-guide.json", "/v1/meetings.geojson", "/v1/meetings.ics"} {
		first := feedGet(t, srv, target)
		etag := first.header.Get("ETag")
		if first.status != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: status %d, ETag %q", target, first.status, etag)
		}
		calls := store.calls.Load()
		nm := feedGet(t, srv, target, "If-None-Match", etag)
		if nm.status != http.StatusNotModified || len(nm.body) != 0 || nm.header.Get("ETag") != etag {
			t.Errorf("GET %s If-None-Match: status %d, ETag %q, body %q; want 304 with the ETag", target, nm.status, nm.header.Get("ETag"), nm.body)
		}
		if store.calls.Load() != calls {
			t.Errorf("GET %s: the 304 read the store", target)
		}
		version = "v2"
		if again := feedGet(t, srv, target); again.header.Get("ETag") == etag {
			t.Errorf("GET %s: same ETag %s after the data version changed", target, etag)
		}
		if old := feedGet(t, srv, target, "If-None-Match", etag); old.status != http.StatusOK {
			t.Errorf("GET %s with the old version's ETag: status %d, want 200", target, old.status)
		}
		version = "v1"
	}
	mg := feedGet(t, srv, "/feeds/meeting-guide.json").header.Get("ETag")
	if busted := feedGet(t, srv, "/feeds/meeting-guide.json?1795811182290").header.Get("ETag"); busted != mg {
		t.Errorf("a cache-busting parameter changed the ETag: %s, want %s", busted, mg)
	}
	if na := feedGet(t, srv, "/feeds/meeting-guide.json?program=na").header.Get("ETag"); na == mg {
		t.Errorf("program=na has the ETag of the whole feed")
	}
	if z := feedGet(t, srv, "/feeds/meeting-guide.json", "Accept-Encoding", "gzip").header.Get("ETag"); z == mg || z == "" {
		t.Errorf("gzip ETag %q, want one of its own (identity: %s)", z, mg)
	}
	if bad := feedGet(t, srv, "/feeds/meeting-guide.json?program=nope", "If-None-Match", mg); bad.status != http.StatusBadRequest {
		t.Errorf("invalid parameters with If-None-Match: status %d, want 400", bad.status)
	}

	// A text query follows the search index, not the version: no version
	// ETag (a store that cannot search answers 400 here, which is fine: no
	// 304 either).
	if r := feedGet(t, srv, "/v1/meetings.geojson?q=big", "If-None-Match", feedGet(t, srv, "/v1/meetings.geojson").header.Get("ETag")); r.status == http.StatusNotModified {
		t.Errorf("a text query was answered 304 from the data version")
	}
}

// TestFeedCutShort checks that a store failing after the feed has started
// streaming cuts the connection, so the client sees a failed transfer,
// and that one failing before gets an error answer.
func TestFeedCutShort(t *testing.T) {
	late := httptest.NewServer(streamServer(&streamStore{t: t, n: 20000, failAfter: 15000}, nil))
	defer late.Close()
	resp, err := http.Get(late.URL + "/feeds/meeting-guide.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err == nil {
		t.Errorf("failure while streaming: status %d, read error %v; want 200 and a read error", resp.StatusCode, err)
	}

	early := streamServer(&streamStore{t: t, n: 20, failAfter: 10}, nil)
	if r := feedGet(t, early, "/feeds/meeting-guide.json"); r.status != http.StatusServiceUnavailable {
		t.Errorf("failure before streaming: status %d, want 503", r.status)
	}
}
