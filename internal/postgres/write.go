package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// writeColumns are the columns a meeting's content is written to, in the
// order of rowValues.
var writeColumns = []string{"source", "external_id", "group_key", "name", "program",
	"day", "start_time", "end_time", "timezone", "types", "attendance",
	"location_name", "address", "city", "region", "postal_code", "country", "formatted_address",
	"regions", "location_notes", "geog", "approximate",
	"online_url", "online_url_notes", "online_phone", "online_phone_notes",
	"notes", "group_name", "url", "status", "org_id"}

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
	return []any{m.Source, m.ExternalID, m.GroupKey, m.Name, string(m.Program),
		day, start, end, tz, types, string(m.Attendance),
		m.Location.Name, m.Location.Address, m.Location.City, m.Location.Region, m.Location.PostalCode,
		m.Location.Country, m.Location.FormattedAddress, regions, m.Location.Notes, geog, m.Location.Approximate,
		m.Online.URL, m.Online.URLNotes, m.Online.Phone, m.Online.PhoneNote,
		m.Notes, m.Group, m.URL, string(status), org}
}

// InsertMeetings adds ms in bulk through a staging table and COPY, the fast
// path for loading demo data and benchmarks. It fails with KindConflict when
// a (source, external id) pair already exists.
func (s *MeetingStore) InsertMeetings(ctx context.Context, ms []meeting.Meeting) error {
	const op = "postgres.InsertMeetings"
	if len(ms) == 0 {
		return nil
	}
	return translate(op, pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		// The staging table holds text for times and the point (simple to
		// encode), cast on the way into meetings.
		stage, insert := "", ""
		for j, c := range writeColumns {
			if j > 0 {
				stage += ", "
				insert += ", "
			}
			switch c {
			case "start_time", "end_time", "geog":
				stage += c + "::text AS " + c
			default:
				stage += c
			}
			switch c {
			case "start_time", "end_time":
				insert += c + "::time"
			case "geog":
				insert += "geog::geography"
			default:
				insert += c
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE meetings_stage ON COMMIT DROP AS SELECT `+stage+` FROM meetings WITH NO DATA`); err != nil {
			return err
		}
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(ms) {
				return nil, nil
			}
			v := rowValues(&ms[i])
			i++
			return v, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"meetings_stage"}, writeColumns, src); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO meetings (`+strings.Join(writeColumns, ", ")+`) SELECT `+insert+` FROM meetings_stage`)
		return err
	}))
}

// Count returns the number of public meetings.
func (s *MeetingStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings m WHERE `+publicRows).Scan(&n)
	return n, translate("postgres.Count", err)
}
