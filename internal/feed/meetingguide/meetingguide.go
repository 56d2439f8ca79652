// Package meetingguide encodes meetings as a Meeting Guide JSON feed (the
// code4recovery/spec format that the Meeting Guide app, 12 Step Meeting
// List and TSML UI read): one top-level JSON array of meeting objects. It
// is a pure encoder, the inverse of importers/meetingguide: importing its
// output with that package yields the same meetings.
package meetingguide

import (
	"bytes"
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
	FeedbackEmails       []string `json:"feedback_emails,omitempty"`
	FeedbackURL          string   `json:"feedback_url,omitempty"`
	Entity               string   `json:"entity,omitempty"`
	EntityEmail          string   `json:"entity_email,omitempty"`
	EntityLocation       string   `json:"entity_location,omitempty"`
	EntityLogo           string   `json:"entity_logo,omitempty"`
	EntityPhone          string   `json:"entity_phone,omitempty"`
	EntityURL            string   `json:"entity_url,omitempty"`
}

// Slug returns the feed slug of a stored meeting: its id, which is unique
// and stays put for as long as the meeting exists (app favourites and
// bookmarks depend on it).
func Slug(m *meeting.Meeting) string { return strconv.FormatInt(m.ID, 10) }

// New converts one stored meeting. A meeting by appointment has no day or
// time. Types are written in the meeting's program's own vocabulary, as
// 12 Step Meeting List sites of that program read them
// (meeting.ProgramTypeCode: Spanish is "SP" for Adult Children of
// Alcoholics, Basic Text "BT" for NA); a type the program's readers would
// misread is left out, as are ONL, the legacy online code
// (attendance_option says it), and unknown codes, which every reader
// ignores. latitude and longitude are omitted, and
// approximate is "yes", when the meeting has no real point. Who maintains
// the listing goes back out as the feed gave it (feedback_emails,
// feedback_url, entity and entity_*; entity_url, as TSML and the
// specification's example spell it).
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
		Updated:        m.UpdatedAt.UTC().Format(UpdatedLayout),
		FeedbackEmails: m.Maintainer.FeedbackEmails, FeedbackURL: m.Maintainer.FeedbackURL,
		Entity: m.Maintainer.Entity, EntityEmail: m.Maintainer.EntityEmail, EntityLocation: m.Maintainer.EntityLocation,
		EntityLogo: m.Maintainer.EntityLogo, EntityPhone: m.Maintainer.EntityPhone, EntityURL: m.Maintainer.EntityURL,
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
		if c, ok := meeting.ProgramTypeCode(m.Program, t); ok && !slices.Contains(j.Types, c) {
			j.Types = append(j.Types, c)
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
// meeting, in the order given. It is an Encoder given every meeting.
func Encode(w io.Writer, ms []meeting.Meeting) error {
	enc := NewEncoder(w)
	for i := range ms {
		if err := enc.Encode(&ms[i]); err != nil {
			return err
		}
	}
	return enc.Close()
}

// Encoder writes a feed one meeting at a time, so that a feed of any size
// streams: "[" before the first object, "," between objects, and "]" and a
// newline at Close. Its output is the JSON encoding of the whole array,
// byte for byte, with HTML characters unescaped.
type Encoder struct {
	w   io.Writer
	buf bytes.Buffer
	enc *json.Encoder
	n   int
}

// NewEncoder returns an Encoder writing to w. It writes nothing yet.
func NewEncoder(w io.Writer) *Encoder {
	e := &Encoder{w: w}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// Encode writes the object of m (see New), in one Write to the
// underlying writer, and returns its error.
func (e *Encoder) Encode(m *meeting.Meeting) error {
	e.buf.Reset()
	if e.n == 0 {
		e.buf.WriteByte('[')
	} else {
		e.buf.WriteByte(',')
	}
	if err := e.enc.Encode(New(m)); err != nil {
		return err
	}
	e.buf.Truncate(e.buf.Len() - 1) // json.Encoder's newline
	e.n++
	_, err := e.w.Write(e.buf.Bytes())
	return err
}

// Close ends the array ("[]" when nothing was encoded) and returns the
// write error. It does not close the underlying writer.
func (e *Encoder) Close() error {
	end := "]\n"
	if e.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(e.w, end)
	return err
}
