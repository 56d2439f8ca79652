package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

func TestImportCommand(t *testing.T) {
	db := pgtest.New(t)
	feed, err := filepath.Abs("../../internal/ingest/testdata/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	// Flags may follow the location.
	out, err := cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", feed, "--timezone", "America/Denver", "--online-timezone", "America/New_York")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "inserted 7") || !strings.Contains(out, "record 5 (no-name) rejected: name") {
		t.Errorf("text report lacks the counts or the rejection:\n%s", out)
	}
	out, err = cli(t, db, "import", "--json", "--source", "fixture", "--format", "meetingguide", "--timezone", "America/Denver", "--online-timezone", "America/New_York", feed)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	var rep meeting.ImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, out)
	}
	if rep.Status != meeting.ImportOK || rep.Unchanged != 7 || rep.Rejected != 1 || len(rep.Problems) != 1 {
		t.Errorf("re-import report = %+v", rep)
	}
	// The online meeting is on the online default, the others on their own.
	var online, denver string
	db.Pool.QueryRow(context.Background(), `SELECT timezone FROM meetings WHERE source = 'fixture' AND external_id = 'online-only'`).Scan(&online)
	db.Pool.QueryRow(context.Background(), `SELECT timezone FROM meetings WHERE source = 'fixture' AND external_id = 'denver-noon-1'`).Scan(&denver)
	if online != "America/New_York" || denver != "America/Denver" {
		t.Errorf("zones: online %q, Denver %q; want America/New_York (--online-timezone), America/Denver (--timezone)", online, denver)
	}

	empty := filepath.Join(t.TempDir(), "empty.json")
	os.WriteFile(empty, []byte("[]"), 0o644)
	out, err = cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", empty)
	if err == nil || !strings.Contains(out, "held back") {
		t.Errorf("empty feed: error %v, output:\n%s\nwant held back and an error (non-zero exit)", err, out)
	}
	out, err = cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || !strings.Contains(out, "failed") {
		t.Errorf("missing file: error %v, output:\n%s", err, out)
	}

	var ue usageError
	for _, args := range [][]string{
		{"import", feed},
		{"import", "--source", "x", "--format", "xml", feed},
		{"import", "--source", "x", "--format", "meetingguide"},
		{"import", "--config", "s.json", "--format", "csv"},
	} {
		if _, err := cli(t, db, args...); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestImportLocalFlag(t *testing.T) {
	fl, err := parseImportFlags([]string{"--source", "here", "--format", "meetingguide", "--local", "http://127.0.0.1:8081/meetings.json"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := fl.sources()
	if err != nil || len(srcs) != 1 || !srcs[0].Local {
		t.Errorf("--local: sources %+v, %v; want one marked local", srcs, err)
	}
	fl, err = parseImportFlags([]string{"--source", "here", "--format", "meetingguide", "http://127.0.0.1:8081/meetings.json"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if srcs, _ := fl.sources(); len(srcs) != 1 || srcs[0].Local {
		t.Errorf("without --local: sources %+v; want one not marked local", srcs)
	}
	fl, err = parseImportFlags([]string{"--config", "sources.json", "--local"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var usage usageError
	if _, err := fl.sources(); !errors.As(err, &usage) {
		t.Errorf("--config with --local: %v, want a usage error (the sources file says \"local\")", err)
	}
}

// noEnv is an environment with nothing set.
func noEnv(string) string { return "" }

// TestImportGeocoder: --geocoder-url sends the meetings with an address
// and no point to the geocoder, at most --geocode-max a run, and the
// report counts them; a bad cap is a usage error.
func TestImportGeocoder(t *testing.T) {
	db := pgtest.New(t)
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Query().Get("q"))
		mu.Unlock()
		w.Write([]byte(`[{"lat": "41.3301", "lon": "-75.7921", "display_name": "337, Spring Street", "place_rank": 30}]`))
	}))
	defer srv.Close()
	feed := filepath.Join(t.TempDir(), "feed.json")
	os.WriteFile(feed, []byte(`[
		{"slug": "a", "name": "A", "day": 1, "time": "19:00", "formatted_address": "337 Spring St, West Pittston, PA 18643, USA"},
		{"slug": "b", "name": "B", "day": 2, "time": "19:00", "formatted_address": "12 Other St, West Pittston, PA 18643, USA"}]`), 0o644)
	out, err := cli(t, db, "import", "--json", "--source", "geo", "--format", "meetingguide", "--timezone", "America/New_York",
		"--geocoder-url", srv.URL, "--geocode-max", "1", feed)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var rep meeting.ImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || rep.Points.Geocoded != 1 || rep.Points.GeocodePending != 1 {
		t.Errorf("asked %q, points %+v; want one request, 1 geocoded, 1 pending", asked, rep.Points)
	}
	var ue usageError
	for _, max := range []string{"-1", "many"} {
		if _, err := cli(t, db, "import", "--source", "geo", "--format", "meetingguide", "--geocoder-url", srv.URL, "--geocode-max", max, feed); !errors.As(err, &ue) {
			t.Errorf("--geocode-max %s: %v, want a usage error", max, err)
		}
	}
	if _, err := cli(t, db, "import", "--source", "geo", "--format", "meetingguide", "--geocoder-url", "ftp://x", feed); !errors.As(err, &ue) {
		t.Errorf("--geocoder-url ftp://x: %v, want a usage error", err)
	}
}
