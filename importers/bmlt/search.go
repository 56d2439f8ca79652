package bmlt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// wireMeeting is one meeting object of GetSearchResults. Every value is a
// string on the wire; text also takes numbers and booleans.
type wireMeeting struct {
	ID              text `json:"id_bigint"`
	SharedGroupID   text `json:"shared_group_id_bigint"`
	ServiceBodyID   text `json:"service_body_bigint"`
	ServiceBodyName text `json:"service_body_name"`
	Weekday         text `json:"weekday_tinyint"`
	VenueType       text `json:"venue_type"`
	StartTime       text `json:"start_time"`
	Duration        text `json:"duration_time"`
	TimeZone        text `json:"time_zone"`
	Formats         text `json:"formats"`
	FormatIDs       text `json:"format_shared_id_list"`
	Lang            text `json:"lang_enum"`
	Longitude       text `json:"longitude"`
	Latitude        text `json:"latitude"`
	Published       text `json:"published"`
	Name            text `json:"meeting_name"`
	LocationText    text `json:"location_text"`
	LocationInfo    text `json:"location_info"`
	Street          text `json:"location_street"`
	CitySubsection  text `json:"location_city_subsection"`
	Municipality    text `json:"location_municipality"`
	Province        text `json:"location_province"`
	PostalCode      text `json:"location_postal_code_1"`
	Nation          text `json:"location_nation"`
	Comments        text `json:"comments"`
	Phone           text `json:"phone_meeting_number"`
	Link            text `json:"virtual_meeting_link"`
	VirtualInfo     text `json:"virtual_meeting_additional_info"`
}

// Parse reads a saved GetSearchResults response: a bare JSON array of
// meeting objects, or the {"meetings": […], "formats": […]} object that
// get_used_formats returns (its formats are then added to cat.Formats). It
// returns the meetings it could map and a problem for every record it
// rejected or flagged (see the package comment for the rules).
//
// "[]" yields no meetings and no error. Input that is not JSON, or JSON of
// another shape (an object without "meetings", a string, null, or meetings
// most of which have no weekday or start time and no place: a search that
// asked only for some fields, see meeting.RecordShape), yields a
// KindInvalid *meeting.Error and nothing else; so do empty opts.Source and
// an unknown opts.Program. A failing reader yields KindUnavailable.
func Parse(r io.Reader, cat Catalog, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	const op = "bmlt.Parse"
	opts, err := opts.resolve(op)
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, meeting.Wrap(meeting.KindUnavailable, op, err)
	}
	records, bodyFormats, err := decodeSearch(op, data)
	if err != nil {
		return nil, nil, err
	}
	formats := newFormatIndex(append(append([]Format(nil), cat.Formats...), bodyFormats...))
	bodies := newBodyIndex(cat.ServiceBodies)

	var (
		out      []meeting.Meeting
		problems []meeting.Problem
		seen     = map[string]int{}
	)
	var shape meeting.RecordShape
	for i, raw := range records {
		d := newDraft(i+1, "", opts)
		d.rawJSON = raw
		var w wireMeeting
		if err := json.Unmarshal(raw, &w); err != nil {
			shape.Add(false, false)
			problems = append(problems, d.problems(meeting.Rejected, []meeting.Problem{{Reason: "not a meeting object: " + excerpt(err.Error(), 120)}})...)
			continue
		}
		shape.Add(w.Weekday.String() != "" || w.StartTime.String() != "",
			w.Street.String() != "" || w.Municipality.String() != "" || w.Province.String() != "" || w.PostalCode.String() != "" ||
				w.Nation.String() != "" || w.Latitude.String() != "" || w.Longitude.String() != "" || w.Link.String() != "" || w.Phone.String() != "")
		d.fromWire(w, formats, bodies)
		m, ps, ok := d.finish(cat.DefaultPoint)
		if ok && m.ExternalID != "" {
			if first, dup := seen[m.ExternalID]; dup {
				ok = false
				ps = d.problems(meeting.Rejected, []meeting.Problem{{Field: "external_id", Reason: fmt.Sprintf("id_bigint %s appears again (first at record %d); later copies are ignored", m.ExternalID, first)}})
			} else {
				seen[m.ExternalID] = d.record
			}
		}
		problems = append(problems, ps...)
		if ok {
			out = append(out, m)
		}
	}
	if err := shape.Err(op, "a list of BMLT meetings", "weekday_tinyint, start_time",
		"location_street, location_municipality, location_province, location_postal_code_1, location_nation, latitude/longitude, virtual_meeting_link, phone_meeting_number"); err != nil {
		return nil, nil, err
	}
	return out, problems, nil
}

// decodeSearch splits a GetSearchResults body into raw meeting records and
// the formats that came with them.
func decodeSearch(op string, data []byte) ([]json.RawMessage, []Format, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "the input is empty; a GetSearchResults response is a JSON array or an object with \"meetings\"")
	}
	var records []json.RawMessage
	switch data[0] {
	case '[':
		if err := json.Unmarshal(data, &records); err != nil {
			return nil, nil, invalidJSON(op, "a GetSearchResults response (a JSON array of meetings)", err)
		}
		return records, nil, nil
	case '{':
		var obj struct {
			Meetings *[]json.RawMessage `json:"meetings"`
			Formats  []wireFormat       `json:"formats"`
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, nil, invalidJSON(op, "a GetSearchResults response (an object with \"meetings\" and \"formats\" arrays)", err)
		}
		if obj.Meetings == nil {
			return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "a GetSearchResults object must hold a \"meetings\" array; this one does not")
		}
		fs := make([]Format, 0, len(obj.Formats))
		for _, f := range obj.Formats {
			fs = append(fs, f.format())
		}
		return *obj.Meetings, fs, nil
	}
	return nil, nil, meeting.Errorf(meeting.KindInvalid, op, "a GetSearchResults response is a JSON array or an object with \"meetings\"; got %s", describeJSON(data))
}

// fromWire maps the fields of one meeting object onto the draft.
func (d *draft) fromWire(w wireMeeting, formats formatIndex, bodies bodyIndex) {
	m := &d.m
	m.ExternalID = w.ID.String()
	m.GroupKey = m.ExternalID
	if g := w.SharedGroupID.String(); g != "" && g != "0" {
		m.GroupKey = g
	}
	m.Name = w.Name.String()
	if p := w.Published.String(); p == "0" || strings.EqualFold(p, "false") {
		d.skip = "unpublished on the BMLT server (published = 0)"
		return
	}

	wd := w.Weekday.String()
	n, err := strconv.Atoi(wd)
	d.setDay(n-1, err == nil && n >= 1 && n <= 7, "weekday_tinyint", wd, "1 (Sunday) to 7 (Saturday)")
	if st := w.StartTime.String(); st == "" {
		d.reject.Add("start_time", "start_time is missing")
	} else if c, ok := parseClock(st); !ok {
		d.reject.Add("start_time", fmt.Sprintf("start_time %q is not a time of day (want HH:MM:SS)", excerpt(st, 40)))
	} else {
		m.Start = c
	}
	d.setDuration(w.Duration.String())
	d.setTimeZone(w.TimeZone.String())

	// Formats: shared ids when the server sent them and we have a list,
	// else the comma key_strings in the meeting's language.
	if ids := splitList(w.FormatIDs.String()); len(ids) > 0 && formats.size() > 0 {
		for _, id := range ids {
			if f, ok := formats.byID[id]; ok {
				d.codes.addFormat(f)
			} else {
				d.codes.unmapped = append(d.codes.unmapped, fmt.Sprintf("id %s (not in the format list)", excerpt(id, 20)))
			}
		}
	} else {
		for _, key := range splitList(w.Formats.String()) {
			if f, ok := formats.byKey(w.Lang.String(), key); ok {
				d.codes.addFormat(f)
			} else {
				d.codes.addReservedKey(key)
			}
		}
	}
	d.venue = w.VenueType.String()

	loc := &m.Location
	loc.Name = w.LocationText.String()
	loc.Address = w.Street.String()
	loc.City = w.Municipality.String()
	if loc.City == "" {
		loc.City = w.CitySubsection.String()
	}
	loc.Region = w.Province.String()
	loc.PostalCode = w.PostalCode.String()
	loc.Country = w.Nation.String()
	loc.FormattedAddress = formattedAddress(loc.Address, loc.City, loc.Region, loc.PostalCode, loc.Country)
	loc.Notes = w.LocationInfo.String()
	loc.Regions = bodies.chain(w.ServiceBodyID.String(), w.ServiceBodyName.String())
	m.Maintainer = bodies.maintainer(w.ServiceBodyID.String())
	for _, f := range sortedKeys(m.Maintainer.Tidy()) {
		d.flag(f, "the service body's url or helpline cannot be kept; left out")
	}
	m.Notes = w.Comments.String()

	d.lat, d.lng = string(w.Latitude), string(w.Longitude)
	d.link, d.phone, d.info = string(w.Link), string(w.Phone), string(w.VirtualInfo)
}

// formatIndex finds formats by shared id and by key_string per language.
type formatIndex struct {
	byID   map[string]Format
	byLang map[string]map[string]Format // lang → key_string → format
	anyKey map[string]Format            // key_string → first format seen
}

func newFormatIndex(fs []Format) formatIndex {
	ix := formatIndex{byID: map[string]Format{}, byLang: map[string]map[string]Format{}, anyKey: map[string]Format{}}
	for _, f := range fs {
		if f.ID != "" {
			ix.byID[f.ID] = f
		}
		if f.KeyString == "" {
			continue
		}
		if ix.byLang[f.Lang] == nil {
			ix.byLang[f.Lang] = map[string]Format{}
		}
		ix.byLang[f.Lang][f.KeyString] = f
		if _, ok := ix.anyKey[f.KeyString]; !ok {
			ix.anyKey[f.KeyString] = f
		}
	}
	return ix
}

func (ix formatIndex) size() int { return len(ix.byID) + len(ix.anyKey) }

// byKey finds key in the meeting's language, else in any language
// (key_strings are case-sensitive: "Tr" and "TR" may differ).
func (ix formatIndex) byKey(lang, key string) (Format, bool) {
	if f, ok := ix.byLang[lang][key]; ok {
		return f, true
	}
	f, ok := ix.anyKey[key]
	return f, ok
}

// bodyIndex finds service bodies by id.
type bodyIndex map[string]ServiceBody

func newBodyIndex(bs []ServiceBody) bodyIndex {
	ix := bodyIndex{}
	for _, b := range bs {
		if b.ID != "" {
			ix[b.ID] = b
		}
	}
	return ix
}

// chain returns the names of service body id and its parents, general to
// specific; when id is unknown, just name (service_body_name) if given.
func (ix bodyIndex) chain(id, name string) []string {
	b, ok := ix[id]
	if !ok {
		if name != "" {
			return []string{name}
		}
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for ok && !seen[b.ID] && len(names) < 16 {
		seen[b.ID] = true
		if b.Name != "" {
			names = append(names, b.Name)
		}
		b, ok = ix[b.ParentID]
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return names
}

// maintainer returns who keeps the meetings of service body id, as
// GetServiceBodies says: the nearest body, the meeting's own or one
// above it, that gives a web site or a helpline, by its name, url and
// helpline (BMLT's public fields for who publishes meetings). It is empty
// when none does.
func (ix bodyIndex) maintainer(id string) meeting.Maintainer {
	seen := map[string]bool{}
	for b, ok := ix[id]; ok && !seen[b.ID] && len(seen) < 16; b, ok = ix[b.ParentID] {
		seen[b.ID] = true
		if url, phone := strings.TrimSpace(b.URL), strings.TrimSpace(b.Helpline); url != "" || phone != "" {
			return meeting.Maintainer{Entity: b.Name, EntityURL: url, EntityPhone: phone}
		}
	}
	return meeting.Maintainer{}
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// rawExcerpt returns a record's JSON, compacted and cut to 200 characters.
func rawExcerpt(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return excerpt(string(raw), 200)
	}
	return excerpt(b.String(), 200)
}
