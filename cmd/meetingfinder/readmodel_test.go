package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// TestTwoInstancesSeeAWrite runs two serve instances against one database,
// each with its own read model and text index in memory, writes to the
// database (as an import or another instance does), and checks that both
// answer with the write, by id and by text, and then with a removal. It
// logs how long that took (about 150 ms with --sync-every 100ms); the
// deadline is generous, since a busy test machine is no place for a speed
// target (the 1 s target is the design's: one poll of the change log and
// one read of the changed rows).
func TestTwoInstancesSeeAWrite(t *testing.T) {
	db := pgtest.New(t)
	url := pgtest.DatabaseURL(t, db)
	var bases []string
	for range 2 {
		base, done, cancel := startServe(t, url, "--sync-every", "100ms")
		t.Cleanup(func() { cancel(); <-done })
		bases = append(bases, base)
	}
	for _, base := range bases {
		waitFor(t, 20*time.Second, "the read model and text index of "+base+" to load", func() bool {
			var body struct {
				ReadModel  struct{ State string } `json:"read_model"`
				TextSearch struct {
					Index       string
					AnswersFrom string `json:"answers_from"`
				} `json:"text_search"`
			}
			return getJSON(base+"/readyz", &body) == http.StatusOK && body.ReadModel.State == "ok" &&
				body.TextSearch.Index == "memory" && body.TextSearch.AnswersFrom == "memory"
		})
	}

	ctx := context.Background()
	m := meeting.Meeting{Source: "test", ExternalID: "fresh", GroupKey: "fresh", Name: "Fresh Start", Program: meeting.ProgramAA,
		Day: 2, Start: meeting.NewClock(19, 0), End: meeting.NoClock, TimeZone: "America/New_York", Types: []string{"O"},
		Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{Address: "1 Main St", City: "Testville"}}
	written := time.Now()
	if err := postgres.NewMeetingStore(db).InsertMeetings(ctx, []meeting.Meeting{m}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE external_id = 'fresh'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		waitFor(t, 10*time.Second, "meeting "+fmt.Sprint(id)+" on "+base, func() bool {
			return getJSON(fmt.Sprintf("%s/v1/meetings/%d", base, id), nil) == http.StatusOK
		})
		waitFor(t, 10*time.Second, "meeting "+fmt.Sprint(id)+" found by text on "+base, func() bool {
			return slices.Contains(textIDs(base, "fresh strat"), id)
		})
	}
	t.Logf("both instances answered with the new meeting, by id and by text, %s after the write", time.Since(written).Round(time.Millisecond))

	removed := time.Now()
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET deleted_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		waitFor(t, 10*time.Second, "meeting "+fmt.Sprint(id)+" gone from "+base, func() bool {
			return getJSON(fmt.Sprintf("%s/v1/meetings/%d", base, id), nil) == http.StatusNotFound
		})
		waitFor(t, 10*time.Second, "meeting "+fmt.Sprint(id)+" gone from the text index of "+base, func() bool {
			return !slices.Contains(textIDs(base, "fresh start"), id)
		})
	}
	t.Logf("both instances answered 404 %s after the removal", time.Since(removed).Round(time.Millisecond))
}

// textIDs returns the ids of the first page of text query q on base.
func textIDs(base, q string) []int64 {
	var body struct {
		Meetings []struct{ ID int64 } `json:"meetings"`
	}
	if getJSON(base+"/v1/meetings?q="+url.QueryEscape(q), &body) != http.StatusOK {
		return nil
	}
	var out []int64
	for _, m := range body.Meetings {
		out = append(out, m.ID)
	}
	return out
}

// waitFor polls ok every 20 ms until it holds, failing the test when it
// does not within d.
func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
	}
}

// getJSON GETs url and decodes the body into v (when not nil); it returns
// the status, 0 on a transport error.
func getJSON(url string, v any) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if v != nil {
		_ = json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}
