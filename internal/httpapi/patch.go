package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

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
	keepBeyondInput(m, &nm)
	return in, nm, err
}

// keepBeyondInput carries into nm, the new content of the listing old,
// what the input shape cannot say and so no edit changes: who maintains
// the listing, as its upload or feed said, and that its point came from
// the geocoder, while the point is the same.
func keepBeyondInput(old *meeting.Meeting, nm *meeting.Meeting) {
	nm.Maintainer = old.Maintainer
	nm.Location.Geocoded = old.Location.Geocoded && nm.Location.HasPoint && old.Location.HasPoint && nm.Location.Point == old.Location.Point
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
// store keeps the listing's identity and sets its state, and what the
// input shape cannot say is kept (keepBeyondInput).
func replaceContent(nm meeting.Meeting) func(*meeting.Meeting) error {
	return func(m *meeting.Meeting) error {
		keepBeyondInput(m, &nm)
		*m = nm
		return nil
	}
}
