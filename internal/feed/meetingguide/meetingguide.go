// Package meetingguide encodes meetings as a Meeting Guide JSON feed (the
// code4recovery/spec format that the Meeting Guide app, 12 Step Meeting
// List and TSML UI read): one top-level JSON array of meeting objects. It
// is a pure encoder, the inverse of importers/meetingguide: importing its
// output with that package yields the same meetings.
package meetingguide

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// UpdatedLayout is the layout of the "updated" field: UTC, as WordPress's
// post_modified_gmt that 12 Step Meeting List emits.
const UpdatedLayout = "2006-01-02 15:04:05"

// Meeting is one object of a Meeting Guide feed. Fields that do not apply
// are omitted, as the specification asks; "program" and
// "attendance_option" are extensions that TSML and our importer read.
type Meeting struct {
	Name                 string   `json:"name"`
	Slug                 string   `json:"slug"`
	Day                  *int     `json:"day,omitempty"`
	Time                 string   `json:"time,omitempty"`
	EndTime              string   `json:"end_time,omitempty"`
	Timezone             string   `json:"timezone,omitempty"`
	Types                []string `json:"types"`
	AttendanceOption     string   `json:"attendance_option"`
	Program              string   `json:"program"`
	Location             string   `json:"location,omitempty"`
	LocationNotes        string   `json:"location_notes,omitempty"`
	Address              string   `json:"address,omitempty"`
	City                 string   `json:"city,omitempty"`
	State                string   `json:"state,omitempty"`
	PostalCode           string   `json:"postal_code,omitempty"`
	Country              string   `json:"country,omitempty"`
	FormattedAddress     string   `json:"formatted_address,omitempty"`
	Regions              []string `json:"regions,omitempty"`
	Latitude             *float64 `json:"latitude,omitempty"`
	Longitude            *float64 `json:"longitude,omitempty"`
	Approximate          string   `json:"approximate"`
	ConferenceURL        string   `json:"conference_url,omitempty"`
	ConferenceURLNotes   string   `json:"conference_url_notes,omitempty"`
	ConferencePhone      string   `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string   `json:"conference_phone_notes,omitempty"`
	Notes                string   `json:"notes,omitempty"`
	Group                string   `json:"group,omitempty"`
	Updated              string   `json:"updated"`
	URL                  string   `json:"url,omitempty"`
}

// Slug returns the feed slug of a stored meeting: its id, which is unique
// and stays put for as long as the meeting exists (app favourites and
// bookmarks depend on it).
func Slug(m *meeting.Meeting) string { return strconv.FormatInt(m.ID, 10) }

// New converts one stored meeting. A meeting by appointment has no day or
// time. Only codes of the specification's type table are listed (ONL, the
// legacy online code, is replaced by attendance_option; unknown codes would
// be ignored by every reader). latitude and longitude are omitted, and
// approximate is "yes", when the meeting has no real point.
func New(m *meeting.Meeting) Meeting {
	j := Meeting{
		Name: m.Name, Slug: Slug(m), Timezone: m.TimeZone,
		Types: []string{}, AttendanceOption: string(m.Attendance), Program: string(m.Program),
		Location: m.Location.Name, LocationNotes: m.Location.Notes,
		Address: m.Location.Address, City: m.Location.City, State: m.Location.Region,
		PostalCode: m.Location.PostalCode, Country: m.Location.Country,
		FormattedAddress: m.Location.FormattedAddress, Regions: m.Location.Regions,
		ConferenceURL: m.Online.URL, ConferenceURLNotes: m.Online.URLNotes,
		ConferencePhone: m.Online.Phone, ConferencePhoneNotes: m.Online.PhoneNote,
		Notes: m.Notes, Group: m.Group, URL: m.URL,
		Updated: m.UpdatedAt.UTC().Format(UpdatedLayout),
	}
	if !m.ByAppointment && m.Start.Valid() {
		d := int(m.Day)
		j.Day = &d
		j.Time = m.Start.String()
		if m.End.Valid() {
			j.EndTime = m.End.String()
		}
	}
	for _, t := range m.Types {
		if info, ok := meeting.LookupType(t); ok && !info.Legacy && !slices.Contains(j.Types, t) {
			j.Types = append(j.Types, t)
		}
	}
	if j.FormattedAddress == "" {
		j.FormattedAddress = m.Location.JoinAddress()
	}
	j.Approximate = "no"
	if m.Location.HasPoint {
		lat, lng := meeting.RoundCoord(m.Location.Lat()), meeting.RoundCoord(m.Location.Lng())
		j.Latitude, j.Longitude = &lat, &lng
		if m.Location.Approximate {
			j.Approximate = "yes"
		}
	} else {
		j.Approximate = "yes"
	}
	return j
}

// Encode writes ms as a feed: a JSON array (never null), one object per
// meeting, in the order given.
func Encode(w io.Writer, ms []meeting.Meeting) error {
	out := make([]Meeting, len(ms))
	for i := range ms {
		out[i] = New(&ms[i])
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
