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
			if sepia.Location != "https://example.org/wp-admin/admin-ajax.php" || sepia.RefreshSeconds == nil || *sepia.RefreshSeconds != 21600 {
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
