package bmlt

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// nawsDays maps NAWS day names (and their usual three-letter forms) to 0–6.
var nawsDays = map[string]int{
	"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
	"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
}

// nawsRow gives a CSV row's values by lower-case column name.
type nawsRow struct {
	cols   map[string]int
	fields []string
}

func (r nawsRow) get(name string) string {
	i, ok := r.cols[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(strings.ToValidUTF8(r.fields[i], "\uFFFD"))
}

// nawsRawColumns are the columns quoted in a problem's Raw excerpt: the
// meeting's own fields, never the contact columns (ContactName, ContactPhone, …).
var nawsRawColumns = []string{"bmlt_id", "committee", "committeename", "day", "time", "closed", "place", "address", "city", "state", "zip", "format1", "format2", "format3", "latitude", "longitude", "delete", "unpublished"}

func (r nawsRow) raw() string {
	var parts []string
	for _, c := range nawsRawColumns {
		if v := r.get(c); v != "" {
			parts = append(parts, c+"="+v)
		}
	}
	return excerpt(strings.Join(parts, "; "), 200)
}

// ParseNAWS reads the NAWS export CSV a BMLT server produces
// (client_interface/csv/?switcher=GetNAWSDump): a header row, then one row
// per meeting with Day as an English day name, Time as HHMM, Closed as
// OPEN/CLOSED, WheelChr as TRUE/FALSE, NAWS format codes in Format1..Format5
// and languages in Language1..Language3. Columns are found by name, in any
// order; when a name repeats (contact and meeting "Country"), the later
// column wins. Contact columns are never read.
//
// ExternalID is bmlt_id; without it, Committee-day-HHMM (a NAWS committee
// code names a group, not one meeting). GroupKey is Committee. Rows marked
// Delete=D or unpublished=1 are rejected with that reason. Problems carry the
// CSV line number as Record.
//
// It returns a KindInvalid *meeting.Error, and nothing else, when the input
// is empty, is not CSV, or lacks the Day, Time and bmlt_id/Committee
// columns, or when opts are invalid; KindUnavailable when r fails.
func ParseNAWS(r io.Reader, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	const op = "bmlt.ParseNAWS"
	opts, err := opts.resolve(op)
	if err != nil {
		return nil, nil, err
	}
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	rd.LazyQuotes = true
	header, err := rd.Read()
	if err == io.EOF {
		return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "the input is empty; a NAWS export starts with a header row")
	}
	if err != nil {
		return nil, nil, csvError(op, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimPrefix(h, "\uFEFF")
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range []string{"Day", "Time"} {
		if _, ok := cols[strings.ToLower(c)]; !ok {
			missing = append(missing, c)
		}
	}
	_, hasID := cols["bmlt_id"]
	_, hasCommittee := cols["committee"]
	if !hasID && !hasCommittee {
		missing = append(missing, "bmlt_id or Committee")
	}
	if len(missing) > 0 {
		return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "not a NAWS export: the header lacks %s", strings.Join(missing, ", "))
	}

	var (
		out      []meeting.Meeting
		problems []meeting.Problem
		seen     = map[string]int{}
	)
	for {
		fields, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(op, err)
		}
		line, _ := rd.FieldPos(0)
		row := nawsRow{cols: cols, fields: fields}
		if blank(fields) {
			continue
		}
		d := newDraft(line, row.raw(), opts)
		d.fromNAWS(row)
		m, ps, ok := d.finish(nil)
		if ok {
			if first, dup := seen[m.ExternalID]; dup {
				ok = false
				ps = d.problems(meeting.Rejected, []meeting.Problem{{Field: "external_id", Reason: fmt.Sprintf("id %s appears again (first at line %d); later copies are ignored", m.ExternalID, first)}})
			} else {
				seen[m.ExternalID] = line
			}
		}
		problems = append(problems, ps...)
		if ok {
			out = append(out, m)
		}
	}
	return out, problems, nil
}

func csvError(op string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: fmt.Sprintf("the input is not CSV (line %d)", pe.Line), Err: err}
	}
	return meeting.Wrap(meeting.KindUnavailable, op, err)
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// fromNAWS maps one NAWS row onto the draft.
func (d *draft) fromNAWS(r nawsRow) {
	m := &d.m
	committee := r.get("committee")
	dayS, timeS := r.get("day"), r.get("time")
	m.Name = r.get("committeename")

	day, dayOK := nawsDays[strings.ToLower(dayS)]
	d.setDay(day, dayOK, "Day", dayS, "a day name, Sunday to Saturday")
	if c, ok := parseHHMM(timeS); ok {
		m.Start = c
	} else {
		d.reject.Add("start_time", fmt.Sprintf("Time %q is not a time of day (want HHMM, 24-hour)", excerpt(timeS, 40)))
	}

	m.ExternalID = r.get("bmlt_id")
	if m.ExternalID == "" && committee != "" && dayOK && m.Start.Valid() {
		m.ExternalID = fmt.Sprintf("%s-%d-%02d%02d", committee, day, m.Start.Hour(), m.Start.Minute())
	}
	m.GroupKey = committee
	if m.GroupKey == "" {
		m.GroupKey = m.ExternalID
	}

	deleted := strings.EqualFold(r.get("delete"), "D")
	unpublished := r.get("unpublished") == "1" || strings.EqualFold(r.get("unpublished"), "true")
	switch {
	case deleted && unpublished:
		d.skip = "marked deleted (Delete=D) and unpublished in the NAWS export"
	case deleted:
		d.skip = "marked deleted (Delete=D) in the NAWS export"
	case unpublished:
		d.skip = "unpublished in the NAWS export"
	}

	switch strings.ToUpper(r.get("closed")) {
	case "OPEN":
		d.codes.addFormat(Format{WorldID: "OPEN"})
	case "CLOSED":
		d.codes.addFormat(Format{WorldID: "CLOSED"})
	}
	if yes(r.get("wheelchr")) {
		d.codes.addFormat(Format{WorldID: "WCHR"})
	}
	if yes(r.get("institutional")) {
		// NAWS marks meetings held inside an institution; BMLT's world_id
		// for them is RA (restricted attendance).
		d.codes.addFormat(Format{KeyString: "Institutional", WorldID: "RA"})
	}
	for i := 1; i <= 5; i++ {
		if code := r.get("format" + strconv.Itoa(i)); code != "" {
			d.codes.addFormat(Format{KeyString: code, WorldID: code})
		}
	}
	for i := 1; i <= 3; i++ {
		if lang := r.get("language" + strconv.Itoa(i)); lang != "" {
			d.codes.addFormat(Format{KeyString: lang, Name: lang, WorldID: "LANG"})
		}
	}
	d.setTimeZone(r.get("timezone"))

	loc := &m.Location
	loc.Name = r.get("place")
	loc.Address = r.get("address")
	loc.City = r.get("city")
	if loc.City == "" {
		loc.City = r.get("locborough")
	}
	loc.Region = r.get("state")
	loc.PostalCode = r.get("zip")
	loc.Country = r.get("country")
	loc.FormattedAddress = formattedAddress(loc.Address, loc.City, loc.Region, loc.PostalCode, loc.Country)
	var notes []string
	if room := r.get("room"); room != "" {
		notes = append(notes, room)
	}
	if dir := r.get("directions"); dir != "" {
		notes = append(notes, dir)
	}
	loc.Notes = strings.Join(notes, "; ")
	if p := r.get("parentname"); p != "" {
		loc.Regions = []string{p}
	}

	d.lat, d.lng = r.get("latitude"), r.get("longitude")
	d.link, d.phone, d.info = r.get("virtualmeetinglink"), r.get("phonemeetingnumber"), r.get("virtualmeetinginfo")
}

// parseHHMM reads a NAWS time: "HHMM" or "HMM" (24-hour), or "HH:MM".
func parseHHMM(s string) (meeting.Clock, bool) {
	if strings.Contains(s, ":") {
		return parseClock(s)
	}
	if len(s) < 3 || len(s) > 4 || !digits(s) {
		return meeting.NoClock, false
	}
	n, _ := strconv.Atoi(s)
	return clock(n/100, n%100, 0)
}

// parseClock reads a 24-hour "HH:MM" or "HH:MM:SS" strictly ("24:00" is
// midnight). meeting.ParseClock is not used: it reads "7:30 PM" as 07:30.
func parseClock(s string) (meeting.Clock, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return meeting.NoClock, false
	}
	var n [3]int
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 || !digits(p) {
			return meeting.NoClock, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	return clock(n[0], n[1], n[2])
}

func clock(h, m, sec int) (meeting.Clock, bool) {
	if h > 24 || m > 59 || sec > 59 || (h == 24 && (m != 0 || sec != 0)) {
		return meeting.NoClock, false
	}
	return meeting.NewClock(h%24, m), true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func yes(s string) bool {
	switch strings.ToUpper(s) {
	case "TRUE", "1", "YES", "Y":
		return true
	}
	return false
}
