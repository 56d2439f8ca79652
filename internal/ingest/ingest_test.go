package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// counts are the figures of a report that the tests compare.
type counts struct {
	Status                                                  meeting.ImportStatus
	Parsed, Inserted, Updated, Restored, Unchanged, Removed int
	Rejected                                                int
}

func countsOf(r *meeting.ImportReport) counts {
	return counts{r.Status, r.Parsed, r.Inserted, r.Updated, r.Restored, r.Unchanged, r.Removed, r.Rejected}
}

// env is one test's database and importer.
type env struct {
	t   *testing.T
	db  *postgres.DB
	im  *ingest.Importer
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	return &env{t: t, db: db, dir: t.TempDir(), im: &ingest.Importer{Store: postgres.NewImportStore(db), Logger: slog.New(slog.DiscardHandler)}}
}

// fixture returns the records of testdata/feed.json.
func fixture(t *testing.T) []map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// write saves v as JSON in the test's folder and returns the path.
func (e *env) write(name string, v any) string {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// run imports the Meeting Guide file at path as source "fixture".
func (e *env) run(path string, force bool) *meeting.ImportReport {
	e.t.Helper()
	src := meeting.Source{Name: "fixture", Location: path, Format: meeting.FormatMeetingGuide}
	return e.im.Run(context.Background(), src, ingest.Options{Force: force})
}

func (e *env) check(rep *meeting.ImportReport, want counts) {
	e.t.Helper()
	if diff := cmp.Diff(want, countsOf(rep)); diff != "" {
		var b bytes.Buffer
		rep.WriteText(&b)
		e.t.Fatalf("report counts (-want +got):\n%s\n%s", diff, b.String())
	}
}

// state returns every row of source "fixture": external id → "live" or
// "deleted", and the newest updated_at.
func (e *env) state() (map[string]string, time.Time) {
	e.t.Helper()
	rows, err := e.db.Pool.Query(context.Background(), `SELECT external_id, deleted_at IS NULL FROM meetings WHERE source = 'fixture'`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id string
		var live bool
		if err := rows.Scan(&id, &live); err != nil {
			e.t.Fatal(err)
		}
		out[id] = map[bool]string{true: "live", false: "deleted"}[live]
	}
	var last time.Time
	if err := e.db.Pool.QueryRow(context.Background(), `SELECT coalesce(max(updated_at), 'epoch') FROM meetings WHERE source = 'fixture'`).Scan(&last); err != nil {
		e.t.Fatal(err)
	}
	return out, last
}

func without(recs []map[string]any, slugs ...string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if !slices.Contains(slugs, r["slug"].(string)) {
			out = append(out, r)
		}
	}
	return out
}

func TestImportLifecycle(t *testing.T) {
	e := newEnv(t)
	recs := fixture(t)
	full := e.write("feed.json", recs)
	allLive := map[string]string{"grace-mon": "live", "denver-noon-1": "live", "denver-noon-3": "live", "denver-noon-5": "live",
		"online-only": "live", "sf-sat": "live", "boston-sun": "live"}

	rep := e.run(full, false)
	e.check(rep, counts{Status: meeting.ImportOK, Parsed: 7, Inserted: 7, Rejected: 1})
	var rejected []string
	for _, p := range rep.Problems {
		if p.Severity == meeting.Rejected {
			rejected = append(rejected, p.String())
		}
	}
	if len(rejected) != 1 || !strings.Contains(rejected[0], "record 5 (no-name) rejected: name") {
		t.Errorf("rejections = %q, want record 5 (no-name) rejected for its name", rejected)
	}
	got, stamp := e.state()
	if diff := cmp.Diff(allLive, got); diff != "" {
		t.Fatalf("rows after first import (-want +got):\n%s", diff)
	}

	t.Run("re-import changes nothing", func(t *testing.T) {
		rep := e.run(full, false)
		e.check(rep, counts{Status: meeting.ImportOK, Parsed: 7, Unchanged: 7, Rejected: 1})
		if _, again := e.state(); !again.Equal(stamp) {
			t.Errorf("updated_at moved from %v to %v on an unchanged re-import", stamp, again)
		}
	})

	t.Run("one changed meeting is one update", func(t *testing.T) {
		recs[0]["time"] = "19:30"
		rep := e.run(e.write("changed.json", recs), false)
		e.check(rep, counts{Status: meeting.ImportOK, Parsed: 7, Updated: 1, Unchanged: 6, Rejected: 1})
		var start string
		e.db.Pool.QueryRow(context.Background(), `SELECT start_time::text FROM meetings WHERE external_id = 'grace-mon'`).Scan(&start)
		if start != "19:30:00" {
			t.Errorf("grace-mon starts at %s after the update, want 19:30:00", start)
		}
	})

	t.Run("a dropped meeting is removed recoverably and comes back", func(t *testing.T) {
		rep := e.run(e.write("dropped.json", without(recs, "sf-sat")), false)
		e.check(rep, counts{Status: meeting.ImportOK, Parsed: 6, Unchanged: 6, Removed: 1, Rejected: 1})
		got, _ := e.state()
		if got["sf-sat"] != "deleted" {
			t.Errorf("sf-sat is %q after being dropped, want its row kept with deleted_at", got["sf-sat"])
		}
		rep = e.run(e.write("back.json", recs), false)
		e.check(rep, counts{Status: meeting.ImportOK, Parsed: 7, Restored: 1, Unchanged: 6, Rejected: 1})
		got, _ = e.state()
		if diff := cmp.Diff(allLive, got); diff != "" {
			t.Errorf("rows after the meeting came back (-want +got):\n%s", diff)
		}
	})

	t.Run("an empty feed is held back unless forced", func(t *testing.T) {
		empty := e.write("empty.json", []any{})
		before, stamp := e.state()
		rep := e.run(empty, false)
		e.check(rep, counts{Status: meeting.ImportHeldBack})
		if !rep.Failed() || !strings.Contains(rep.HeldBack, "no meetings") {
			t.Errorf("held back = %q, want a reason about an empty feed", rep.HeldBack)
		}
		after, stamp2 := e.state()
		if diff := cmp.Diff(before, after); diff != "" || !stamp.Equal(stamp2) {
			t.Fatalf("a held-back import changed rows (-before +after):\n%s", diff)
		}
	})

	t.Run("losing more than half is held back unless forced", func(t *testing.T) {
		half := e.write("half.json", without(recs, "grace-mon", "denver-noon", "sf-sat"))
		before, _ := e.state()
		rep := e.run(half, false)
		e.check(rep, counts{Status: meeting.ImportHeldBack, Rejected: 1, Parsed: 2})
		if !strings.Contains(rep.HeldBack, "5 of the source's 7") {
			t.Errorf("held back = %q, want it to say 5 of 7 would go", rep.HeldBack)
		}
		after, _ := e.state()
		if diff := cmp.Diff(before, after); diff != "" {
			t.Fatalf("a held-back import changed rows (-before +after):\n%s", diff)
		}
		rep = e.run(half, true)
		e.check(rep, counts{Status: meeting.ImportOK, Parsed: 2, Unchanged: 2, Removed: 5, Rejected: 1})
		rep = e.run(full, true)
		if rep.Status != meeting.ImportOK || rep.Restored != 5 {
			t.Fatalf("restoring all: %+v", countsOf(rep))
		}
	})

	t.Run("a forced empty feed removes everything", func(t *testing.T) {
		rep := e.run(e.write("empty.json", []any{}), true)
		e.check(rep, counts{Status: meeting.ImportOK, Removed: 7})
		e.run(full, true)
	})

	t.Run("a file that is not a feed fails and changes nothing", func(t *testing.T) {
		before, stamp := e.state()
		for name, body := range map[string]string{
			"broken.json": `[{"slug": "x", "name": "X", "day": 1, "time": "10:00"}] trailing`,
			"object.json": `{"records": []}`,
			"empty.txt":   ``,
		} {
			p := filepath.Join(e.dir, name)
			os.WriteFile(p, []byte(body), 0o644)
			rep := e.run(p, true)
			if rep.Status != meeting.ImportFailed || rep.Error == "" {
				t.Errorf("%s: status %s, error %q; want failed with a message", name, rep.Status, rep.Error)
			}
		}
		after, stamp2 := e.state()
		if diff := cmp.Diff(before, after); diff != "" || !stamp.Equal(stamp2) {
			t.Fatalf("a failed import changed rows (-before +after):\n%s", diff)
		}
	})

	t.Run("runs are recorded per source", func(t *testing.T) {
		srcs, err := e.im.Store.Sources(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) != 1 || srcs[0].Source.Name != "fixture" || srcs[0].LastRun == nil {
			t.Fatalf("sources = %+v, want fixture with a last run", srcs)
		}
		if lr := srcs[0].LastRun; lr.Status != meeting.ImportFailed || lr.Error == "" {
			t.Errorf("last run = %+v, want the failed one", lr)
		}
		var runs int
		e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM import_runs WHERE source = 'fixture'`).Scan(&runs)
		if runs < 10 {
			t.Errorf("%d runs recorded, want one per import", runs)
		}
	})
}

// fixedZones is a ZoneFinder that knows one zone everywhere.
type fixedZones string

func (z fixedZones) Zone(lng, lat float64) string { return string(z) }

func TestTimeZones(t *testing.T) {
	e := newEnv(t)
	path := e.write("feed.json", fixture(t))
	zones := func(src meeting.Source) map[string]string {
		t.Helper()
		rep := e.im.Run(context.Background(), src, ingest.Options{Force: true})
		if rep.Status != meeting.ImportOK {
			t.Fatalf("import: %+v", countsOf(rep))
		}
		out := map[string]string{}
		rows, _ := e.db.Pool.Query(context.Background(), `SELECT external_id, coalesce(timezone, '') FROM meetings WHERE source = $1 AND deleted_at IS NULL`, src.Name)
		for rows.Next() {
			var id, z string
			rows.Scan(&id, &z)
			out[id] = z
		}
		rows.Close()
		for _, p := range rep.Problems {
			if p.Field == "timezone" {
				out[p.ExternalID] += " (flagged)"
			}
		}
		return out
	}
	own := map[string]string{"grace-mon": "America/New_York", "sf-sat": "America/Los_Angeles", "boston-sun": "America/New_York"}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range own {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}

	t.Run("own zone, else inferred from the point, else flagged", func(t *testing.T) {
		got := zones(meeting.Source{Name: "tz-infer", Location: path, Format: meeting.FormatMeetingGuide})
		want := with(map[string]string{"denver-noon-1": "America/Denver", "denver-noon-3": "America/Denver", "denver-noon-5": "America/Denver",
			"online-only": " (flagged)"})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
	})
	t.Run("own zone, else the source default (flagged where the point disagrees)", func(t *testing.T) {
		got := zones(meeting.Source{Name: "tz-default", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "America/Chicago"})
		want := with(map[string]string{"denver-noon-1": "America/Chicago (flagged)", "denver-noon-3": "America/Chicago (flagged)",
			"denver-noon-5": "America/Chicago (flagged)", "online-only": "America/Chicago"})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
	})
	t.Run("online meetings on the source's online default, never on their point", func(t *testing.T) {
		got := zones(meeting.Source{Name: "tz-online", Location: path, Format: meeting.FormatMeetingGuide, OnlineTimeZone: "America/New_York"})
		want := with(map[string]string{"denver-noon-1": "America/Denver", "denver-noon-3": "America/Denver", "denver-noon-5": "America/Denver",
			"online-only": "America/New_York"})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
	})
	t.Run("a finder that knows nothing flags", func(t *testing.T) {
		e.im.Zones = fixedZones("")
		defer func() { e.im.Zones = nil }()
		got := zones(meeting.Source{Name: "tz-none", Location: path, Format: meeting.FormatMeetingGuide})
		want := with(map[string]string{"denver-noon-1": " (flagged)", "denver-noon-3": " (flagged)", "denver-noon-5": " (flagged)", "online-only": " (flagged)"})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("zones (-want +got):\n%s", diff)
		}
	})
}

func TestImportedMeetingsAreFindable(t *testing.T) {
	e := newEnv(t)
	rep := e.run(e.write("feed.json", fixture(t)), false)
	if rep.Status != meeting.ImportOK {
		t.Fatalf("import: %+v", countsOf(rep))
	}
	store := postgres.NewMeetingStore(e.db)
	page, err := store.Find(context.Background(), meeting.Filter{Point: orb.Point{-104.99, 39.74}, HasPoint: true, RadiusKM: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range page.Results {
		got = append(got, r.ExternalID)
		if r.NextStart.IsZero() {
			t.Errorf("%s has no next start (zone %q)", r.ExternalID, r.TimeZone)
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"denver-noon-1", "denver-noon-3", "denver-noon-5"}, got); diff != "" {
		t.Errorf("meetings near Denver (-want +got):\n%s", diff)
	}
	// A meeting removed by a later import is no longer found.
	e.run(e.write("less.json", without(fixture(t), "denver-noon")), true)
	page, _ = store.Find(context.Background(), meeting.Filter{Point: orb.Point{-104.99, 39.74}, HasPoint: true, RadiusKM: 5})
	if len(page.Results) != 0 {
		t.Errorf("%d removed meetings still found", len(page.Results))
	}
}

func TestOrganizationRowsAreNotTouched(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	org := int64(42)
	var hasOrgs bool
	e.db.Pool.QueryRow(ctx, `SELECT to_regclass('organizations') IS NOT NULL`).Scan(&hasOrgs)
	if hasOrgs {
		if err := e.db.Pool.QueryRow(ctx, `INSERT INTO organizations (name) VALUES ('Test Intergroup') RETURNING id`).Scan(&org); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.db.Pool.Exec(ctx, `INSERT INTO meetings (source, external_id, name, program, attendance, org_id, day, start_time)
		VALUES ('fixture', 'grace-mon', 'Owned', 'aa', 'in_person', $1, 1, '09:00'), ('fixture', 'owned-other', 'Owned 2', 'aa', 'in_person', $1, 2, '09:00')`, org)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.run(e.write("feed.json", fixture(t)), false)
	e.check(rep, counts{Status: meeting.ImportOK, Parsed: 7, Inserted: 6, Rejected: 2})
	var name string
	var live int
	e.db.Pool.QueryRow(context.Background(), `SELECT name FROM meetings WHERE external_id = 'grace-mon'`).Scan(&name)
	e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM meetings WHERE org_id = $1 AND deleted_at IS NULL`, org).Scan(&live)
	if name != "Owned" || live != 2 {
		t.Errorf("organization rows changed: name %q, %d live", name, live)
	}
}

// TestWrongShapeFails: a JSON file of another shape read as a Meeting
// Guide feed (records with a name, types and a URL, but no day, time,
// address or conference link) fails the run with the reason and leaves the
// source's meetings alone, rather than coming back "ok" with meetings by
// appointment and inactive.
func TestWrongShapeFails(t *testing.T) {
	e := newEnv(t)
	if rep := e.run(e.write("feed.json", fixture(t)), false); rep.Status != meeting.ImportOK {
		t.Fatalf("the first import: %s %s", rep.Status, rep.Error)
	}
	before, _ := e.state()
	rep := e.run(filepath.Join("..", "..", "importers", "meetingguide", "testdata", "directory.json"), true)
	if rep.Status != meeting.ImportFailed || !strings.Contains(rep.Error, "records have neither a schedule (day, time) nor a place") {
		t.Errorf("status %s, error %q; want failed with the reason", rep.Status, rep.Error)
	}
	if after, _ := e.state(); !cmp.Equal(before, after) {
		t.Errorf("the failed run changed the meetings:\n%v\n%v", before, after)
	}
}

// TestReportCountsZonesAndPoints: the report of a run, and the last run
// the store keeps, count the meetings by where their zone came from and
// by their point.
func TestReportCountsZonesAndPoints(t *testing.T) {
	e := newEnv(t)
	recs := []map[string]any{
		// The record's own zone.
		{"slug": "own", "name": "Grace Group", "day": 1, "time": "19:00", "timezone": "America/New_York",
			"formatted_address": "802 Broadway, New York, NY 10003, USA", "latitude": 40.7323, "longitude": -73.9910},
		// Online at a London centroid, on the clock its name says.
		{"slug": "text", "name": "London Daily – 8pm Eastern", "day": 2, "time": "20:00", "conference_url": "https://zoom.us/j/1",
			"city": "London", "country": "UK", "latitude": 51.5072, "longitude": -0.1276},
		// Online without a word about its clock: the online default.
		{"slug": "online", "name": "Night Owls", "day": 6, "time": "23:00", "conference_url": "https://zoom.us/j/2",
			"formatted_address": "Chicago, IL, USA"},
		// In person: the zone at its point.
		{"slug": "denver", "name": "Noon Step Study", "day": 3, "time": "12:00",
			"formatted_address": "1437 Bannock St, Denver, CO 80202, USA", "latitude": 39.7392, "longitude": -104.9903},
		// Scotland by its address, Texas by its point: the point goes, and
		// nothing else says its zone.
		{"slug": "scotland", "name": "Glasgow Friday", "day": 5, "time": "19:30", "address": "1 Example Street", "city": "Glasgow",
			"country": "Scotland", "latitude": 29.7604, "longitude": -95.3698},
	}
	src := meeting.Source{Name: "counts", Location: e.write("feed.json", recs), Format: meeting.FormatMeetingGuide, OnlineTimeZone: "America/New_York"}
	rep := e.im.Run(context.Background(), src, ingest.Options{})
	if rep.Status != meeting.ImportOK {
		t.Fatalf("run: %s %s", rep.Status, rep.Error)
	}
	wantZones := meeting.ZoneCounts{Record: 1, Text: 1, Source: 1, Point: 1, None: 1}
	wantPoints := meeting.PointCounts{None: 2, Contradicted: 1}
	if d := cmp.Diff(wantZones, rep.Zones); d != "" {
		t.Errorf("zones (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantPoints, rep.Points); d != "" {
		t.Errorf("points (-want +got):\n%s", d)
	}
	var b bytes.Buffer
	rep.WriteText(&b)
	for _, line := range []string{"zones from the record 1, its text 1, the source's default 1, the point 1, none 1 (0 disagreeing)",
		"points: 2 meetings without one (1 dropped as contradicting the address), 0 at a centroid, 0 geocoded"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("the text report lacks %q:\n%s", line, b.String())
		}
	}
	srcs, err := e.im.Store.Sources(context.Background())
	if err != nil || len(srcs) != 1 || srcs[0].LastRun == nil {
		t.Fatalf("sources: %+v, %v", srcs, err)
	}
	if last := srcs[0].LastRun; last.Zones != wantZones || last.Points != wantPoints || srcs[0].Source.OnlineTimeZone != "America/New_York" {
		t.Errorf("the stored run: zones %+v, points %+v, online zone %q", last.Zones, last.Points, srcs[0].Source.OnlineTimeZone)
	}
}

// TestCentroidFromOtherSources: a listing with an address and no point is
// placed at the centre of its postal code among every source's listings
// (the places view), marked approximate, and found by a point query
// without a walking distance.
func TestCentroidFromOtherSources(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	with := []map[string]any{
		{"slug": "a1", "name": "Scranton Noon", "day": 1, "time": "12:00", "timezone": "America/New_York",
			"address": "1 Example St", "city": "Scranton", "state": "PA", "postal_code": "18503", "country": "US", "latitude": 41.40, "longitude": -75.66},
		{"slug": "a2", "name": "Scranton Night", "day": 2, "time": "20:00", "timezone": "America/New_York",
			"address": "2 Example St", "city": "Scranton", "state": "PA", "postal_code": "18503", "country": "US", "latitude": 41.42, "longitude": -75.68},
	}
	src := meeting.Source{Name: "with-points", Location: e.write("a.json", with), Format: meeting.FormatMeetingGuide}
	if rep := e.im.Run(ctx, src, ingest.Options{}); rep.Status != meeting.ImportOK {
		t.Fatalf("first source: %s %s", rep.Status, rep.Error)
	}
	places := postgres.NewPlaceStore(e.db)
	if err := places.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	without := []map[string]any{{"slug": "b1", "name": "Downtown Step", "day": 3, "time": "19:00", "timezone": "America/New_York",
		"address": "3 Example St", "city": "Scranton", "state": "PA", "postal_code": "18503", "country": "US"}}
	e.im.Places = places
	defer func() { e.im.Places = nil }()
	rep := e.im.Run(ctx, meeting.Source{Name: "no-points", Location: e.write("b.json", without), Format: meeting.FormatMeetingGuide}, ingest.Options{})
	if rep.Status != meeting.ImportOK || rep.Points.Centroid != 1 || rep.Points.None != 0 {
		t.Fatalf("second source: %s %s, points %+v; want one placed at a centroid", rep.Status, rep.Error, rep.Points)
	}
	page, err := postgres.NewMeetingStore(e.db).Find(ctx, meeting.Filter{Point: orb.Point{-75.67, 41.41}, HasPoint: true, RadiusKM: 5, Sources: []string{"no-points"}})
	if err != nil || len(page.Results) != 1 {
		t.Fatalf("near Scranton: %+v, %v", page.Results, err)
	}
	r := page.Results[0]
	if !r.Location.Approximate || math.Abs(r.Location.Lat()-41.41) > 1e-6 || math.Abs(r.Location.Lng()+75.67) > 1e-6 {
		t.Errorf("placed at %v (approximate %v), want the centre 41.41,-75.67, approximate", r.Location.Point, r.Location.Approximate)
	}
	if _, walk := r.WalkingDistance(); walk {
		t.Error("a meeting placed at a centroid has a walking distance")
	}
}
