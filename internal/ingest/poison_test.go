package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// randomID returns n characters that do not compress (PostgreSQL
// compresses a long value before indexing it, so a repeated letter would
// fit in the index where a real id does not).
func randomID(n int) string {
	var b strings.Builder
	sum := sha256.Sum256([]byte("seed"))
	for b.Len() < n {
		b.WriteString(hex.EncodeToString(sum[:]))
		sum = sha256.Sum256(sum[:])
	}
	return b.String()[:n]
}

// TestPoisonRecords imports a feed where one record's name and another's
// notes hold NUL characters and a third has an id of 3,000 characters
// (over PostgreSQL's index entry limit): before, COPY failed and the whole
// run rolled back, at every scheduled run. Now the NULs are removed (and
// flagged), the long id is rejected with its reason, and the rest is
// stored.
func TestPoisonRecords(t *testing.T) {
	e := newEnv(t)
	recs := fixture(t)
	for _, r := range recs {
		switch r["slug"] {
		case "grace-mon":
			r["name"] = "Grace\u0000 Group"
		case "sf-sat":
			r["notes"] = "Side door\u0000"
			r["location_notes"] = "Up\u0000stairs"
		case "boston-sun":
			r["slug"] = randomID(3000)
		}
	}
	rep := e.run(e.write("feed.json", recs), false)
	e.check(rep, counts{Status: meeting.ImportOK, Parsed: 6, Inserted: 6, Rejected: 2})
	var reasons []string
	for _, p := range rep.Problems {
		if p.Severity == meeting.Rejected && p.Field == "external_id" {
			reasons = append(reasons, p.Reason)
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "longer than") {
		t.Errorf("rejections for the long id: %q", reasons)
	}
	got, _ := e.state()
	want := map[string]string{"grace-mon": "live", "denver-noon-1": "live", "denver-noon-3": "live", "denver-noon-5": "live",
		"online-only": "live", "sf-sat": "live"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	var name, notes, where string
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT (SELECT name FROM meetings WHERE external_id = 'grace-mon'),
			notes, location_notes FROM meetings WHERE external_id = 'sf-sat'`).Scan(&name, &notes, &where); err != nil {
		t.Fatal(err)
	}
	if name != "Grace Group" || notes != "Side door" || where != "Upstairs" {
		t.Errorf("stored %q, %q, %q; want the text without its NULs", name, notes, where)
	}
	// The run, whose problems quote the records (NULs and all), is kept.
	var runs int
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM import_runs WHERE source = 'fixture' AND status = 'ok'`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("%d runs recorded, want 1", runs)
	}
}
