package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// feedServer serves body with an ETag, answering 304 to a matching
// If-None-Match, gzip-encoded when asked; it counts full responses.
func feedServer(t *testing.T, body []byte) (*httptest.Server, *atomic.Int32) {
	var full atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const etag = `"v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz(t, body))
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &full
}

func TestFetchHTTP(t *testing.T) {
	body := []byte(`[{"slug":"a","name":"A","day":1,"time":"10:00"}]`)
	srv, full := feedServer(t, body)
	ctx := context.Background()
	client := ingest.NewLocalClient(0) // the test server is on loopback
	f, err := ingest.Fetch(ctx, client, srv.URL, meeting.CacheValidators{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Body, body) || f.NotModified {
		t.Fatalf("body %q (not modified %v), want the feed decoded from gzip", f.Body, f.NotModified)
	}
	if f.Validators.ETag != `"v1"` || f.Validators.LastModified == "" {
		t.Errorf("validators = %+v", f.Validators)
	}
	again, err := ingest.Fetch(ctx, client, srv.URL, f.Validators, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !again.NotModified || again.Body != nil || full.Load() != 1 {
		t.Errorf("second fetch: not modified %v, %d full responses; want a 304", again.NotModified, full.Load())
	}
}

func TestFetchErrors(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 2000)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(big) })
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) { w.Write(gz(t, big)) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusBadGateway) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.gz")
	os.WriteFile(broken, []byte{0x1f, 0x8b, 1, 2, 3}, 0o644)
	client := ingest.NewLocalClient(200 * time.Millisecond) // the test server is on loopback
	for _, tc := range []struct {
		name     string
		location string
		max      int64
		want     meeting.Kind
	}{
		{"over the size limit", srv.URL + "/big", 1000, meeting.KindTooLarge},
		{"decompresses over the limit", srv.URL + "/bomb", 1000, meeting.KindTooLarge},
		{"not found", srv.URL + "/gone", 0, meeting.KindNotFound},
		{"server error", srv.URL + "/down", 0, meeting.KindUnavailable},
		{"timeout", srv.URL + "/slow", 0, meeting.KindUnavailable},
		{"missing file", filepath.Join(dir, "nope.json"), 0, meeting.KindNotFound},
		{"broken gzip", broken, 0, meeting.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ingest.Fetch(context.Background(), client, tc.location, meeting.CacheValidators{}, tc.max)
			if got := meeting.ErrorKind(err); got != tc.want {
				t.Errorf("error kind %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestFetchLocalGzip(t *testing.T) {
	body := []byte(`[]`)
	p := filepath.Join(t.TempDir(), "feed.json.gz")
	os.WriteFile(p, gz(t, body), 0o644)
	f, err := ingest.Fetch(context.Background(), nil, p, meeting.CacheValidators{}, 0)
	if err != nil || !bytes.Equal(f.Body, body) {
		t.Fatalf("Fetch(%s) = %q, %v; want the decompressed file", p, f.Body, err)
	}
}

// TestRunOverHTTP imports over HTTP twice: the second run sends the ETag
// back and is not modified.
func TestRunOverHTTP(t *testing.T) {
	e := newEnv(t)
	b, err := os.ReadFile("testdata/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, full := feedServer(t, b)
	src := meeting.Source{Name: "web", Location: srv.URL + "/meetings.json", Format: meeting.FormatMeetingGuide, Local: true}
	rep := e.im.Run(context.Background(), src, ingest.Options{})
	if rep.Status != meeting.ImportOK || rep.Inserted != 7 {
		t.Fatalf("first run: %+v", countsOf(rep))
	}
	rep = e.im.Run(context.Background(), src, ingest.Options{})
	if rep.Status != meeting.ImportNotModified || full.Load() != 1 {
		t.Fatalf("second run: %s with %d full responses, want not_modified after one", rep.Status, full.Load())
	}
	// A changed setting (a default zone) makes the next run fetch again.
	src.TimeZone = "America/Chicago"
	rep = e.im.Run(context.Background(), src, ingest.Options{})
	if rep.Status != meeting.ImportOK || rep.Updated != 4 || full.Load() != 2 { // online-only and the three Denver days
		t.Fatalf("run with a new default zone: %+v, %d full responses", countsOf(rep), full.Load())
	}
	// --force fetches without validators.
	rep = e.im.Run(context.Background(), src, ingest.Options{Force: true})
	if rep.Status != meeting.ImportOK || rep.Unchanged != 7 || full.Load() != 3 {
		t.Fatalf("forced run: %+v, %d full responses", countsOf(rep), full.Load())
	}
}

func TestParseConfig(t *testing.T) {
	good := `{"sources": [
		{"name": "sepia", "location": "https://example.org/wp-json/tsml/meetings", "format": "meetingguide", "program": "aa", "timezone": "America/New_York",
		 "online_timezone": "America/Chicago"},
		{"name": "baltimore", "location": "data/baltimore.csv", "format": "csv", "mapping": "baltimore.mapping.json", "refresh": "off"},
		{"name": "na-region", "location": "https://bmlt.example.org/main_server", "format": "bmlt", "refresh": "90m"},
		{"name": "here", "location": "http://127.0.0.1:8081/meetings.json", "format": "meetingguide", "local": true}]}`
	srcs, err := ingest.ParseConfig(strings.NewReader(good), "/etc/mf")
	if err != nil {
		t.Fatal(err)
	}
	want := []meeting.Source{
		{Name: "sepia", Location: "https://example.org/wp-json/tsml/meetings", Format: "meetingguide", Program: "aa", TimeZone: "America/New_York",
			OnlineTimeZone: "America/Chicago", Refresh: meeting.DefaultRefresh},
		{Name: "baltimore", Location: "/etc/mf/data/baltimore.csv", Format: "csv", Mapping: "/etc/mf/baltimore.mapping.json"},
		{Name: "na-region", Location: "https://bmlt.example.org/main_server", Format: "bmlt", Refresh: 90 * time.Minute},
		{Name: "here", Location: "http://127.0.0.1:8081/meetings.json", Format: "meetingguide", Refresh: meeting.DefaultRefresh, Local: true},
	}
	if len(srcs) != len(want) {
		t.Fatalf("got %d sources, want %d", len(srcs), len(want))
	}
	for i := range want {
		if srcs[i] != want[i] {
			t.Errorf("source %d = %+v, want %+v", i, srcs[i], want[i])
		}
	}
	for name, bad := range map[string]string{
		"not json":        `sources: []`,
		"unknown key":     `{"sources": [{"name": "a", "location": "x", "format": "csv", "colour": "red"}]}`,
		"no sources":      `{"sources": []}`,
		"bad format":      `{"sources": [{"name": "a", "location": "x", "format": "xml"}]}`,
		"bad zone":        `{"sources": [{"name": "a", "location": "x", "format": "csv", "timezone": "Mars/Base"}]}`,
		"bad online zone": `{"sources": [{"name": "a", "location": "x", "format": "csv", "online_timezone": "Eastern"}]}`,
		"bad name":        `{"sources": [{"name": "A B", "location": "x", "format": "csv"}]}`,
		"repeated name":   `{"sources": [{"name": "a", "location": "x", "format": "csv"}, {"name": "a", "location": "y", "format": "csv"}]}`,
		"short refresh":   `{"sources": [{"name": "a", "location": "x", "format": "csv", "refresh": "5s"}]}`,
		"mapping no csv":  `{"sources": [{"name": "a", "location": "x", "format": "bmlt", "mapping": "m.json"}]}`,
	} {
		if _, err := ingest.ParseConfig(strings.NewReader(bad), ""); !meeting.IsKind(err, meeting.KindInvalid) {
			t.Errorf("%s: error %v, want KindInvalid", name, err)
		}
	}
}
