package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search"
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
	Notes         string       `json:"notes"`
	Group         string       `json:"group"`
	URL           string       `json:"url"`
	Source        string       `json:"source"`
	UpdatedAt     time.Time    `json:"updated_at"`
	DistanceM     *float64     `json:"distance_m,omitempty"`
	NextStart     *string      `json:"next_start"`
	InProgress    bool         `json:"in_progress"`
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
	return j
}

// newResultJSON converts a query result, with distance and next start.
func newResultJSON(r *meeting.Result) MeetingJSON {
	j := NewMeetingJSON(&r.Meeting)
	if r.HasDistance {
		d := math.Round(r.DistanceM)
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
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.getMeeting", Message: "the meeting id must be a positive integer",
			Fields: map[string]string{"id": fmt.Sprintf("%q is not a meeting id", c.Param("id"))}}
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
	body := MeetingListJSON{Meetings: make([]MeetingJSON, 0, len(page.Results))}
	for i := range page.Results {
		body.Meetings = append(body.Meetings, newResultJSON(&page.Results[i]))
	}
	if page.NextCursor != nil {
		cur := EncodeCursor(page.NextCursor, f.HasPoint)
		body.NextCursor = &cur
	}
	c.JSON(http.StatusOK, body)
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

// MaxQueryLen is the longest q accepted, in characters.
const MaxQueryLen = 200

// ParseFilter reads the query parameters of GET /v1/meetings (and the
// routes that share its filters) into a meeting.Filter. It returns a
// KindInvalid error naming every bad parameter.
func ParseFilter(q map[string][]string, now time.Time) (meeting.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[len(v)-1])
		}
		return ""
	}
	f := meeting.Filter{Now: now, RadiusKM: meeting.DefaultRadiusKM, Limit: meeting.DefaultLimit}
	bad := meeting.FieldErrors{}
	if v := get("q"); v != "" {
		if utf8.RuneCountInString(v) > MaxQueryLen {
			bad.Add("q", fmt.Sprintf("is longer than %d characters", MaxQueryLen))
		}
		f.Q = v
	}
	lat, lng := get("lat"), get("lng")
	switch {
	case lat != "" && lng != "":
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || math.IsNaN(la) || la < -90 || la > 90 {
			bad.Add("lat", "must be a number from -90 to 90")
		}
		if err2 != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
			bad.Add("lng", "must be a number from -180 to 180")
		}
		f.Point, f.HasPoint = orb.Point{lo, la}, true
	case lat != "":
		bad.Add("lng", "is required with lat")
	case lng != "":
		bad.Add("lat", "is required with lng")
	}
	if v := get("radius_km"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r > 0 && r <= meeting.MaxRadiusKM) {
			bad.Add("radius_km", fmt.Sprintf("must be a number above 0 and at most %g", meeting.MaxRadiusKM))
		} else if !f.HasPoint && lat == "" && lng == "" {
			bad.Add("radius_km", "needs lat and lng")
		} else {
			f.RadiusKM = r
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > meeting.MaxLimit {
			bad.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", meeting.MaxLimit))
		} else {
			f.Limit = n
		}
	}
	if v := get("day"); v != "" {
		if strings.EqualFold(v, "today") {
			f.Today = true
		} else {
			for _, part := range strings.Split(v, ",") {
				d, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil || d < 0 || d > 6 {
					bad.Add("day", "must be today or days 0 (Sunday) to 6 (Saturday), comma-separated")
					break
				}
				f.Days = append(f.Days, meeting.Weekday(d))
			}
		}
	}
	for _, p := range []struct {
		name string
		dst  **meeting.Clock
	}{{"start_after", &f.StartAfter}, {"start_before", &f.StartBefore}} {
		if v := get(p.name); v != "" {
			c, err := parseHHMM(v)
			if err != nil {
				bad.Add(p.name, "must be a time HH:MM (24-hour)")
			} else {
				*p.dst = &c
			}
		}
	}
	if v := get("types"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				if code, ok := meeting.NormalizeType(t); ok {
					t = code
				}
				f.Types = append(f.Types, t)
			}
		}
	}
	if v := get("attendance"); v != "" {
		for _, a := range strings.Split(v, ",") {
			at := meeting.Attendance(strings.TrimSpace(a))
			if !at.Valid() {
				bad.Add("attendance", fmt.Sprintf("%q is not one of in_person, hybrid, online, inactive", a))
				break
			}
			f.Attendance = append(f.Attendance, at)
		}
	}
	if v := get("program"); v != "" {
		for _, p := range strings.Split(v, ",") {
			pr := meeting.Program(strings.TrimSpace(p))
			if !pr.Valid() {
				bad.Add("program", fmt.Sprintf("%q is not a program (aa, na, smart, al-anon, celebrate-recovery, activity, other)", p))
				break
			}
			f.Programs = append(f.Programs, pr)
		}
	}
	if v := get("source"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				f.Sources = append(f.Sources, p)
			}
		}
	}
	if v := get("upcoming_hours"); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil || !(h > 0 && h <= 168) {
			bad.Add("upcoming_hours", "must be a number of hours above 0 and at most 168")
		} else {
			f.UpcomingHours = h
		}
	}
	if v := get("cursor"); v != "" {
		c, reason := decodeCursor(v, f.HasPoint)
		switch {
		case reason != "":
			bad.Add("cursor", reason)
		case c.Offset < 0 || c.Offset >= search.MaxResults:
			bad.Add("cursor", "is not a cursor returned by this API")
		case (c.Offset > 0) != (f.Q != ""): // text queries page by offset
			bad.Add("cursor", "belongs to a query with a different q; start again without cursor")
		}
		f.Cursor = c
	}
	if err := bad.Err("httpapi.ParseFilter", "some query parameters are not valid"); err != nil {
		return meeting.Filter{}, err
	}
	return f, nil
}

// parseHHMM reads a strict "HH:MM" 24-hour time.
func parseHHMM(s string) (meeting.Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return meeting.NoClock, fmt.Errorf("want HH:MM")
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return meeting.NoClock, fmt.Errorf("want HH:MM")
	}
	return meeting.NewClock(h, m), nil
}
