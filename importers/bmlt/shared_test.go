package bmlt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/sharedtest"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// sharedDir returns the folder of real BMLT files (../shared/data/bmlt
// beside the repository, or $MF_SHARED_DATA/bmlt), skipping the test when
// it is absent. The files are never copied into the repository.
func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(sharedtest.Data(t), "bmlt")
}

// sharedCatalog reads the real catalog files of the shared folder.
func sharedCatalog(t *testing.T, dir string) Catalog {
	t.Helper()
	fs, err := ParseFormats(openFile(t, filepath.Join(dir, "formats.json")))
	if err != nil {
		t.Fatal(err)
	}
	bs, err := ParseServiceBodies(openFile(t, filepath.Join(dir, "service-bodies.json")))
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseServerInfo(openFile(t, filepath.Join(dir, "server-info.json")))
	if err != nil {
		t.Fatal(err)
	}
	return Catalog{Formats: fs, ServiceBodies: bs, DefaultPoint: info.DefaultPoint}
}

// counts returns accepted, rejected and flagged record counts.
func counts(ms []meeting.Meeting, ps []meeting.Problem) [3]int {
	rej, fl := map[int]bool{}, map[int]bool{}
	for _, p := range ps {
		if p.Severity == meeting.Rejected {
			rej[p.Record] = true
		} else {
			fl[p.Record] = true
		}
	}
	return [3]int{len(ms), len(rej), len(fl)}
}

// The counts below were worked out by hand from the files with python3:
// the helpline files hold only service_body_bigint/latitude/longitude, so
// every record lacks an id, a weekday and a start time; in the day files
// every meeting is valid, and the flagged ones are those with a format whose
// world_id is outside the vocabulary map (BT, IP, IW, JFT, LC, QA, SWG,
// TOP, VAR).
//
// A helpline file of ten records or more is refused as a whole (refused):
// none of its records has a schedule, so it is not a list of meetings
// (meeting.RecordShape), and importing it would be "ok" with nothing in it.
var sharedSearchCounts = map[string][3]int{ // accepted, rejected, flagged
	"helpline-search-14456.json":           refused,
	"helpline-search-brooklyn-nc.json":     {0, 0, 0},
	"helpline-search-brooklyn-ny.json":     refused,
	"helpline-search-buffalo-ny.json":      refused,
	"helpline-search-empty.json":           {0, 0, 0},
	"helpline-search-geneva-ny.json":       refused,
	"helpline-search-geneva-override.json": refused,
	"meeting-search-0-0.json":              {0, 0, 0},
	// NA's own formats (JFT, BT, IP, TOP, VAR, …) are codes of the
	// vocabulary, no longer flagged as unknown.
	"meeting-search-42.867970-day2.json": {53, 0, 0},
	"meeting-search-42.867970-day3.json": {54, 0, 1},
	"meeting-search-42.867970-day4.json": {62, 0, 2},
}

// refused marks a file Parse refuses as a whole in sharedSearchCounts.
var refused = [3]int{-1, -1, -1}

func TestSharedSearchResults(t *testing.T) {
	dir := sharedDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*search*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(sharedSearchCounts) {
		t.Errorf("found %d GetSearchResults files, the table knows %d: add the new ones", len(files), len(sharedSearchCounts))
	}
	for _, withCatalog := range []bool{false, true} {
		cat := Catalog{}
		if withCatalog {
			cat = sharedCatalog(t, dir)
		}
		for _, path := range files {
			name := filepath.Base(path)
			t.Run(name+"/catalog="+strconv.FormatBool(withCatalog), func(t *testing.T) {
				want, ok := sharedSearchCounts[name]
				if !ok {
					t.Fatalf("no expected counts for %s", name)
				}
				ms, ps, err := Parse(openFile(t, path), cat, testOpts)
				if want == refused {
					if !meeting.IsKind(err, meeting.KindInvalid) || !strings.Contains(err.Error(), "no schedule (weekday_tinyint, start_time)") || ms != nil || ps != nil {
						t.Errorf("%d meetings, %d problems, error %v; want the file refused for having no schedules", len(ms), len(ps), err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := counts(ms, ps); got != want {
					t.Errorf("accepted, rejected, flagged = %v, want %v", got, want)
				}
				for _, p := range ps {
					if p.Reason == "" || p.Record < 1 {
						t.Errorf("problem without reason or record: %+v", p)
					}
				}
				checkAgainstRaw(t, path, ms)
			})
		}
	}
}

// checkAgainstRaw decodes the file on its own and compares every accepted
// meeting's plain fields with the raw record of the same id.
func checkAgainstRaw(t *testing.T, path string, ms []meeting.Meeting) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]string
	if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		var obj struct{ Meetings []map[string]string }
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		raw = obj.Meetings
	} else if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]string{}
	for _, r := range raw {
		byID[r["id_bigint"]] = r
	}
	for _, m := range ms {
		r, ok := byID[m.ExternalID]
		if !ok {
			t.Errorf("meeting %s is not in the file", m.ExternalID)
			continue
		}
		day, _ := strconv.Atoi(r["weekday_tinyint"])
		lat, _ := strconv.ParseFloat(r["latitude"], 64)
		lng, _ := strconv.ParseFloat(r["longitude"], 64)
		want := []any{r["meeting_name"], meeting.Weekday(day - 1), r["start_time"][:5], r["location_text"], r["location_street"],
			r["location_municipality"], r["location_province"], r["location_info"], orb.Point{lng, lat}, meeting.AttendanceInPerson}
		got := []any{m.Name, m.Day, m.Start.String(), m.Location.Name, m.Location.Address,
			m.Location.City, m.Location.Region, m.Location.Notes, m.Location.Point, m.Attendance}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("meeting %s (-want +got):\n%s", m.ExternalID, diff)
		}
	}
}

func TestSharedSearchSpotChecks(t *testing.T) {
	dir := sharedDir(t)
	find := func(t *testing.T, file, id string) meeting.Meeting {
		t.Helper()
		ms, _, err := Parse(openFile(t, filepath.Join(dir, file)), Catalog{}, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ExternalID == id {
				return m
			}
		}
		t.Fatalf("%s: no meeting %s", file, id)
		return meeting.Meeting{}
	}
	tests := []struct {
		name      string
		file, id  string
		wantTypes []string
	}{
		// "O,RF,To": Open, Rotating Format (VAR), Topic (TOP).
		{"day2 2566", "meeting-search-42.867970-day2.json", "2566", []string{"O", "TOP", "VAR"}},
		// "O,B,BT,D,St,WC": B is Beginners (BEG → BE) here, not Big Book.
		{"day3 1795", "meeting-search-42.867970-day3.json", "1795", []string{"BE", "BT", "D", "O", "ST", "X"}},
		// "O,RF,WC,NS": NS (no smoking) is a legacy vocabulary code.
		{"day4 2533", "meeting-search-42.867970-day4.json", "2533", []string{"NS", "O", "VAR", "X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := find(t, tt.file, tt.id)
			if diff := cmp.Diff(tt.wantTypes, m.Types); diff != "" {
				t.Errorf("types (-want +got):\n%s", diff)
			}
			if m.End != meeting.NoClock || m.TimeZone != "" || m.GroupKey != tt.id || m.Source != testSource || m.Program != meeting.ProgramNA {
				t.Errorf("End %v, TimeZone %q, GroupKey %q, Source %q, Program %q; want no end, no zone, the id, %q, na", m.End, m.TimeZone, m.GroupKey, m.Source, m.Program, testSource)
			}
		})
	}
	t.Run("helpline records say what is missing", func(t *testing.T) {
		// The first three records: too few to refuse the input as a
		// whole, so each is rejected with its reasons.
		data, err := os.ReadFile(filepath.Join(dir, "helpline-search-14456.json"))
		if err != nil {
			t.Fatal(err)
		}
		var records []json.RawMessage
		if err := json.Unmarshal(data, &records); err != nil || len(records) < 3 {
			t.Fatalf("%d records, %v", len(records), err)
		}
		three, _ := json.Marshal(records[:3])
		_, ps, err := Parse(bytes.NewReader(three), Catalog{}, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, p := range ps {
			if p.Record == 1 {
				fields = append(fields, p.Field)
			}
		}
		if diff := cmp.Diff([]string{"day", "external_id", "start_time"}, fields); diff != "" {
			t.Errorf("fields of record 1 (-want +got):\n%s", diff)
		}
	})
}

func TestSharedFormats(t *testing.T) {
	dir := sharedDir(t)
	fs, err := ParseFormats(openFile(t, filepath.Join(dir, "formats.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 44 {
		t.Errorf("formats.json: %d formats, want 44", len(fs))
	}
	want := Format{ID: "1", KeyString: "B", Name: "Beginners", Description: "This meeting is focused on the needs of new members of NA.", Lang: "en", WorldID: "BEG", Type: "FC3"}
	if diff := cmp.Diff(want, fs[0]); diff != "" {
		t.Errorf("formats.json first format (-want +got):\n%s", diff)
	}

	en, err := ParseFormats(openFile(t, filepath.Join(dir, "german-formats-en.json")))
	if err != nil {
		t.Fatal(err)
	}
	de, err := ParseFormats(openFile(t, filepath.Join(dir, "german-formats-de.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(en) != 67 || len(de) != 73 {
		t.Errorf("german formats: %d en, %d de; want 67, 73", len(en), len(de))
	}
	deByID := map[string]Format{}
	for _, f := range de {
		deByID[f.ID] = f
	}
	common := 0
	for _, f := range en {
		g, ok := deByID[f.ID]
		if !ok {
			t.Errorf("format id %s (%s) is in en but not in de", f.ID, f.KeyString)
			continue
		}
		common++
		if f.WorldID != g.WorldID {
			t.Errorf("format id %s: world_id %q in en, %q in de", f.ID, f.WorldID, g.WorldID)
		}
		var ce, cd codes
		ce.addFormat(f)
		cd.addFormat(g)
		if diff := cmp.Diff(ce.list(), cd.list()); diff != "" {
			t.Errorf("format id %s maps differently (-en +de):\n%s", f.ID, diff)
		}
	}
	if common != 67 {
		t.Errorf("%d ids in common, want 67", common)
	}
	// The LANG formats map by their key_string's language.
	var c codes
	for _, f := range de {
		if f.WorldID == "LANG" || f.Type == "LANG" {
			c.addFormat(f)
		}
	}
	if diff := cmp.Diff([]string{"AR", "DE", "EN", "FA", "FR", "HU", "POL", "RUS", "S", "UK"}, c.list()); diff != "" {
		t.Errorf("language types (-want +got):\n%s", diff)
	}
	if got, want := c.report(), "formats not mapped: hbs Serbo-Croatisch (language not recognised)"; got != want {
		t.Errorf("language report = %q, want %q", got, want)
	}
}

func TestSharedServiceBodiesAndServerInfo(t *testing.T) {
	dir := sharedDir(t)
	bs, err := ParseServiceBodies(openFile(t, filepath.Join(dir, "service-bodies.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 44 {
		t.Errorf("%d service bodies, want 44", len(bs))
	}
	if got, want := newBodyIndex(bs).chain("1001", ""), []string{"Eastern New York Region", "Suffolk Area Service"}; !cmp.Equal(got, want) {
		t.Errorf("chain of 1001 = %q, want %q", got, want)
	}

	info, err := ParseServerInfo(openFile(t, filepath.Join(dir, "server-info.json")))
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "4.2.6" || info.VersionInt != 4002006 || len(info.Langs) != 12 || info.NativeLang != "en" || info.AggregatorMode {
		t.Errorf("server info = %+v", info)
	}
	if info.DefaultPoint == nil || *info.DefaultPoint != (orb.Point{-118.563659, 34.235918}) {
		t.Errorf("DefaultPoint = %v, want [-118.563659 34.235918]", info.DefaultPoint)
	}
	// This real server never moved its centre from BMLT's stock default:
	// a virtual meeting given it must lose it, with or without the info.
	if info.DefaultPoint == nil || !near(*info.DefaultPoint, StockDefaultPoint) {
		t.Errorf("the real server's centre %v is not recognised as BMLT's stock default", info.DefaultPoint)
	}
	virtual := `[{"id_bigint":"1","weekday_tinyint":"2","start_time":"19:00:00","venue_type":"2","latitude":"` +
		strconv.FormatFloat(info.DefaultPoint.Lat(), 'f', -1, 64) + `","longitude":"` + strconv.FormatFloat(info.DefaultPoint.Lon(), 'f', -1, 64) + `","meeting_name":"V","virtual_meeting_link":"https://meet.example.org/j/1"}]`
	for _, cat := range []Catalog{{}, {DefaultPoint: info.DefaultPoint}} {
		ms, _, err := Parse(strings.NewReader(virtual), cat, testOpts)
		if err != nil || len(ms) != 1 || ms[0].Location.HasPoint {
			t.Errorf("virtual meeting at the real server's centre (catalog %v): %+v, %v; want it kept without a point", cat.DefaultPoint != nil, ms, err)
		}
	}
	if info.DefaultDuration.Minutes() != 60 {
		t.Errorf("DefaultDuration = %v, want 1h", info.DefaultDuration)
	}
}

func TestSharedNAWS(t *testing.T) {
	dir := sharedDir(t)
	path := filepath.Join(dir, "naws-export-capecod.csv")
	ms, ps, err := ParseNAWS(openFile(t, path), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	// 39 rows; the last (line 40, bmlt_id 260) is marked Delete=D and
	// unpublished. 23 rows carry NA's own NAWS codes (JFT, IP, TOP, VAR,
	// BT, counted with python3), which are codes of the vocabulary: none
	// is flagged.
	if got, want := counts(ms, ps), [3]int{38, 1, 0}; got != want {
		t.Errorf("accepted, rejected, flagged = %v, want %v", got, want)
	}
	var rejected []string
	for _, p := range ps {
		if p.Severity == meeting.Rejected {
			rejected = append(rejected, strconv.Itoa(p.Record)+" "+p.ExternalID+" "+p.Field)
		}
	}
	if diff := cmp.Diff([]string{"40 260 status"}, rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}

	// Compare every meeting with its row, read here on its own.
	f := openFile(t, path)
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[col["bmlt_id"]]] = r
	}
	days := map[string]meeting.Weekday{"Sunday": 0, "Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6}
	for _, m := range ms {
		r := byID[m.ExternalID]
		if r == nil {
			t.Errorf("meeting %s is not in the file", m.ExternalID)
			continue
		}
		get := func(c string) string { return r[col[c]] }
		lat, _ := strconv.ParseFloat(get("Latitude"), 64)
		lng, _ := strconv.ParseFloat(get("Longitude"), 64)
		want := []any{get("CommitteeName"), get("Committee"), days[get("Day")], get("Time")[:2] + ":" + get("Time")[2:], get("Place"), get("Address"),
			get("City"), get("State"), get("Zip"), get("Country"), get("Directions"), orb.Point{lng, lat}, []string{"Cape Cod Area"}}
		got := []any{m.Name, m.GroupKey, m.Day, m.Start.String(), m.Location.Name, m.Location.Address,
			m.Location.City, m.Location.Region, m.Location.PostalCode, m.Location.Country, m.Location.Notes, m.Location.Point, m.Location.Regions}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("meeting %s (-want +got):\n%s", m.ExternalID, diff)
		}
		open := get("Closed") == "OPEN"
		if contains(m.Types, "O") != open || contains(m.Types, "C") == open {
			t.Errorf("meeting %s: types %v, Closed %q", m.ExternalID, m.Types, get("Closed"))
		}
	}
	// Spot check: bmlt_id 96, "Falmouth", Sunday 07:30, DISC + JFT, open.
	for _, m := range ms {
		if m.ExternalID == "96" {
			if diff := cmp.Diff([]string{"D", "JFT", "O"}, m.Types); diff != "" {
				t.Errorf("96 types (-want +got):\n%s", diff)
			}
			if m.Location.FormattedAddress != "68 Main Street, Falmouth, MA 02540, US" {
				t.Errorf("96 formatted address = %q", m.Location.FormattedAddress)
			}
		}
		if m.ExternalID == "535" {
			// CLOSED, JFT, M, VAR.
			if diff := cmp.Diff([]string{"C", "JFT", "M", "VAR"}, m.Types); diff != "" {
				t.Errorf("535 types (-want +got):\n%s", diff)
			}
		}
	}
}
