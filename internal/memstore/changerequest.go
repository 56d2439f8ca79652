package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// CreateChangeRequest files in (MeetingID, Proposed, Contact) against a
// public listing, open, and returns it. Proposed is kept as PostgreSQL's
// jsonb gives it back (see jsonb). Proposed that is not JSON (or holds a
// NUL character, which jsonb cannot hold) is KindInvalid, an unknown or
// non-public listing KindNotFound.
func (s *Store) CreateChangeRequest(ctx context.Context, in *meeting.ChangeRequest) (*meeting.ChangeRequest, error) {
	const op = "memstore.CreateChangeRequest"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if !json.Valid(in.Proposed) {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the proposed change is not JSON")
	}
	proposed, err := jsonb(in.Proposed)
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the proposed change cannot be stored", Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.row(in.MeetingID)
	if r == nil || !r.public() {
		return nil, meeting.Errorf(meeting.KindNotFound, op, "no meeting has id %d", in.MeetingID)
	}
	s.ids.request++
	cr := &meeting.ChangeRequest{ID: s.ids.request, MeetingID: in.MeetingID, Proposed: proposed, Contact: in.Contact,
		Status: meeting.ChangeRequestOpen, CreatedAt: s.stamp()}
	s.requests = append(s.requests, cr)
	out := copyRequest(cr)
	return &out, nil
}

// copyRequest returns a copy of cr that shares nothing with it, without
// Current.
func copyRequest(cr *meeting.ChangeRequest) meeting.ChangeRequest {
	c := *cr
	c.Proposed = slices.Clone(cr.Proposed)
	c.Current = nil
	return c
}

// ChangeRequests lists the requests on listings p manages (an admin:
// every listing, imported ones included; deleted listings too), oldest
// first, each with Current set to the listing as it is now; status ""
// means any. A principal that manages nothing is KindForbidden.
func (s *Store) ChangeRequests(ctx context.Context, p meeting.Principal, status meeting.ChangeRequestStatus) ([]meeting.ChangeRequest, error) {
	const op = "memstore.ChangeRequests"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if err := checkScope(op, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []meeting.ChangeRequest{}
	for _, cr := range s.requests {
		r := s.row(cr.MeetingID)
		if ok, _ := inScope(op, p, r); !ok || (status != "" && cr.Status != status) {
			continue
		}
		c := copyRequest(cr)
		m := cloneMeeting(r.m)
		c.Current = &m
		out = append(out, c)
	}
	return out, nil
}

// ResolveChangeRequest applies (apply: patch edits the listing as
// ChangeListing does, recorded as meeting.ActionChangeRequest with the note
// "change request <id>") or dismisses open request id on a listing p
// manages, and returns it (without Current). A request on a listing p
// does not manage is KindNotFound, one no longer open KindConflict;
// applying to a deleted listing is KindNotFound; an error of patch or of
// validation leaves the request open and is returned as ChangeListing
// returns it.
func (s *Store) ResolveChangeRequest(ctx context.Context, p meeting.Principal, id int64, apply bool,
	patch func(m *meeting.Meeting, proposed json.RawMessage) error) (*meeting.ChangeRequest, error) {
	const op = "memstore.ResolveChangeRequest"
	if err := alive(ctx, op); err != nil {
		return nil, err
	}
	if err := checkScope(op, p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cr *meeting.ChangeRequest
	for _, c := range s.requests {
		if c.ID == id {
			if ok, _ := inScope(op, p, s.row(c.MeetingID)); ok {
				cr = c
			}
		}
	}
	if cr == nil {
		return nil, meeting.Errorf(meeting.KindNotFound, op, "you have no change request with id %d", id)
	}
	if cr.Status != meeting.ChangeRequestOpen {
		return nil, meeting.Errorf(meeting.KindConflict, op, "change request %d is already %s", id, cr.Status)
	}
	at := s.stamp()
	status := meeting.ChangeRequestDismissed
	if apply {
		status = meeting.ChangeRequestApplied
		proposed := slices.Clone(cr.Proposed)
		note := "change request " + strconv.FormatInt(id, 10)
		if _, err := s.changeListing(op, p, cr.MeetingID, meeting.ActionChangeRequest, note, func(m *meeting.Meeting) error {
			return patch(m, proposed)
		}, at); err != nil {
			return nil, err
		}
	}
	cr.Status, cr.ResolvedAt, cr.ResolvedBy = status, at, p.Actor()
	out := copyRequest(cr)
	return &out, nil
}

// jsonb returns the JSON text b as PostgreSQL's jsonb type gives it back:
// the last of duplicate keys kept, object keys ordered by length and then
// bytes, ", " and ": " between items, numbers as numeric writes them
// (1e2 is 100, -0 is 0, 2.50 stays 2.50) and strings with only the escapes
// jsonb writes. A NUL character (\u0000) is an error, as in jsonb.
func jsonb(b []byte) (json.RawMessage, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := writeJSONB(&out, v); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeJSONB writes v (as json.Decoder with UseNumber decodes it) in
// jsonb's text form.
func writeJSONB(w *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(v))
	case json.Number:
		n, err := numeric(string(v))
		if err != nil {
			return err
		}
		w.WriteString(n)
	case string:
		return writeJSONBString(w, v)
	case []any:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteString(", ")
			}
			if err := writeJSONB(w, e); err != nil {
				return err
			}
		}
		w.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.WriteString(", ")
			}
			if err := writeJSONBString(w, k); err != nil {
				return err
			}
			w.WriteString(": ")
			if err := writeJSONB(w, v[k]); err != nil {
				return err
			}
		}
		w.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// writeJSONBString writes s quoted as jsonb does (escape_json).
func writeJSONBString(w *bytes.Buffer, s string) error {
	w.WriteByte('"')
	for _, r := range s {
		switch r {
		case 0:
			return fmt.Errorf("\\u0000 cannot be converted to text")
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '\b':
			w.WriteString(`\b`)
		case '\f':
			w.WriteString(`\f`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(w, `\u%04x`, r)
			} else {
				w.WriteRune(r)
			}
		}
	}
	w.WriteByte('"')
	return nil
}

// numeric returns the JSON number n as PostgreSQL's numeric type writes
// it: in plain decimal notation with the scale the literal implies
// (digits after the point less the exponent, at least 0), no sign on
// zero.
func numeric(n string) (string, error) {
	neg := strings.HasPrefix(n, "-")
	n = strings.TrimPrefix(n, "-")
	exp := 0
	if i := strings.IndexAny(n, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(n[i+1:], "+"))
		if err != nil || e > 100000 || e < -100000 {
			return "", fmt.Errorf("number %q is out of range", n)
		}
		exp, n = e, n[:i]
	}
	intPart, frac, _ := strings.Cut(n, ".")
	digits := intPart + frac
	shift := exp - len(frac) // value = digits × 10^shift
	var s string
	if shift >= 0 {
		s = digits + strings.Repeat("0", shift)
	} else {
		scale := -shift
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		s = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	ip, fp, hasPoint := strings.Cut(s, ".")
	if ip = strings.TrimLeft(ip, "0"); ip == "" {
		ip = "0"
	}
	s = ip
	if hasPoint {
		s += "." + fp
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return s, nil
}
