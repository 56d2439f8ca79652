package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ChangeRequestInput is the body of POST /v1/meetings/{id}/change-requests:
// the proposed fields as a JSON merge patch over the listing's input shape
// (MeetingInput), and optionally how to reach the person asking.
type ChangeRequestInput struct {
	Proposed json.RawMessage `json:"proposed"`
	Contact  string          `json:"contact"`
}

// ChangeRequestCreatedJSON answers a new change request. It does not echo
// the contact.
type ChangeRequestCreatedJSON struct {
	ID        int64     `json:"id"`
	MeetingID int64     `json:"meeting_id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// ChangeRequestJSON is a change request as the owner and admins see it:
// Changes lists each field the request would change (dotted names such as
// "location.address") with its current and proposed values.
type ChangeRequestJSON struct {
	ID         int64                 `json:"id"`
	MeetingID  int64                 `json:"meeting_id"`
	Status     string                `json:"status"`
	Contact    string                `json:"contact"`
	CreatedAt  time.Time             `json:"created_at"`
	ResolvedAt *time.Time            `json:"resolved_at"`
	ResolvedBy string                `json:"resolved_by"`
	Proposed   json.RawMessage       `json:"proposed"`
	Changes    map[string]FieldDelta `json:"changes"`
}

// FieldDelta is one field's current and proposed values.
type FieldDelta struct {
	Current  any `json:"current"`
	Proposed any `json:"proposed"`
}

// ChangeRequestListJSON is the body of the change request lists.
type ChangeRequestListJSON struct {
	ChangeRequests []ChangeRequestJSON `json:"change_requests"`
}

// maxContactLen bounds the optional contact of a change request.
const maxContactLen = 500

// createChangeRequest serves POST /v1/meetings/{id}/change-requests. The
// proposal must apply cleanly to the public listing (each bad field is
// named, under "proposed."); the contact is stored for the owner only and
// never logged.
func (s *Server) createChangeRequest(c *gin.Context) error {
	const op = "httpapi.createChangeRequest"
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	in, err := decodeBody[ChangeRequestInput](c, op)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Contact) > maxContactLen {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the change request is not valid",
			Fields: map[string]string{"contact": "is longer than 500 characters"}}
	}
	patch, err := patchObject(op, in.Proposed)
	if err != nil || len(patch) == 0 {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the change request is not valid",
			Fields: map[string]string{"proposed": "must be an object with at least one field of the meeting"}}
	}
	m, err := s.cfg.Store.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if _, _, err := applyPatch(op, m, patch); err != nil {
		return prefixFields(err, "proposed.")
	}
	cr, err := s.cfg.ChangeRequests.CreateChangeRequest(c.Request.Context(), &meeting.ChangeRequest{MeetingID: id, Proposed: in.Proposed, Contact: in.Contact})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ChangeRequestCreatedJSON{ID: cr.ID, MeetingID: cr.MeetingID, Status: string(cr.Status), CreatedAt: cr.CreatedAt.UTC()})
	return nil
}

// prefixFields returns err with every field name prefixed.
func prefixFields(err error, prefix string) error {
	e, ok := err.(*meeting.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = map[string]string{}
	for k, v := range e.Fields {
		out.Fields[prefix+k] = v
	}
	return &out
}

// listChangeRequests serves GET /v1/org/change-requests and
// /v1/admin/change-requests (status: open by default, or any state, or all).
func (s *Server) listChangeRequests(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	st := meeting.ChangeRequestOpen
	if v := c.Query("status"); v == "all" {
		st = ""
	} else if v != "" {
		st = meeting.ChangeRequestStatus(v)
		if !st.Valid() {
			return &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.listChangeRequests", Message: "some query parameters are not valid",
				Fields: map[string]string{"status": "must be open, applied, dismissed or all"}}
		}
	}
	crs, err := s.cfg.ChangeRequests.ChangeRequests(c.Request.Context(), principal(c), st)
	if err != nil {
		return err
	}
	body := ChangeRequestListJSON{ChangeRequests: make([]ChangeRequestJSON, 0, len(crs))}
	for i := range crs {
		body.ChangeRequests = append(body.ChangeRequests, changeRequestJSON(&crs[i]))
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// changeRequestJSON converts cr, with the difference against cr.Current
// when it is set.
func changeRequestJSON(cr *meeting.ChangeRequest) ChangeRequestJSON {
	j := ChangeRequestJSON{ID: cr.ID, MeetingID: cr.MeetingID, Status: string(cr.Status), Contact: cr.Contact,
		CreatedAt: cr.CreatedAt.UTC(), ResolvedBy: cr.ResolvedBy, Proposed: cr.Proposed, Changes: map[string]FieldDelta{}}
	if !cr.ResolvedAt.IsZero() {
		t := cr.ResolvedAt.UTC()
		j.ResolvedAt = &t
	}
	if cr.Current != nil {
		j.Changes = difference(cr.Current, cr.Proposed)
	}
	return j
}

// difference returns the fields (dotted names) that merging proposed into
// m's input shape would change, with both values.
func difference(m *meeting.Meeting, proposed json.RawMessage) map[string]FieldDelta {
	out := map[string]FieldDelta{}
	patch, err := patchObject("httpapi.difference", proposed)
	if err != nil {
		return out
	}
	cur, err := toMap(NewMeetingInput(m))
	if err != nil {
		return out
	}
	before := flatten("", cur, map[string]any{})
	curCopy, _ := toMap(NewMeetingInput(m))
	after := flatten("", mergePatch(curCopy, patch), map[string]any{})
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !reflect.DeepEqual(before[k], after[k]) {
			out[k] = FieldDelta{Current: before[k], Proposed: after[k]}
		}
	}
	return out
}

// flatten writes the leaves of v into out under dotted names (arrays are
// leaves).
func flatten(prefix string, v map[string]any, out map[string]any) map[string]any {
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			flatten(prefix+k+".", m, out)
			continue
		}
		out[prefix+k] = x
	}
	return out
}

// resolveChangeRequest serves POST …/change-requests/{id}/apply and
// …/dismiss for organizations (their own listings) and admins (all).
func (s *Server) resolveChangeRequest(apply bool) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		const op = "httpapi.resolveChangeRequest"
		id, err := s.listingID(c, "change request")
		if err != nil {
			return err
		}
		cr, err := s.cfg.ChangeRequests.ResolveChangeRequest(c.Request.Context(), principal(c), id, apply, func(m *meeting.Meeting, proposed json.RawMessage) error {
			patch, err := patchObject(op, proposed)
			if err != nil {
				return err
			}
			_, nm, err := applyPatch(op, m, patch)
			if err != nil {
				return prefixFields(err, "proposed.")
			}
			*m = nm
			return nil
		})
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, changeRequestJSON(cr))
		return nil
	}
}
