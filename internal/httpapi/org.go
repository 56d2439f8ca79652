package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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

// readBody reads the (size-limited) request body.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, bodyError(err)
	}
	return b, nil
}

// decodeStrict decodes one JSON value from b into v, refusing unknown
// fields and trailing data; the error names the offending field.
func decodeStrict(op string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not valid",
			Fields: map[string]string{te.Field: "must be " + jsonTypeName(te.Type.Kind().String())}, Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not valid",
			Fields: map[string]string{name: "is not a field here"}, Err: err}
	}
	return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the body is not a valid JSON object", Err: err}
}

// jsonTypeName names a Go kind as a JSON type.
func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "of another type"
}

// mergePatch applies a JSON merge patch (RFC 7396) to target.
func mergePatch(target, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(target, k)
			continue
		}
		if pm, ok := v.(map[string]any); ok {
			tm, _ := target[k].(map[string]any)
			target[k] = mergePatch(tm, pm)
			continue
		}
		target[k] = v
	}
	return target
}

// patchObject parses a merge patch, which must be a JSON object.
func patchObject(op string, b []byte) (map[string]any, error) {
	var patch map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&patch); err != nil || patch == nil || dec.More() {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the patch must be a JSON object (JSON merge patch)")
	}
	return patch, nil
}

// applyPatch merges patch into m's input shape and returns the result,
// validated (a time zone is required of organizations' listings only).
func applyPatch(op string, m *meeting.Meeting, patch map[string]any) (MeetingInput, meeting.Meeting, error) {
	cur, err := toMap(NewMeetingInput(m))
	if err != nil {
		return MeetingInput{}, meeting.Meeting{}, meeting.Wrap(meeting.KindInternal, op, err)
	}
	merged, err := json.Marshal(mergePatch(cur, patch))
	if err != nil {
		return MeetingInput{}, meeting.Meeting{}, meeting.Wrap(meeting.KindInternal, op, err)
	}
	var in MeetingInput
	if err := decodeStrict(op, merged, &in); err != nil {
		return MeetingInput{}, meeting.Meeting{}, err
	}
	nm, err := in.meeting(m.OrgID != 0)
	return in, nm, err
}

// toMap returns v as a generic JSON object.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return out, dec.Decode(&out)
}

// replaceContent returns a change that gives the listing nm's content; the
// store keeps the listing's identity and sets its state.
func replaceContent(nm meeting.Meeting) func(*meeting.Meeting) error {
	return func(m *meeting.Meeting) error {
		*m = nm
		return nil
	}
}

// pathID reads a positive integer path parameter.
func pathID(c *gin.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.pathID", Message: "the " + what + " id must be a positive integer",
			Fields: map[string]string{name: fmt.Sprintf("%q is not a %s id", c.Param(name), what)}}
	}
	return id, nil
}

// listingsConfigured reports KindUnavailable when the server has no
// listing store (a read-only deployment).
func (s *Server) listingsConfigured() error {
	if s.cfg.Listings == nil || s.cfg.ChangeRequests == nil {
		return meeting.Errorf(meeting.KindUnavailable, "httpapi", "listing management is not configured")
	}
	return nil
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

// listingStatus reads the optional status filter.
func listingStatus(c *gin.Context, def meeting.Status) (meeting.Status, error) {
	v := c.Query("status")
	if v == "" {
		return def, nil
	}
	st := meeting.Status(v)
	if st != meeting.StatusPending && st != meeting.StatusPublished && st != meeting.StatusRejected {
		return "", &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.listingStatus", Message: "some query parameters are not valid",
			Fields: map[string]string{"status": "must be pending, published or rejected"}}
	}
	return st, nil
}

// listListings serves GET /v1/org/meetings.
func (s *Server) listListings(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	st, err := listingStatus(c, "")
	if err != nil {
		return err
	}
	return s.writeListings(c, st)
}

// writeListings answers with the caller's listings in state st.
func (s *Server) writeListings(c *gin.Context, st meeting.Status) error {
	ls, err := s.cfg.Listings.Listings(c.Request.Context(), principal(c), st)
	if err != nil {
		return err
	}
	body := ListingListJSON{Listings: make([]ListingJSON, 0, len(ls))}
	for i := range ls {
		body.Listings = append(body.Listings, s.listingJSON(&ls[i]))
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// createListing serves POST /v1/org/meetings.
func (s *Server) createListing(c *gin.Context) error {
	const op = "httpapi.createListing"
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var in MeetingInput
	if err := decodeStrict(op, b, &in); err != nil {
		return err
	}
	m, err := in.Meeting()
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.CreateListing(c.Request.Context(), principal(c), &m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// getListing serves GET /v1/org/meetings/{id}.
func (s *Server) getListing(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.Listing(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// replaceListing serves PUT /v1/org/meetings/{id}: the body replaces the
// listing's whole content.
func (s *Server) replaceListing(c *gin.Context) error {
	const op = "httpapi.replaceListing"
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var in MeetingInput
	if err := decodeStrict(op, b, &in); err != nil {
		return err
	}
	m, err := in.Meeting()
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.ChangeListing(c.Request.Context(), principal(c), id, meeting.ActionReplace, "", replaceContent(m))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// patchListing serves PATCH /v1/org/meetings/{id}: a JSON merge patch over
// the listing's input shape, merged with the stored listing inside the
// store's transaction.
func (s *Server) patchListing(c *gin.Context) error {
	const op = "httpapi.patchListing"
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	patch, err := patchObject(op, b)
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.ChangeListing(c.Request.Context(), principal(c), id, meeting.ActionPatch, "", func(m *meeting.Meeting) error {
		_, nm, err := applyPatch(op, m, patch)
		if err != nil {
			return err
		}
		*m = nm
		return nil
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// deleteListing serves DELETE /v1/org/meetings/{id}.
func (s *Server) deleteListing(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	if err := s.cfg.Listings.DeleteListing(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, DeletedJSON{ID: id, Deleted: true})
	return nil
}

// listingHistory serves GET /v1/org/meetings/{id}/history.
func (s *Server) listingHistory(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	id, err := pathID(c, "id", "meeting")
	if err != nil {
		return err
	}
	entries, err := s.cfg.Listings.History(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	body := HistoryJSON{Entries: make([]AuditEntryJSON, 0, len(entries))}
	for _, e := range entries {
		j := AuditEntryJSON{ID: e.ID, Actor: e.Actor, Action: string(e.Action), Note: e.Note, At: e.At.UTC()}
		if e.Before != nil {
			l := s.listingJSON(&meeting.Listing{Meeting: *e.Before})
			j.Before = &l
		}
		if e.After != nil {
			l := s.listingJSON(&meeting.Listing{Meeting: *e.After})
			j.After = &l
		}
		body.Entries = append(body.Entries, j)
	}
	c.JSON(http.StatusOK, body)
	return nil
}
