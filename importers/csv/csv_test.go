package csv

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"golang.org/x/text/encoding/charmap"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/meetingfinder/meetingfinder/internal/sharedtest"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func opts(mp *Mapping) Options {
	return Options{ImportOptions: meeting.ImportOptions{Source: "test"}, Mapping: mp}
}

func loadMapping(t *testing.T, path string) *Mapping {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mp, err := ParseMapping(f)
	if err != nil {
		t.Fatalf("ParseMapping(%s): %v", path, err)
	}
	return mp
}

func parseFile(t *testing.T, path string, o Options) ([]meeting.Meeting, []meeting.Problem) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ms, ps, err := Parse(bytes.NewReader(data), o)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return ms, ps
}

// summary lists, per line, the ids kept, the field rejected ("(row)" when
// no field) and the fields flagged.
func summary(ms []meeting.Meeting, ps []meeting.Problem, line func(meeting.Meeting) int) map[int]string {
	out := map[int]string{}
	for _, m := range ms {
		out[line(m)] += "kept " + m.ExternalID + ";"
	}
	for _, p := range ps {
		f := p.Field
		if f == "" {
			f = "(row)"
		}
		out[p.Record] += string(p.Severity) + " " + f + ";"
	}
	return out
}

func TestParseTemplate(t *testing.T) {
	ms, ps := parseFile(t, "testdata/template.csv", opts(nil))
	lines := map[string]int{"after-work": 2, "early-evening": 3, "online-coffee": 4, "weekend": 9}
	got := summary(ms, ps, func(m meeting.Meeting) int {
		if n, ok := lines[m.GroupKey]; ok {
			return n
		}
		return 10 + strings.Count(m.ExternalID, "-2") // the generated ids
	})
	gen := ms[len(ms)-2].ExternalID
	want := map[int]string{
		2:  "kept after-work;",
		3:  "kept early-evening;",
		4:  "kept online-coffee;",
		5:  "rejected day;",
		6:  "rejected (row);",
		7:  "rejected (row);",
		9:  "kept weekend-6;kept weekend-0;flagged types;",
		10: "kept " + gen + ";",
		11: "kept " + gen + "-2;",
		12: "rejected (row);",
		13: "rejected name;",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome per line (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(gen, "no-id-group-") {
		t.Errorf("generated id %q, want it to start with the slugified name", gen)
	}
	reasons := map[int]string{}
	for _, p := range ps {
		reasons[p.Record] = p.Reason
	}
	for line, want := range map[int]string{
		6:  "row has 20 fields, header has 19",
		7:  "row has 5 fields, header has 19",
		12: "the same meeting as record 10 (every field equal)",
		9:  "unknown type codes kept as given: Secret Code",
	} {
		if reasons[line] != want {
			t.Errorf("line %d reason = %q, want %q", line, reasons[line], want)
		}
	}

	byID := map[string]meeting.Meeting{}
	for _, m := range ms {
		byID[m.ExternalID] = m
	}
	tests := []struct {
		id   string
		want meeting.Meeting
	}{
		{"after-work", meeting.Meeting{
			Source: "test", ExternalID: "after-work", GroupKey: "after-work", Name: "After Work", Program: meeting.ProgramOther,
			Day: 1, Start: meeting.NewClock(18, 0), End: meeting.NewClock(19, 0), TimeZone: "America/Los_Angeles",
			Types: []string{"O", "X", "B"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Name: "St. Luke's", Address: "2634 Union Ave", City: "San Jose", Region: "CA", PostalCode: "95124", Country: "USA",
				FormattedAddress: "2634 Union Ave, San Jose, CA 95124, USA", Regions: []string{"San Jose", "West"}},
			Notes: "Side door\nRing the bell", Group: "After Work Group", Status: meeting.StatusPublished,
		}},
		{"early-evening", meeting.Meeting{
			Source: "test", ExternalID: "early-evening", GroupKey: "early-evening", Name: "Early Evening", Program: meeting.ProgramOther,
			Day: 2, Start: meeting.NewClock(17, 30), End: meeting.NoClock, Types: []string{"O", "D"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Name: "Hall", Address: "1 Elm St", Country: "US", FormattedAddress: "1 Elm St, US"},
			Status:   meeting.StatusPublished,
		}},
		{"online-coffee", meeting.Meeting{
			Source: "test", ExternalID: "online-coffee", GroupKey: "online-coffee", Name: "Online Coffee", Program: meeting.ProgramOther,
			Day: 3, Start: meeting.NewClock(7, 0), End: meeting.NoClock, Types: []string{"D"}, Attendance: meeting.AttendanceOnline,
			Location: meeting.Location{City: "Chicago", Region: "IL", Country: "USA", FormattedAddress: "Chicago, IL, USA", Approximate: true},
			Online:   meeting.Online{URL: "https://zoom.us/j/1", Phone: "(312) 555-0100"}, Status: meeting.StatusPublished,
		}},
		{"weekend-0", meeting.Meeting{
			Source: "test", ExternalID: "weekend-0", GroupKey: "weekend", Name: "Weekend", Program: meeting.ProgramOther,
			Day: 0, Start: meeting.NewClock(9, 0), End: meeting.NoClock, Types: []string{"C", "ST", "Secret Code"}, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Name: "Hall", Address: "1 Elm St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "USA",
				FormattedAddress: "1 Elm St, Springfield, IL 62701, USA"},
			Status: meeting.StatusPublished,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, byID[tt.id]); diff != "" {
				t.Errorf("meeting (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEncodings(t *testing.T) {
	tests := []struct {
		name, file, encoding string
		wantName, wantCity   string
	}{
		{"windows-1252 detected, CR line ends", "testdata/legacy-cr.tsv", "", "Caf\u00e9 Society", ""},
		{"windows-1252 named", "testdata/legacy-cr.tsv", "windows-1252", "Caf\u00e9 Society", ""},
		{"macintosh named", "testdata/macroman.csv", "macintosh", "Caf\u00e9 Group", "Montr\u00e9al"},
		{"macintosh bytes read as windows-1252 when not named", "testdata/macroman.csv", "", "Caf\u017d Group", "Montr\u017dal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts(nil)
			o.Encoding = tt.encoding
			ms, _ := parseFile(t, tt.file, o)
			if len(ms) != 1 {
				t.Fatalf("got %d meetings, want 1", len(ms))
			}
			if ms[0].Name != tt.wantName || ms[0].Location.City != tt.wantCity {
				t.Errorf("name, city = %q, %q; want %q, %q", ms[0].Name, ms[0].Location.City, tt.wantName, tt.wantCity)
			}
		})
	}
	ms, ps := parseFile(t, "testdata/legacy-cr.tsv", opts(nil))
	want := meeting.Location{Name: "St. Ren\u00e9e\u2019s", Address: "7 West 55th Street, 5th Floor", Country: "US",
		FormattedAddress: "7 West 55th Street, 5th Floor, US", Regions: []string{"M"}}
	if diff := cmp.Diff(want, ms[0].Location); diff != "" {
		t.Errorf("location (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"C", "W"}, ms[0].Types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if ms[0].Notes != "Cross street: 5th Ave\nBasement" {
		t.Errorf("notes = %q", ms[0].Notes)
	}
	if len(ps) != 1 || ps[0].Record != 3 || ps[0].Field != "day" || ps[0].Severity != meeting.Rejected {
		t.Errorf("problems = %+v, want line 3 rejected for its day", ps)
	}
}

func TestParseWithMapping(t *testing.T) {
	t.Run("headerless", func(t *testing.T) {
		ms, ps := parseFile(t, "testdata/headerless.tsv", opts(loadMapping(t, "testdata/headerless.mapping.json")))
		var got []string
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%s %s %s %v %s", m.ExternalID, m.Day, m.Start, m.Types, m.Location.FormattedAddress))
		}
		want := []string{
			"21 Sunday 09:00 [O X] 2060 S. Bascom Ave., Campbell, CA",
			"24 Saturday 10:00 [W C] 16870 Murphy Ave., Morgan Hill, CA",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("meetings (-want +got):\n%s", diff)
		}
		if len(ps) != 0 {
			t.Errorf("problems: %v", ps)
		}
		if ms[0].Location.Regions[0] != "Campbell" {
			t.Errorf("regions = %v", ms[0].Location.Regions)
		}
	})
	t.Run("packed coordinates, combined types, day and type names", func(t *testing.T) {
		ms, ps := parseFile(t, "testdata/packed.csv", opts(loadMapping(t, "testdata/packed.mapping.json")))
		var got []string
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%s %s %v %v %v", m.Day, m.Start, m.Types, m.Location.HasPoint, m.Location.Point))
		}
		want := []string{
			"Monday 17:30 [O D] true " + fmt.Sprint(orb.Point{-76.619945, 39.390795}),
			"Tuesday 07:00 [C BE ST] false [0 0]",
			"Wednesday 12:00 [O D] false [0 0]",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("meetings (-want +got):\n%s", diff)
		}
		var probs []string
		for _, p := range ps {
			probs = append(probs, fmt.Sprintf("%d %s %s", p.Record, p.Severity, p.Field))
		}
		if diff := cmp.Diff([]string{"3 flagged location.lat", "4 flagged location.lng"}, probs); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
	})
	t.Run("comma option", func(t *testing.T) {
		in := "Name;Day;Time;City;ID\nA;1;10:00;X;a\n"
		o := opts(nil)
		o.Comma = ';'
		ms, ps, err := Parse(strings.NewReader(in), o)
		if err != nil || len(ms) != 1 || len(ps) != 0 {
			t.Fatalf("Parse = %d meetings, %v, %v", len(ms), ps, err)
		}
	})
	t.Run("program column", func(t *testing.T) {
		in := "Name,Day,Time,City,ID,Program\nA,1,10:00,X,a,NA\nB,1,10:00,X,b,\n"
		ms, _, err := Parse(strings.NewReader(in), opts(nil))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]meeting.Program{meeting.ProgramNA, meeting.ProgramOther}, []meeting.Program{ms[0].Program, ms[1].Program}); diff != "" {
			t.Errorf("programs (-want +got):\n%s", diff)
		}
	})
}

func TestParseNotASpreadsheet(t *testing.T) {
	bad := false
	tests := []struct {
		name string
		in   string
		o    Options
	}{
		{"empty", "", opts(nil)},
		{"no name column", "a,b,c\n1,2,3\n", opts(nil)},
		{"json", `[{"name":"x"}]`, opts(nil)},
		{"mapping names a missing column", "Name,Day\nA,1\n", opts(&Mapping{Columns: map[string]Columns{"time": {"Start Time"}}})},
		{"mapping headerless without header", "A,1\n", opts(&Mapping{HasHeader: &bad})},
		{"unknown encoding", "Name\nA\n", Options{Encoding: "ebcdic"}},
		{"not utf-8 when utf-8 is named", "Name\nCaf\xe9\n", Options{Encoding: "utf-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, ps, err := Parse(strings.NewReader(tt.in), tt.o)
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("err = %v, want KindInvalid", err)
			}
			if ms != nil || ps != nil {
				t.Errorf("got results with the error")
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"columns string and array", `{"columns": {"name": "N", "types": ["A", "B"]}}`, true},
		{"headerless", `{"has_header": false, "header": ["name"], "delimiter": "\t"}`, true},
		{"unknown field", `{"columns": {"colour": "C"}}`, false},
		{"unknown key", `{"colums": {}}`, false},
		{"column not a string", `{"columns": {"name": 3}}`, false},
		{"long delimiter", `{"delimiter": "::"}`, false},
		{"quote delimiter", `{"delimiter": "\""}`, false},
		{"day out of range", `{"day_names": {"x": 7}}`, false},
		{"headerless without header", `{"has_header": false}`, false},
		{"not json", `columns: x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping(strings.NewReader(tt.in))
			if tt.ok && err != nil {
				t.Fatalf("err = %v", err)
			}
			if !tt.ok && !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("err = %v, want KindInvalid", err)
			}
		})
	}
}

// sharedData returns the folder of real sample files, skipping the test
// when it is absent (see internal/sharedtest).
func sharedData(t *testing.T) string {
	t.Helper()
	return sharedtest.Data(t)
}

type counts struct{ Meetings, Rejected, Flagged int }

func TestSharedData(t *testing.T) {
	dir := filepath.Join(sharedData(t), "csv")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("../shared/data not present: nothing in %s", dir)
	}
	// Checked with Python's csv module: see each comment.
	want := map[string]struct {
		mapping string
		counts
	}{
		// 36 rows, all valid.
		"tsml-template.csv": {"", counts{Meetings: 36}},
		// 598 headerless rows, all valid.
		"tsml-export-2014.tsv": {"tsml-export-2014", counts{Meetings: 598}},
		// 3,685 rows: 14 repeat an earlier row exactly, 8 more have a time but no day;
		// 201 keep type labels the mapping does not know.
		// 47 rows say "Promises" or "Topic", types of other programs' vocabularies now (PROMISES, TOP).
		"nyintergroup-import.tsv": {"nyintergroup", counts{Meetings: 3663, Rejected: 22, Flagged: 154}},
		// 822 rows: one with 17 fields, 3 exact repeats; 4 at "0", one longitude
		// out of range, 4 with unknown type words ("Step", "Discuussion").
		"baltimore.csv": {"baltimore", counts{Meetings: 818, Rejected: 4, Flagged: 9}},
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expected counts for %s: check it by hand and add them", name)
			}
			var mp *Mapping
			if w.mapping != "" {
				mp = loadMapping(t, filepath.Join("testdata", w.mapping+".mapping.json"))
			}
			ms, ps := parseFile(t, path, Options{ImportOptions: meeting.ImportOptions{Source: name}, Mapping: mp})
			rej, fl := map[int]bool{}, map[int]bool{}
			for _, p := range ps {
				if p.Severity == meeting.Rejected {
					rej[p.Record] = true
				} else {
					fl[p.Record] = true
				}
			}
			got := counts{Meetings: len(ms), Rejected: len(rej), Flagged: len(fl)}
			if diff := cmp.Diff(w.counts, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			for _, m := range ms {
				if err := m.Validate(); err != nil {
					t.Errorf("meeting %s: %v", m.ExternalID, err)
				}
			}
		})
	}
}

// readRows reads a shared CSV file with encoding/csv, independently of Parse.
func readRows(t *testing.T, path string, comma rune) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = comma, -1, true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSharedDataFields(t *testing.T) {
	dir := filepath.Join(sharedData(t), "csv")
	t.Run("tsml template", func(t *testing.T) {
		rows := readRows(t, filepath.Join(dir, "tsml-template.csv"), ',')
		ms, _ := parseFile(t, filepath.Join(dir, "tsml-template.csv"), opts(nil))
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for i, row := range rows[1:] {
			m := ms[i]
			start, _ := record.ParseTime(row[col["Time"]])
			if m.ExternalID != row[col["Slug"]] || m.Name != row[col["Name"]] || m.Start != start ||
				m.Day.String() != row[col["Day"]] || m.Location.FormattedAddress != row[col["Address"]] || m.TimeZone != row[col["Timezone"]] {
				t.Errorf("row %d: got %s %q %s %s %q %s; row %v", i+2, m.ExternalID, m.Name, m.Start, m.Day, m.Location.FormattedAddress, m.TimeZone, row)
			}
			if got, want := len(m.Types), len(strings.Split(row[col["Types"]], ",")); got > want {
				t.Errorf("row %d: %d types from %q", i+2, got, row[col["Types"]])
			}
		}
	})
	t.Run("baltimore P/A times, day names and packed coordinates", func(t *testing.T) {
		rows := readRows(t, filepath.Join(dir, "baltimore.csv"), ',')
		ms, _ := parseFile(t, filepath.Join(dir, "baltimore.csv"), opts(loadMapping(t, "testdata/baltimore.mapping.json")))
		got := map[string]bool{}
		for _, m := range ms {
			p := ""
			if m.Location.HasPoint {
				p = fmt.Sprintf("%g,%g", m.Location.Lat(), m.Location.Lng())
			}
			got[fmt.Sprintf("%s|%d|%s|%s", m.Name, m.Day, m.Start, p)] = true
		}
		for i, row := range rows[1:] {
			if len(row) != 16 {
				continue
			}
			var day, h, min int
			fmt.Sscan(row[6], &day) // mDayNo: 1 = Sunday
			if _, err := fmt.Sscanf(row[8], "%d:%d", &h, &min); err != nil {
				t.Fatalf("row %d: mTime %q: %v", i+2, row[8], err)
			}
			switch ap := strings.TrimSpace(strings.TrimLeft(row[8][strings.Index(row[8], ":")+1:], "0123456789")); {
			case strings.HasPrefix(ap, "P"):
				h = h%12 + 12
			case strings.HasPrefix(ap, "A"):
				h %= 12
			}
			p := ""
			if lat, lng, ok := strings.Cut(row[15], ","); ok && !strings.HasPrefix(lng, "-76551") {
				var y, x float64
				fmt.Sscan(lat, &y)
				fmt.Sscan(lng, &x)
				p = fmt.Sprintf("%g,%g", y, x)
			}
			key := fmt.Sprintf("%s|%d|%02d:%02d|%s", row[1], day-1, h, min, p)
			if !got[key] {
				t.Errorf("row %d: no meeting %s", i+2, key)
			}
		}
	})
	t.Run("nyintergroup double mojibake and CR line ends", func(t *testing.T) {
		// The file is not UTF-8: its "’" and "–" went through Mac Roman
		// and Windows-1252 twice ("Q & A‰Ûªs" read one way, "Q & Aäó»s"
		// the other). The repair gives back the punctuation.
		ms, _ := parseFile(t, filepath.Join(dir, "nyintergroup-import.tsv"), opts(loadMapping(t, "testdata/nyintergroup.mapping.json")))
		var repaired int
		for _, m := range ms {
			text := m.Name + m.Location.Name + m.Location.Address + m.Notes
			if strings.ContainsRune(text, '\ufffd') {
				t.Fatalf("meeting %s has a replacement character", m.ExternalID)
			}
			if strings.Contains(text, "äó") || strings.Contains(text, "‰Û") {
				t.Errorf("meeting %s keeps mojibake: %q", m.ExternalID, m.Notes)
			}
			if strings.ContainsAny(text, "’–") {
				repaired++
			}
			if strings.Contains(m.Notes, "<br>") || m.Location.City == "NULL" {
				t.Fatalf("meeting %s keeps <br> or NULL: %+v", m.ExternalID, m)
			}
		}
		if repaired == 0 {
			t.Errorf("no ’ or – repaired")
		}
		t.Logf("%d meetings with repaired punctuation", repaired)
	})
}

func TestErrorsAs(t *testing.T) {
	_, _, err := Parse(strings.NewReader("x\n1\n"), opts(nil))
	var e *meeting.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "no Name column") {
		t.Errorf("err = %v, want a *meeting.Error about the Name column", err)
	}
}

// TestWrongShape: a spreadsheet with a Name column but none of the
// columns that give a meeting its schedule and its place (a contact list,
// a directory export) is refused with a reason, not imported as meetings
// by appointment.
func TestWrongShape(t *testing.T) {
	in := "Name,Notes,Website\nMorning Serenity,Open,https://example.org/1\nLunch Bunch,Closed,https://example.org/2\nBig Book,Study,https://example.org/3\n"
	ms, ps, err := Parse(strings.NewReader(in), Options{ImportOptions: meeting.ImportOptions{Source: "s"}})
	if !meeting.IsKind(err, meeting.KindInvalid) || ms != nil || ps != nil || !strings.Contains(err.Error(), "3 of 3 records have neither a schedule") {
		t.Errorf("%d meetings, %d problems, %v; want it refused as not a meeting spreadsheet", len(ms), len(ps), err)
	}
	ok := "Name,Day,Time,City\nA,Monday,7pm,Sampletown\nB,,,Sampletown\n"
	if _, _, err := Parse(strings.NewReader(ok), Options{ImportOptions: meeting.ImportOptions{Source: "s"}}); err != nil {
		t.Errorf("a small sheet with one meeting by appointment: %v", err)
	}
}

// TestEncodingsRepaired: UTF-16 exports (either byte order, with a BOM)
// are read as UTF-16; text garbled by the wrong encodings on its way
// (once in a UTF-8 file, once or twice through Mac Roman in a legacy
// file) is given back; a file in Windows-1252 proper is left alone.
func TestEncodingsRepaired(t *testing.T) {
	sheet := "Name\tDay\tTime\tCity\nCoco’s – Café Group\tMonday\t7pm\tSão Paulo\n"
	utf16 := func(order binary.AppendByteOrder, bom []byte) []byte {
		b := append([]byte(nil), bom...)
		for _, u := range utf16.Encode([]rune(sheet)) {
			b = order.AppendUint16(b, u)
		}
		return b
	}
	// garble reads UTF-8 as Windows-1252 and saves it as Mac Roman: what
	// a Mac spreadsheet did to the real listing, once per call.
	garble := func(b []byte) []byte {
		s, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			t.Fatal(err)
		}
		out, err := charmap.Macintosh.NewEncoder().Bytes(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	once, _ := charmap.Windows1252.NewDecoder().Bytes([]byte(sheet)) // UTF-8 shown as Windows-1252, saved as UTF-8
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-16LE with a BOM", utf16(binary.LittleEndian, []byte{0xff, 0xfe}), "Coco’s – Café Group|São Paulo"},
		{"UTF-16BE with a BOM", utf16(binary.BigEndian, []byte{0xfe, 0xff}), "Coco’s – Café Group|São Paulo"},
		{"garbled once in a UTF-8 file", once, "Coco’s – Café Group|São Paulo"},
		{"garbled twice through Mac Roman", garble(garble([]byte(sheet))), "Coco’s – Café Group|São Paulo"},
		{"garbled once through Mac Roman", garble([]byte(sheet)), "Coco’s – Café Group|São Paulo"},
		{"Windows-1252 proper", []byte("Name\tDay\tTime\tCity\nCaf\xe9 Group\tMonday\t7pm\tS\xe3o Paulo\n"), "Café Group|São Paulo"},
		{"UTF-8 proper", []byte(sheet), "Coco’s – Café Group|São Paulo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, ps, err := Parse(bytes.NewReader(tc.in), Options{ImportOptions: meeting.ImportOptions{Source: "s"}})
			if err != nil || len(ms) != 1 {
				t.Fatalf("%d meetings, %v, %v", len(ms), ps, err)
			}
			if got := ms[0].Name + "|" + ms[0].Location.City; got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFellowshipColumn: a sheet's own words for the fellowship ("Cocaine
// Anonymous", "C.A.", "Nar Anon") give the program, not "other".
func TestFellowshipColumn(t *testing.T) {
	in := "Name,Fellowship,Day,Time,City\nFriday Night,Cocaine Anonymous,Friday,8pm,Sampletown\nHope,C.A.,Monday,7pm,Sampletown\n" +
		"Family,Nar Anon,Tuesday,7pm,Sampletown\nStep,Women for Sobriety,Wednesday,7pm,Sampletown\nOdd,Martians Anonymous,Thursday,7pm,Sampletown\n"
	ms, ps, err := Parse(strings.NewReader(in), Options{ImportOptions: meeting.ImportOptions{Source: "s"}})
	if err != nil || len(ms) != 5 {
		t.Fatalf("%d meetings, %v", len(ms), err)
	}
	var got []meeting.Program
	for _, m := range ms {
		got = append(got, m.Program)
	}
	want := []meeting.Program{meeting.ProgramCA, meeting.ProgramCA, meeting.ProgramNarAnon, meeting.ProgramWFS, meeting.ProgramOther}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("programs (-want +got):\n%s", d)
	}
	if len(ps) != 1 || ps[0].Field != "program" {
		t.Errorf("problems %+v, want one flag for the unknown fellowship", ps)
	}
}

// TestMaintainerColumns: a sheet's Feedback Emails (a comma list),
// Feedback URL and Entity columns (Entity Website URL as the spec's table
// names it) are kept per meeting.
func TestMaintainerColumns(t *testing.T) {
	in := "Name,Day,Time,City,Feedback Emails,Feedback URL,Entity,Entity Email,Entity Phone,Entity Website URL\n" +
		"Noon,Monday,12pm,Sampletown,\"a@example.org, b@example.org\",mailto:fix@example.org,Sample Intergroup,office@example.org,+1-570-555-0100,https://intergroup.example.org\n"
	ms, ps, err := Parse(strings.NewReader(in), Options{ImportOptions: meeting.ImportOptions{Source: "s"}})
	if err != nil || len(ms) != 1 {
		t.Fatalf("%d meetings, %v, %+v", len(ms), err, ps)
	}
	want := meeting.Maintainer{FeedbackEmails: []string{"a@example.org", "b@example.org"}, FeedbackURL: "mailto:fix@example.org",
		Entity: "Sample Intergroup", EntityEmail: "office@example.org", EntityPhone: "+1-570-555-0100", EntityURL: "https://intergroup.example.org"}
	if d := cmp.Diff(want, ms[0].Maintainer); d != "" {
		t.Errorf("maintainer (-want +got):\n%s", d)
	}
}
