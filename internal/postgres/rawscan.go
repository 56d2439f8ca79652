package postgres

import (
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// meetingColumnCount is the number of columns of meetingColumns.
const meetingColumnCount = 43

// binaryResults asks for every result column in PostgreSQL's binary
// form, the form rawScanner reads.
var binaryResults = pgx.QueryResultFormats{pgx.BinaryFormatCode}

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// rawScanner fills a meeting.Meeting from the binary values of
// meetingColumns as they came off the wire (pgx.Rows.RawValues), without
// pgx's scan plans and without allocating: the meeting's strings and lists
// point into the row's buffer and into the scanner, so they hold only
// until the next row. It is for loading every meeting once (LoadPublic),
// where scanning a million rows through scanMeeting costs more than
// PostgreSQL takes to send them; anything kept must be copied.
type rawScanner struct {
	types, regions, emails []string
}

// scan decodes vals, the raw values of one row of meetingColumns, into m.
func (s *rawScanner) scan(vals [][]byte, m *meeting.Meeting) error {
	if len(vals) != meetingColumnCount {
		return fmt.Errorf("rawScanner: %d columns, want %d", len(vals), meetingColumnCount)
	}
	r := rawRow{vals: vals}
	*m = meeting.Meeting{}
	m.ID = r.int8(0)
	m.Source, m.ExternalID, m.GroupKey, m.Name = r.text(1), r.text(2), r.text(3), r.text(4)
	m.Program = meeting.Program(r.text(5))
	m.ByAppointment, m.Day = vals[6] == nil, 0
	if !m.ByAppointment {
		m.Day = meeting.Weekday(r.int2(6))
	}
	m.Start, m.End = r.clock(7), r.clock(8)
	m.TimeZone = r.text(9)
	s.types = r.textArray(10, s.types[:0])
	m.Types = s.types
	m.Attendance = meeting.Attendance(r.text(11))
	l := &m.Location
	l.Name, l.Address, l.City, l.Region = r.text(12), r.text(13), r.text(14), r.text(15)
	l.PostalCode, l.Country, l.FormattedAddress = r.text(16), r.text(17), r.text(18)
	s.regions = r.textArray(19, s.regions[:0])
	l.Regions = s.regions
	l.Notes = r.text(20)
	l.HasPoint = vals[21] != nil
	l.Point = [2]float64{}
	if l.HasPoint {
		p, err := parsePoint(vals[21])
		if err != nil {
			return err
		}
		l.Point = p
	}
	l.Approximate = r.bool(22)
	m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote = r.text(23), r.text(24), r.text(25), r.text(26)
	m.Notes, m.Group, m.URL = r.text(27), r.text(28), r.text(29)
	m.Status = meeting.Status(r.text(30))
	m.OrgID = r.int8(31)
	m.CreatedAt, m.UpdatedAt = r.timestamp(32), r.timestamp(33)
	l.Geocoded = r.bool(34)
	x := &m.Maintainer
	s.emails = r.textArray(35, s.emails[:0])
	x.FeedbackEmails = nil
	if len(s.emails) > 0 {
		x.FeedbackEmails = s.emails
	}
	x.FeedbackURL, x.Entity, x.EntityEmail, x.EntityLocation = r.text(36), r.text(37), r.text(38), r.text(39)
	x.EntityLogo, x.EntityPhone, x.EntityURL = r.text(40), r.text(41), r.text(42)
	return r.err
}

// rawRow reads binary values, remembering the first malformed one.
type rawRow struct {
	vals [][]byte
	err  error
}

// need returns value i when it has exactly n bytes (n < 0: any length).
func (r *rawRow) need(i, n int) []byte {
	v := r.vals[i]
	if (n >= 0 && len(v) != n) && r.err == nil {
		r.err = fmt.Errorf("rawScanner: column %d has %d bytes, want %d", i, len(v), n)
		return make([]byte, n)
	}
	return v
}

func (r *rawRow) int8(i int) int64 { return int64(binary.BigEndian.Uint64(r.need(i, 8))) }

func (r *rawRow) int2(i int) int16 { return int16(binary.BigEndian.Uint16(r.need(i, 2))) }

func (r *rawRow) bool(i int) bool { return r.need(i, 1)[0] != 0 }

// text returns value i as a string that shares the row's bytes.
func (r *rawRow) text(i int) string {
	v := r.vals[i]
	if len(v) == 0 {
		return ""
	}
	return unsafe.String(&v[0], len(v))
}

// clock reads a time (microseconds after midnight) as minutes; NULL is
// meeting.NoClock.
func (r *rawRow) clock(i int) meeting.Clock {
	if r.vals[i] == nil {
		return meeting.NoClock
	}
	return meeting.Clock(r.int8(i) / 60e6)
}

// timestamp reads a timestamptz (microseconds since 2000-01-01 UTC).
func (r *rawRow) timestamp(i int) time.Time {
	return pgEpoch.Add(time.Duration(r.int8(i)) * time.Microsecond)
}

// textArray appends the elements of a one-dimensional text[] to out:
// ndim, has-null flag, element type, then per dimension its length and
// lower bound, then each element's length (-1: NULL, read as "") and bytes.
func (r *rawRow) textArray(i int, out []string) []string {
	v := r.vals[i]
	if len(v) < 12 {
		if r.err == nil {
			r.err = fmt.Errorf("rawScanner: column %d is not an array", i)
		}
		return out
	}
	ndim := binary.BigEndian.Uint32(v)
	if ndim == 0 {
		return out
	}
	if ndim != 1 || len(v) < 20 {
		if r.err == nil {
			r.err = fmt.Errorf("rawScanner: column %d: %d-dimensional array", i, ndim)
		}
		return out
	}
	n := int(binary.BigEndian.Uint32(v[12:]))
	p := v[20:]
	for range n {
		if len(p) < 4 {
			break
		}
		size := int32(binary.BigEndian.Uint32(p))
		p = p[4:]
		if size < 0 {
			out = append(out, "")
			continue
		}
		if int(size) > len(p) {
			break
		}
		out = append(out, unsafe.String(unsafe.SliceData(p), int(size)))
		p = p[size:]
	}
	if len(out) < n && r.err == nil {
		r.err = fmt.Errorf("rawScanner: column %d: array shorter than its %d elements", i, n)
	}
	return out
}
