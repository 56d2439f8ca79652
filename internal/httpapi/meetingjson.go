package httpapi

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/jsonw"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// AppendResultJSON appends the JSON of r as the API shows it (MeetingJSON,
// with distance and next start) to b: byte for byte what encoding/json
// writes for newResultJSON(r), HTML escaping included, without reflection
// or the intermediate struct. The list of GET /v1/meetings is written
// with it, so a page is mostly copying bytes.
func AppendResultJSON(b []byte, r *meeting.Result) []byte {
	m := &r.Meeting
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, m.ID, 10)
	b = append(b, `,"name":`...)
	b = jsonw.AppendString(b, m.Name)
	b = append(b, `,"program":`...)
	b = jsonw.AppendString(b, string(m.Program))
	b = append(b, `,"day":`...)
	if m.ByAppointment {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(m.Day), 10)
	}
	b = append(b, `,"start_time":`...)
	if !m.ByAppointment && m.Start.Valid() {
		b = jsonw.AppendString(b, m.Start.String())
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"end_time":`...)
	if m.End.Valid() {
		b = jsonw.AppendString(b, m.End.String())
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"by_appointment":`...)
	b = strconv.AppendBool(b, m.ByAppointment)
	b = append(b, `,"timezone":`...)
	if m.TimeZone != "" {
		b = jsonw.AppendString(b, m.TimeZone)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"types":`...)
	b = jsonw.AppendStrings(b, m.Types)
	b = append(b, `,"attendance":`...)
	b = jsonw.AppendString(b, string(m.Attendance))
	b = appendLocationJSON(b, &m.Location)
	if !m.Online.Empty() {
		b = appendOnlineJSON(b, &m.Online)
	}
	if !m.Maintainer.Empty() {
		b = appendMaintainerJSON(b, &m.Maintainer)
	}
	b = append(b, `,"notes":`...)
	b = jsonw.AppendString(b, m.Notes)
	b = append(b, `,"group":`...)
	b = jsonw.AppendString(b, m.Group)
	b = append(b, `,"url":`...)
	b = jsonw.AppendString(b, m.URL)
	b = append(b, `,"source":`...)
	b = jsonw.AppendString(b, m.Source)
	b = append(b, `,"updated_at":"`...)
	b = m.UpdatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if d, ok := r.WalkingDistance(); ok {
		b = append(b, `,"distance_m":`...)
		b = jsonw.AppendFloat(b, math.Round(d))
	}
	b = append(b, `,"next_start":`...)
	if r.NextStart.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = r.NextStart.AppendFormat(b, time.RFC3339)
		b = append(b, '"')
	}
	b = append(b, `,"in_progress":`...)
	b = strconv.AppendBool(b, r.InProgress)
	return append(b, '}')
}

// appendLocationJSON appends `,"location":{…}` (LocationJSON).
func appendLocationJSON(b []byte, l *meeting.Location) []byte {
	b = append(b, `,"location":{"name":`...)
	b = jsonw.AppendString(b, l.Name)
	for _, f := range [...]struct{ key, v string }{
		{`,"address":`, l.Address}, {`,"city":`, l.City}, {`,"region":`, l.Region}, {`,"postal_code":`, l.PostalCode},
		{`,"country":`, l.Country}, {`,"formatted_address":`, l.FormattedAddress},
	} {
		b = append(b, f.key...)
		b = jsonw.AppendString(b, f.v)
	}
	b = append(b, `,"regions":`...)
	b = jsonw.AppendStrings(b, l.Regions)
	b = append(b, `,"notes":`...)
	b = jsonw.AppendString(b, l.Notes)
	if l.HasPoint {
		b = append(b, `,"lat":`...)
		b = jsonw.AppendFloat(b, meeting.RoundCoord(l.Lat()))
		b = append(b, `,"lng":`...)
		b = jsonw.AppendFloat(b, meeting.RoundCoord(l.Lng()))
	} else {
		b = append(b, `,"lat":null,"lng":null`...)
	}
	b = append(b, `,"approximate":`...)
	b = strconv.AppendBool(b, l.Approximate)
	return append(b, '}')
}

// appendOnlineJSON appends `,"online":{…}` (OnlineJSON, empty fields left
// out).
func appendOnlineJSON(b []byte, o *meeting.Online) []byte {
	b = append(b, `,"online":{`...)
	first := true
	for _, f := range [...]struct{ key, v string }{
		{`"url":`, o.URL}, {`"url_notes":`, o.URLNotes}, {`"phone":`, o.Phone}, {`"phone_notes":`, o.PhoneNote},
	} {
		if f.v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		b = jsonw.AppendString(b, f.v)
	}
	return append(b, '}')
}

// appendMaintainerJSON appends `,"maintainer":{…}` (MaintainerJSON, empty
// fields left out).
func appendMaintainerJSON(b []byte, x *meeting.Maintainer) []byte {
	b = append(b, `,"maintainer":{`...)
	first := true
	if len(x.FeedbackEmails) > 0 {
		b = append(b, `"feedback_emails":`...)
		b = jsonw.AppendStrings(b, x.FeedbackEmails)
		first = false
	}
	for _, f := range [...]struct{ key, v string }{
		{`"feedback_url":`, x.FeedbackURL}, {`"entity":`, x.Entity}, {`"entity_email":`, x.EntityEmail},
		{`"entity_location":`, x.EntityLocation}, {`"entity_logo":`, x.EntityLogo}, {`"entity_phone":`, x.EntityPhone},
		{`"entity_url":`, x.EntityURL},
	} {
		if f.v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		b = jsonw.AppendString(b, f.v)
	}
	return append(b, '}')
}

// appendStringMaps appends ms as encoding/json (without HTML escaping)
// writes a []map[string]string: each object's keys sorted. Consecutive
// maps with the same keys, as BMLT meetings are, sort them once.
func appendStringMaps(b []byte, ms []map[string]string) []byte {
	b = append(b, '[')
	var keys []string
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		if !sameKeys(keys, m) {
			keys = keys[:0]
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
		}
		b = append(b, '{')
		for j, k := range keys {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonw.AppendText(b, k, false)
			b = append(b, ':')
			b = jsonw.AppendText(b, m[k], false)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// sameKeys reports whether m has exactly the keys.
func sameKeys(keys []string, m map[string]string) bool {
	if len(keys) != len(m) || keys == nil {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}
