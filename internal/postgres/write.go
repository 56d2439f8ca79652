package postgres

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// writeColumns are the columns a meeting's content is written to, in the
// order of rowValues.
var writeColumns = []string{"source", "external_id", "group_key", "name", "program",
	"day", "start_time", "end_time", "timezone", "types", "attendance",
	"location_name", "address", "city", "region", "postal_code", "country", "formatted_address",
	"regions", "location_notes", "geog", "approximate",
	"online_url", "online_url_notes", "online_phone", "online_phone_notes",
	"notes", "group_name", "url", "status", "org_id",
	// Columns added since content hashes were first stored go here, after
	// hashAlways (see contentHash).
	"geocoded",
	"feedback_emails", "feedback_url", "entity", "entity_email", "entity_location", "entity_logo", "entity_phone", "entity_url"}

// rowValues returns m's values for writeColumns. Times go as "HH:MM" text,
// the point as EWKT text; both are cast by the statement (or the COPY
// binary encoder, which accepts text for these types).
func rowValues(m *meeting.Meeting) []any {
	var day, start, end, tz, geog, org any
	if !m.ByAppointment {
		day = int16(m.Day)
		start = m.Start.String()
	}
	if m.End.Valid() {
		end = m.End.String()
	}
	if m.TimeZone != "" {
		tz = m.TimeZone
	}
	if m.Location.HasPoint {
		geog = fmt.Sprintf("SRID=4326;POINT(%s %s)", ftoa(m.Location.Lng()), ftoa(m.Location.Lat()))
	}
	if m.OrgID != 0 {
		org = m.OrgID
	}
	status := m.Status
	if status == "" {
		status = meeting.StatusPublished
	}
	types := m.Types
	if types == nil {
		types = []string{}
	}
	regions := m.Location.Regions
	if regions == nil {
		regions = []string{}
	}
	x := &m.Maintainer
	emails := x.FeedbackEmails
	if emails == nil {
		emails = []string{}
	}
	return []any{m.Source, m.ExternalID, m.GroupKey, m.Name, string(m.Program),
		day, start, end, tz, types, string(m.Attendance),
		m.Location.Name, m.Location.Address, m.Location.City, m.Location.Region, m.Location.PostalCode,
		m.Location.Country, m.Location.FormattedAddress, regions, m.Location.Notes, geog, m.Location.Approximate,
		m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote,
		m.Notes, m.Group, m.URL, string(status), org,
		m.Location.Geocoded,
		emails, x.FeedbackURL, x.Entity, x.EntityEmail, x.EntityLocation, x.EntityLogo, x.EntityPhone, x.EntityURL}
}

// InsertMeetings adds ms in bulk with one COPY, the fast path for loading
// demo data and benchmarks. It fails with KindConflict when a (source,
// external id) pair already exists.
func (s *MeetingStore) InsertMeetings(ctx context.Context, ms []meeting.Meeting) error {
	const op = "postgres.InsertMeetings"
	if len(ms) == 0 {
		return nil
	}
	return translate(op, pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		i := 0
		return copyMeetings(ctx, tx, writeColumns, func() []any {
			if i >= len(ms) {
				return nil
			}
			i++
			return rowValues(&ms[i-1])
		})
	}))
}

// copyMeetings writes rows (values for cols, as rowValues gives them, plus
// any extra columns' values) into meetings with one binary COPY, straight
// into the table with no staging table. Times become pgtype.Time and the
// point EWKB (the geography type's binary form; see registerGeography).
// next returns nil when there are no more rows.
func copyMeetings(ctx context.Context, tx pgx.Tx, cols []string, next func() []any) error {
	timeCols, geogCol := []int{}, -1
	for i, c := range cols {
		switch c {
		case "start_time", "end_time":
			timeCols = append(timeCols, i)
		case "geog":
			geogCol = i
		}
	}
	if _, ok := tx.Conn().TypeMap().TypeForName("geography"); !ok {
		if err := registerGeography(ctx, tx.Conn()); err != nil {
			return err
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"meetings"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		row := next()
		if row == nil {
			return nil, nil
		}
		for _, i := range timeCols {
			if s, ok := row[i].(string); ok {
				c, err := meeting.ParseClock(s)
				if err != nil {
					return nil, err
				}
				row[i] = pgtype.Time{Microseconds: int64(c) * 60e6, Valid: true}
			}
		}
		if geogCol >= 0 && row[geogCol] != nil {
			row[geogCol] = ewkbPoint(row[geogCol].(string))
		}
		return row, nil
	}))
	return err
}

// ftoa formats f with the fewest digits that read back as f.
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ewkbPoint turns rowValues' "SRID=4326;POINT(lng lat)" into EWKB.
func ewkbPoint(ewkt string) []byte {
	var lng, lat float64
	fmt.Sscanf(strings.TrimPrefix(ewkt, "SRID=4326;POINT("), "%g %g)", &lng, &lat)
	b := make([]byte, 25)
	b[0] = 1                                           // little endian
	binary.LittleEndian.PutUint32(b[1:], 1|0x20000000) // point, with SRID
	binary.LittleEndian.PutUint32(b[5:], 4326)         // WGS 84
	binary.LittleEndian.PutUint64(b[9:], math.Float64bits(lng))
	binary.LittleEndian.PutUint64(b[17:], math.Float64bits(lat))
	return b
}

// parsePoint reads the point of a geography value as the server sends
// it: EWKB (the binary format, on connections that registerGeography has
// taught the type) or EWKB in hex (the text format, on others).
func parsePoint(b []byte) (orb.Point, error) {
	if len(b) == 2*21 || len(b) == 2*25 {
		h := make([]byte, len(b)/2)
		if _, err := hex.Decode(h, b); err != nil {
			return orb.Point{}, fmt.Errorf("geography: %w", err)
		}
		b = h
	}
	if len(b) != 21 && len(b) != 25 {
		return orb.Point{}, fmt.Errorf("geography: %d bytes are not a 2D point", len(b))
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[0] == 0 {
		bo = binary.BigEndian
	}
	typ := bo.Uint32(b[1:])
	xy := b[5:]
	if typ&0x20000000 != 0 {
		xy = b[9:]
	}
	if typ&^0x20000000 != 1 || len(xy) != 16 {
		return orb.Point{}, fmt.Errorf("geography: type %#x is not a 2D point", typ)
	}
	return orb.Point{math.Float64frombits(bo.Uint64(xy)), math.Float64frombits(bo.Uint64(xy[8:]))}, nil
}

// registerGeography teaches conn the geography type's binary form (EWKB
// bytes, as PostGIS's geography_send/geography_recv use), so COPY can send
// points without text parsing and queries receive them so (parsePoint).
// Open calls it on every new connection, copyMeetings on a connection that
// was opened before the extension existed.
func registerGeography(ctx context.Context, conn *pgx.Conn) error {
	var oid uint32
	err := conn.QueryRow(ctx, `SELECT coalesce(to_regtype('geography')::oid, 0)`).Scan(&oid)
	if err != nil || oid == 0 {
		return err
	}
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "geography", OID: oid, Codec: pgtype.ByteaCodec{}})
	return nil
}

// Count returns the number of public meetings.
func (s *MeetingStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings m WHERE `+publicRows).Scan(&n)
	return n, translate("postgres.Count", err)
}
