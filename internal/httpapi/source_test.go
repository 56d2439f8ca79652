package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// fakeSources is a SourceLister over a fixed list.
type fakeSources []meeting.SourceStatus

func (f fakeSources) Sources(context.Context) ([]meeting.SourceStatus, error) { return f, nil }

func TestListSources(t *testing.T) {
	spec := newSpecCheck(t)
	var probs []meeting.Problem
	for i := range 150 {
		probs = append(probs, meeting.Problem{Record: i + 1, ExternalID: fmt.Sprint("m", i), Severity: meeting.Flagged,
			Field: "types", Reason: "unknown type codes kept as given: ZZ", Raw: `{"contact_1_phone":"555-0100"}`})
	}
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lister := fakeSources{
		{Source: meeting.Source{Name: "never", Location: "/srv/feeds/never.json", Format: meeting.FormatCSV}},
		{Source: meeting.Source{Name: "sepia", Location: "https://user:pw@example.org/wp-admin/admin-ajax.php?action=meetings&key=SECRET",
			Format: meeting.FormatMeetingGuide, Program: meeting.ProgramAA, TimeZone: "America/New_York", Refresh: 6 * time.Hour},
			LastRun: &meeting.ImportReport{Source: "sepia", Status: meeting.ImportOK, StartedAt: started, Duration: 1500 * time.Millisecond,
				ImportCounts: meeting.ImportCounts{Parsed: 10, Inserted: 10, Flagged: 150}, Problems: probs, ProblemsTotal: 150}},
	}
	for _, tc := range []struct {
		name   string
		lister httpapi.SourceLister
		want   int
	}{{"sources", lister, 2}, {"no lister", nil, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httpapi.New(httpapi.Config{Logger: quietLogger(), Sources: tc.lister})
			res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, "/v1/sources"))
			if res.status != http.StatusOK || reqErr != nil {
				t.Fatalf("status %d (%v), want 200", res.status, reqErr)
			}
			if strings.Contains(string(res.body), "SECRET") || strings.Contains(string(res.body), "555-0100") ||
				strings.Contains(string(res.body), "pw@") || strings.Contains(string(res.body), "/srv/feeds") {
				t.Errorf("the body shows a key, a password, a path or a record excerpt: %s", res.body)
			}
			var body httpapi.SourceListJSON
			if err := json.Unmarshal(res.body, &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Sources) != tc.want {
				t.Fatalf("%d sources, want %d", len(body.Sources), tc.want)
			}
			if tc.want == 0 {
				return
			}
			never, sepia := body.Sources[0], body.Sources[1]
			if never.LastRun != nil || never.RefreshSeconds != nil || never.Location != "never.json" {
				t.Errorf("never-run source = %+v", never)
			}
			if sepia.Location != "https://example.org" || sepia.RefreshSeconds == nil || *sepia.RefreshSeconds != 21600 {
				t.Errorf("sepia = %+v", sepia)
			}
			lr := sepia.LastRun
			if lr == nil || lr.Status != "ok" || len(lr.Problems) != httpapi.MaxSourceProblems || lr.ProblemsTotal != 150 ||
				lr.DurationMS != 1500 || !lr.FinishedAt.Equal(started.Add(1500*time.Millisecond)) {
				t.Errorf("last run = %+v", lr)
			}
		})
	}
}

// TestSourceErrorsInFull: anyone sees why a run failed in plain words; the
// error itself (hosts, resolver addresses, a spreadsheet's id in the path)
// only an admin, who may send a key to this public route.
func TestSourceErrorsInFull(t *testing.T) {
	const detail = "ingest.Fetch: the request failed: dial tcp: lookup sheets.internal on 10.0.0.53:53: no such host"
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lister := fakeSources{
		{Source: meeting.Source{Name: "sheet", Location: "https://sheets.internal/d/SPREADSHEET-ID/export?format=csv", Format: meeting.FormatCSV},
			LastRun: &meeting.ImportReport{Source: "sheet", Status: meeting.ImportFailed, StartedAt: started,
				Error: detail, PublicError: "the feed could not be reached", Problems: []meeting.Problem{}}},
		{Source: meeting.Source{Name: "old", Location: "https://old.example.org/feed.json", Format: meeting.FormatMeetingGuide},
			LastRun: &meeting.ImportReport{Source: "old", Status: meeting.ImportFailed, StartedAt: started,
				Error: "ingest.Fetch: the server answered 500 at /secret-path", Problems: []meeting.Problem{}}},
	}
	e := newOrgEnv(t, func(c *httpapi.Config) { c.Sources = lister })
	read := func(key string) httpapi.SourceListJSON {
		t.Helper()
		res := e.do(t, http.MethodGet, "/v1/sources", key, nil)
		want(t, res, http.StatusOK)
		var body httpapi.SourceListJSON
		res.decode(t, &body)
		if key != e.admin {
			for _, secret := range []string{"10.0.0.53", "SPREADSHEET-ID", "secret-path", "lookup", "/d/"} {
				if strings.Contains(string(res.body), secret) {
					t.Errorf("key %q: the body shows %q: %s", key, secret, res.body)
				}
			}
		}
		return body
	}
	for _, key := range []string{"", e.a} {
		body := read(key)
		sheet, old := body.Sources[0], body.Sources[1]
		if sheet.LastRun.Error != "the feed could not be reached" || sheet.LastRun.ErrorDetail != "" || sheet.Location != "https://sheets.internal" {
			t.Errorf("key %q: sheet %+v, run %+v", key, sheet, sheet.LastRun)
		}
		if old.LastRun.Error != "the import failed" || old.LastRun.ErrorDetail != "" {
			t.Errorf("key %q: a run without a public reason shows %+v", key, old.LastRun)
		}
	}
	body := read(e.admin)
	sheet := body.Sources[0]
	if sheet.LastRun.Error != "the feed could not be reached" || sheet.LastRun.ErrorDetail != detail ||
		sheet.Location != "https://sheets.internal/d/SPREADSHEET-ID/export" {
		t.Errorf("admin: sheet %+v, run %+v", sheet, sheet.LastRun)
	}
	want(t, e.do(t, http.MethodGet, "/v1/sources", "mf_not-a-key", nil), http.StatusUnauthorized)
}
