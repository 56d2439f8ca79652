package readmodel

import (
	"encoding/binary"
	"math"
	"time"
	"unsafe"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// A record is one whole meeting in an arena: every field in a fixed order,
// strings and lists as a uvarint length and their bytes; who maintains
// the listing (meeting.Maintainer) comes last, only when the feed names
// one (flag 16), so that the meetings of feeds that do not cost nothing
// more. Records hold no
// pointers, so a million of them in a []byte cost the garbage collector
// nothing; the compact columns of a snapshot answer queries, and a record
// is decoded only for a meeting that is returned.

// appendRecord appends the record of m to b.
func appendRecord(b []byte, m *meeting.Meeting) []byte {
	b = binary.AppendVarint(b, m.ID)
	for _, s := range []string{m.Source, m.ExternalID, m.GroupKey, m.Name, string(m.Program)} {
		b = appendString(b, s)
	}
	flags := byte(0)
	if m.ByAppointment {
		flags |= 1
	}
	if m.Location.HasPoint {
		flags |= 2
	}
	if m.Location.Approximate {
		flags |= 4
	}
	if m.Location.Geocoded {
		flags |= 8
	}
	hasMaintainer := !m.Maintainer.Empty()
	if hasMaintainer {
		flags |= 16
	}
	b = append(b, flags, byte(m.Day))
	b = binary.AppendVarint(b, int64(m.Start))
	b = binary.AppendVarint(b, int64(m.End))
	b = appendString(b, m.TimeZone)
	b = appendList(b, m.Types)
	b = appendString(b, string(m.Attendance))
	l := &m.Location
	for _, s := range []string{l.Name, l.Address, l.City, l.Region, l.PostalCode, l.Country, l.FormattedAddress} {
		b = appendString(b, s)
	}
	b = appendList(b, l.Regions)
	b = appendString(b, l.Notes)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(l.Point.Lon()))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(l.Point.Lat()))
	for _, s := range []string{m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote, m.Notes, m.Group, m.URL, string(m.Status)} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, m.OrgID)
	b = binary.AppendVarint(b, m.CreatedAt.UnixMicro())
	b = binary.AppendVarint(b, m.UpdatedAt.UnixMicro())
	if hasMaintainer {
		// Only the meetings whose feed names its maintainer pay for it.
		x := &m.Maintainer
		b = appendList(b, x.FeedbackEmails)
		for _, s := range []string{x.FeedbackURL, x.Entity, x.EntityEmail, x.EntityLocation, x.EntityLogo, x.EntityPhone, x.EntityURL} {
			b = appendString(b, s)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendString(b, s)
	}
	return b
}

// reader decodes one record. Its strings point into the arena, which is
// never written again once a snapshot holds it, so decoding copies no text.
type reader struct {
	b []byte
	i int
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b[r.i:])
	r.i += n
	return v
}

func (r *reader) str() string {
	n, k := binary.Uvarint(r.b[r.i:])
	r.i += k
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[r.i], int(n))
	r.i += int(n)
	return s
}

func (r *reader) list() []string {
	n, k := binary.Uvarint(r.b[r.i:])
	r.i += k
	out := make([]string, n)
	for j := range out {
		out[j] = r.str()
	}
	return out
}

func (r *reader) float() float64 {
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.i:]))
	r.i += 8
	return v
}

// decodeRecord fills m from the record b (which must outlive m's strings).
func decodeRecord(b []byte, m *meeting.Meeting) {
	r := reader{b: b}
	m.ID = r.varint()
	m.Source, m.ExternalID, m.GroupKey, m.Name = r.str(), r.str(), r.str(), r.str()
	m.Program = meeting.Program(r.str())
	flags := r.b[r.i]
	m.Day = meeting.Weekday(r.b[r.i+1])
	r.i += 2
	m.ByAppointment = flags&1 != 0
	m.Start, m.End = meeting.Clock(r.varint()), meeting.Clock(r.varint())
	m.TimeZone = r.str()
	m.Types = r.list()
	m.Attendance = meeting.Attendance(r.str())
	l := &m.Location
	l.Name, l.Address, l.City, l.Region, l.PostalCode, l.Country, l.FormattedAddress = r.str(), r.str(), r.str(), r.str(), r.str(), r.str(), r.str()
	l.Regions = r.list()
	l.Notes = r.str()
	lng, lat := r.float(), r.float()
	l.Point, l.HasPoint, l.Approximate, l.Geocoded = orb.Point{lng, lat}, flags&2 != 0, flags&4 != 0, flags&8 != 0
	m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote = r.str(), r.str(), r.str(), r.str()
	m.Notes, m.Group, m.URL = r.str(), r.str(), r.str()
	m.Status = meeting.Status(r.str())
	m.OrgID = r.varint()
	m.CreatedAt = time.UnixMicro(r.varint()).UTC()
	m.UpdatedAt = time.UnixMicro(r.varint()).UTC()
	m.Maintainer = meeting.Maintainer{}
	if flags&16 != 0 {
		x := &m.Maintainer
		if x.FeedbackEmails = r.list(); len(x.FeedbackEmails) == 0 {
			x.FeedbackEmails = nil
		}
		x.FeedbackURL, x.Entity, x.EntityEmail, x.EntityLocation = r.str(), r.str(), r.str(), r.str()
		x.EntityLogo, x.EntityPhone, x.EntityURL = r.str(), r.str(), r.str()
	}
}
