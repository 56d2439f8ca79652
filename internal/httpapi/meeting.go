package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/jsonw"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MeetingJSON is a meeting as the API shows it.
type MeetingJSON struct {
	ID            int64        `json:"id"`
	Name          string       `json:"name"`
	Program       string       `json:"program"`
	Day           *int         `json:"day"`
	StartTime     *string      `json:"start_time"`
	EndTime       *string      `json:"end_time"`
	ByAppointment bool         `json:"by_appointment"`
	TimeZone      *string      `json:"timezone"`
	Types         []string     `json:"types"`
	Attendance    string       `json:"attendance"`
	Location      LocationJSON `json:"location"`
	Online        *OnlineJSON  `json:"online,omitempty"`
	// Maintainer is who keeps the listing, when its feed says.
	Maintainer *MaintainerJSON `json:"maintainer,omitempty"`
	Notes      string          `json:"notes"`
	Group      string          `json:"group"`
	URL        string          `json:"url"`
	Source     string          `json:"source"`
	UpdatedAt  time.Time       `json:"updated_at"`
	DistanceM  *float64        `json:"distance_m,omitempty"`
	NextStart  *string         `json:"next_start"`
	InProgress bool            `json:"in_progress"`
}

// LocationJSON is where a meeting happens; lat and lng are null when the
// listing has no real point.
type LocationJSON struct {
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

// OnlineJSON holds the details for joining remotely.
type OnlineJSON struct {
	URL        string `json:"url,omitempty"`
	URLNotes   string `json:"url_notes,omitempty"`
	Phone      string `json:"phone,omitempty"`
	PhoneNotes string `json:"phone_notes,omitempty"`
}

// MaintainerJSON is who keeps a listing, as its feed says (the Meeting
// Guide fields of the same names; empty ones left out): where to send a
// correction, and the entity that publishes it.
type MaintainerJSON struct {
	FeedbackEmails []string `json:"feedback_emails,omitempty"`
	FeedbackURL    string   `json:"feedback_url,omitempty"`
	Entity         string   `json:"entity,omitempty"`
	EntityEmail    string   `json:"entity_email,omitempty"`
	EntityLocation string   `json:"entity_location,omitempty"`
	EntityLogo     string   `json:"entity_logo,omitempty"`
	EntityPhone    string   `json:"entity_phone,omitempty"`
	EntityURL      string   `json:"entity_url,omitempty"`
}

// newMaintainerJSON converts x, or returns nil when it is empty.
func newMaintainerJSON(x *meeting.Maintainer) *MaintainerJSON {
	if x.Empty() {
		return nil
	}
	return &MaintainerJSON{FeedbackEmails: x.FeedbackEmails, FeedbackURL: x.FeedbackURL, Entity: x.Entity, EntityEmail: x.EntityEmail,
		EntityLocation: x.EntityLocation, EntityLogo: x.EntityLogo, EntityPhone: x.EntityPhone, EntityURL: x.EntityURL}
}

// MeetingListJSON is the body of GET /v1/meetings.
type MeetingListJSON struct {
	Meetings   []MeetingJSON `json:"meetings"`
	NextCursor *string       `json:"next_cursor"`
}

// NewMeetingJSON converts a domain meeting for the API.
func NewMeetingJSON(m *meeting.Meeting) MeetingJSON {
	j := MeetingJSON{
		ID: m.ID, Name: m.Name, Program: string(m.Program), ByAppointment: m.ByAppointment,
		Types: m.Types, Attendance: string(m.Attendance), Notes: m.Notes, Group: m.Group,
		URL: m.URL, Source: m.Source, UpdatedAt: m.UpdatedAt.UTC(),
		Location: LocationJSON{
			Name: m.Location.Name, Address: m.Location.Address, City: m.Location.City,
			Region: m.Location.Region, PostalCode: m.Location.PostalCode, Country: m.Location.Country,
			FormattedAddress: m.Location.FormattedAddress, Regions: m.Location.Regions,
			Notes: m.Location.Notes, Approximate: m.Location.Approximate,
		},
	}
	if j.Types == nil {
		j.Types = []string{}
	}
	if j.Location.Regions == nil {
		j.Location.Regions = []string{}
	}
	if !m.ByAppointment {
		d := int(m.Day)
		j.Day = &d
		if m.Start.Valid() {
			s := m.Start.String()
			j.StartTime = &s
		}
	}
	if m.End.Valid() {
		e := m.End.String()
		j.EndTime = &e
	}
	if m.TimeZone != "" {
		tz := m.TimeZone
		j.TimeZone = &tz
	}
	if m.Location.HasPoint {
		lat, lng := meeting.RoundCoord(m.Location.Lat()), meeting.RoundCoord(m.Location.Lng())
		j.Location.Lat, j.Location.Lng = &lat, &lng
	}
	if !m.Online.Empty() {
		j.Online = &OnlineJSON{URL: m.Online.URL, URLNotes: m.Online.URLNotes, Phone: m.Online.Phone, PhoneNotes: m.Online.PhoneNote}
	}
	j.Maintainer = newMaintainerJSON(&m.Maintainer)
	return j
}

// newResultJSON converts a query result, with distance and next start.
func newResultJSON(r *meeting.Result) MeetingJSON {
	j := NewMeetingJSON(&r.Meeting)
	if d, ok := r.WalkingDistance(); ok {
		d = math.Round(d)
		j.DistanceM = &d
	}
	if !r.NextStart.IsZero() {
		s := r.NextStart.Format(time.RFC3339)
		j.NextStart = &s
	}
	j.InProgress = r.InProgress
	return j
}

// getMeeting serves GET /v1/meetings/{id}.
func (s *Server) getMeeting(c *gin.Context) error {
	if strings.HasSuffix(c.Param("id"), ".ics") { // gin has no suffix routes
		return s.getMeetingICS(c)
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	m, err := s.cfg.Store.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	r := meeting.Result{Meeting: *m}
	if t, ok := m.Occurrence(s.now()); ok {
		r.NextStart = t
		r.InProgress = !t.After(s.now())
	}
	c.JSON(http.StatusOK, newResultJSON(&r))
	return nil
}

// listMeetings serves GET /v1/meetings.
func (s *Server) listMeetings(c *gin.Context) error {
	f, err := ParseFilter(c.Request.URL.Query(), s.now())
	if err != nil {
		return err
	}
	page, err := s.cfg.Store.Find(c.Request.Context(), f)
	if err != nil {
		return err
	}
	// The body is MeetingListJSON, written by hand (AppendResultJSON).
	b := make([]byte, 0, 1024*(len(page.Results)+1))
	b = append(b, `{"meetings":[`...)
	for i := range page.Results {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendResultJSON(b, &page.Results[i])
	}
	b = append(b, `],"next_cursor":`...)
	if page.NextCursor != nil {
		b = jsonw.AppendString(b, EncodeCursor(page.NextCursor, f.HasPoint))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, '}')
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}

// cursorJSON is the opaque cursor's content: the sort key plus the query
// mode it belongs to.
type cursorJSON struct {
	meeting.Cursor
	Point bool `json:"p,omitempty"`
}

// EncodeCursor makes the opaque next_cursor string.
func EncodeCursor(c *meeting.Cursor, point bool) string {
	b, _ := json.Marshal(cursorJSON{Cursor: *c, Point: point})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, point bool) (*meeting.Cursor, string) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, "is not a cursor returned by this API"
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 || c.Day < 0 || c.Day > 7 || c.Start < 0 || c.Start >= 1440 ||
		math.IsNaN(c.DistanceM) || c.DistanceM < 0 {
		return nil, "is not a cursor returned by this API"
	}
	if c.Point != point {
		return nil, "belongs to a query with a different lat/lng; start again without cursor"
	}
	return &c.Cursor, ""
}
