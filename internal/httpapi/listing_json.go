package httpapi

import (
	"errors"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MeetingInput is a listing as an organization sends it (POST, PUT, and
// after merging, PATCH). It mirrors MeetingJSON without the fields the
// server sets (id, source, updated_at, distance_m, next_start, in_progress).
type MeetingInput struct {
	Name          string        `json:"name"`
	Program       string        `json:"program"`
	Day           *int          `json:"day"`
	StartTime     *string       `json:"start_time"`
	EndTime       *string       `json:"end_time"`
	ByAppointment bool          `json:"by_appointment"`
	TimeZone      string        `json:"timezone"`
	Types         []string      `json:"types"`
	Attendance    string        `json:"attendance"`
	Location      LocationInput `json:"location"`
	Online        OnlineInput   `json:"online"`
	Notes         string        `json:"notes"`
	Group         string        `json:"group"`
	URL           string        `json:"url"`
}

// LocationInput is where a submitted meeting happens; give lat and lng
// together or neither.
type LocationInput struct {
	Name             string   `json:"name"`
	Address          string   `json:"address"`
	City             string   `json:"city"`
	Region           string   `json:"region"`
	PostalCode       string   `json:"postal_code"`
	Country          string   `json:"country"`
	FormattedAddress string   `json:"formatted_address"`
	Regions          []string `json:"regions"`
	Notes            string   `json:"notes"`
	Lat              *float64 `json:"lat"`
	Lng              *float64 `json:"lng"`
	Approximate      bool     `json:"approximate"`
}

// OnlineInput holds the join details of a submitted meeting; the URL must
// be http or https.
type OnlineInput struct {
	URL        string `json:"url"`
	URLNotes   string `json:"url_notes"`
	Phone      string `json:"phone"`
	PhoneNotes string `json:"phone_notes"`
}

// ListingJSON is a listing as its organization and the admins see it: the
// meeting as the public API shows it, plus its moderation state.
type ListingJSON struct {
	Meeting      MeetingJSON `json:"meeting"`
	Status       string      `json:"status"`
	StatusReason string      `json:"status_reason,omitempty"`
	OrgID        *int64      `json:"org_id"`
}

// ListingListJSON is the body of the listing lists.
type ListingListJSON struct {
	Listings []ListingJSON `json:"listings"`
}

// DeletedJSON answers a deletion.
type DeletedJSON struct {
	ID      int64 `json:"id"`
	Deleted bool  `json:"deleted"`
}

// HistoryJSON is the audit log of a listing, oldest first.
type HistoryJSON struct {
	Entries []AuditEntryJSON `json:"entries"`
}

// AuditEntryJSON is one change: who (org:ID or admin:KEY_PREFIX), when,
// what, and the listing before (null for a creation) and after (null for a
// deletion).
type AuditEntryJSON struct {
	ID     int64        `json:"id"`
	Actor  string       `json:"actor"`
	Action string       `json:"action"`
	Note   string       `json:"note"`
	At     time.Time    `json:"at"`
	Before *ListingJSON `json:"before"`
	After  *ListingJSON `json:"after"`
}

// NewMeetingInput returns the input that would produce m, for merging
// patches and showing differences.
func NewMeetingInput(m *meeting.Meeting) MeetingInput {
	in := MeetingInput{
		Name: m.Name, Program: string(m.Program), ByAppointment: m.ByAppointment, TimeZone: m.TimeZone,
		Types: m.Types, Attendance: string(m.Attendance), Notes: m.Notes, Group: m.Group, URL: m.URL,
		Location: LocationInput{
			Name: m.Location.Name, Address: m.Location.Address, City: m.Location.City, Region: m.Location.Region,
			PostalCode: m.Location.PostalCode, Country: m.Location.Country, FormattedAddress: m.Location.FormattedAddress,
			Regions: m.Location.Regions, Notes: m.Location.Notes, Approximate: m.Location.Approximate,
		},
		Online: OnlineInput{URL: m.Online.URL, URLNotes: m.Online.URLNotes, Phone: m.Online.Phone, PhoneNotes: m.Online.PhoneNote},
	}
	if in.Types == nil {
		in.Types = []string{}
	}
	if in.Location.Regions == nil {
		in.Location.Regions = []string{}
	}
	if !m.ByAppointment {
		d := int(m.Day)
		in.Day = &d
		if m.Start.Valid() {
			st := m.Start.String()
			in.StartTime = &st
		}
	}
	if m.End.Valid() {
		e := m.End.String()
		in.EndTime = &e
	}
	if m.Location.HasPoint {
		lat, lng := m.Location.Lat(), m.Location.Lng()
		in.Location.Lat, in.Location.Lng = &lat, &lng
	}
	return in
}

// Meeting converts the input to the content of a domain meeting (no id,
// source or owner) and checks it with meeting.ValidateListing. It returns a
// KindInvalid error naming every bad field.
func (in *MeetingInput) Meeting() (meeting.Meeting, error) { return in.meeting(true) }

// meeting is Meeting; requireZone false checks as meeting.Meeting.Validate
// does (for imported listings, whose zone may be unknown).
func (in *MeetingInput) meeting(requireZone bool) (meeting.Meeting, error) {
	bad := meeting.FieldErrors{}
	m := meeting.Meeting{
		Name: strings.TrimSpace(in.Name), Program: meeting.Program(in.Program), ByAppointment: in.ByAppointment,
		TimeZone: strings.TrimSpace(in.TimeZone), Attendance: meeting.Attendance(in.Attendance),
		Notes: in.Notes, Group: in.Group, URL: strings.TrimSpace(in.URL), Start: meeting.NoClock, End: meeting.NoClock,
		Location: meeting.Location{
			Name: in.Location.Name, Address: in.Location.Address, City: in.Location.City, Region: in.Location.Region,
			PostalCode: in.Location.PostalCode, Country: in.Location.Country, FormattedAddress: in.Location.FormattedAddress,
			Regions: in.Location.Regions, Notes: in.Location.Notes, Approximate: in.Location.Approximate,
		},
		Online: meeting.Online{URL: strings.TrimSpace(in.Online.URL), URLNotes: in.Online.URLNotes, Phone: in.Online.Phone, PhoneNote: in.Online.PhoneNotes},
	}
	if in.Program == "" {
		bad.Add("program", "is required")
	}
	if in.Attendance == "" {
		bad.Add("attendance", "is required (in_person, hybrid, online or inactive)")
	}
	if !in.ByAppointment {
		if in.Day == nil {
			bad.Add("day", "is required (0 = Sunday … 6 = Saturday) unless by_appointment is true")
		} else {
			m.Day = meeting.Weekday(*in.Day)
		}
		if in.StartTime == nil {
			bad.Add("start_time", "is required (HH:MM) unless by_appointment is true")
		}
	}
	for name, p := range map[string]*string{"start_time": in.StartTime, "end_time": in.EndTime} {
		if p == nil || (in.ByAppointment && name == "start_time") {
			continue
		}
		c, err := parseHHMM(*p)
		if err != nil {
			bad.Add(name, "must be a time HH:MM (24-hour)")
			continue
		}
		if name == "start_time" {
			m.Start = c
		} else {
			m.End = c
		}
	}
	for _, t := range in.Types {
		code, _ := meeting.NormalizeType(t)
		m.Types = append(m.Types, code)
	}
	switch {
	case in.Location.Lat != nil && in.Location.Lng != nil:
		m.Location.Point, m.Location.HasPoint = orb.Point{*in.Location.Lng, *in.Location.Lat}, true
	case in.Location.Lat != nil:
		bad.Add("location.lng", "is required with location.lat")
	case in.Location.Lng != nil:
		bad.Add("location.lat", "is required with location.lng")
	}
	// Identity fields are set by the store; fill them so that Validate
	// checks only the content.
	m.Source, m.ExternalID = "org", "x"
	validate := m.Validate
	if requireZone {
		validate = func() error { return meeting.ValidateListing(&m) }
	}
	if err := validate(); err != nil {
		var e *meeting.Error
		if !errors.As(err, &e) {
			return m, err
		}
		for k, v := range e.Fields {
			bad.Add(k, v)
		}
	}
	m.Source, m.ExternalID = "", ""
	if err := bad.Err("httpapi.MeetingInput", "the meeting is not valid"); err != nil {
		return meeting.Meeting{}, err
	}
	return m, nil
}

// meetingJSON converts m with its next occurrence (no distance).
func (s *Server) meetingJSON(m *meeting.Meeting) MeetingJSON {
	r := meeting.Result{Meeting: *m}
	if t, ok := m.Occurrence(s.now()); ok {
		r.NextStart = t
		r.InProgress = !t.After(s.now())
	}
	return newResultJSON(&r)
}

// listingJSON converts a listing.
func (s *Server) listingJSON(l *meeting.Listing) ListingJSON {
	j := ListingJSON{Meeting: s.meetingJSON(&l.Meeting), Status: string(l.Status), StatusReason: l.StatusReason}
	if l.OrgID != 0 {
		id := l.OrgID
		j.OrgID = &id
	}
	return j
}
