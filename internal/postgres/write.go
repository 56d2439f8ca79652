package postgres

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
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
// any extra columns' values) into meetings with one COPY in CSV format.
// Text lets PostgreSQL parse the times and the EWKT point itself, so rows go
// straight into the table with no staging table. next returns nil when
// there are no more rows.
func copyMeetings(ctx context.Context, tx pgx.Tx, cols []string, next func() []any) error {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 256<<10)
		var line []byte
		for row := next(); row != nil; row = next() {
			line = line[:0]
			for j, v := range row {
				if j > 0 {
					line = append(line, ',')
				}
				line = appendCSV(line, v)
			}
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Flush())
	}()
	_, err := tx.Conn().PgConn().CopyFrom(ctx, pr,
		`COPY meetings (`+strings.Join(cols, ", ")+`) FROM STDIN WITH (FORMAT csv)`)
	pr.CloseWithError(io.ErrClosedPipe) // stop the writer if COPY ended early
	return err
}

// appendCSV appends v as one field of PostgreSQL's CSV COPY format: an
// unquoted empty field is NULL, so every string is quoted; a text array is
// an array literal with each element quoted; bytes are bytea hex.
func appendCSV(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return b
	case string:
		return appendQuoted(b, v)
	case []string:
		var arr []byte
		arr = append(arr, '{')
		for i, e := range v {
			if i > 0 {
				arr = append(arr, ',')
			}
			arr = append(arr, '"')
			for k := 0; k < len(e); k++ {
				if e[k] == '"' || e[k] == '\\' {
					arr = append(arr, '\\')
				}
				arr = append(arr, e[k])
			}
			arr = append(arr, '"')
		}
		arr = append(arr, '}')
		return appendQuoted(b, string(arr))
	case int16:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case bool:
		if v {
			return append(b, 't')
		}
		return append(b, 'f')
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case []byte:
		b = append(b, '\\', 'x')
		return hex.AppendEncode(b, v)
	default:
		return appendQuoted(b, fmt.Sprint(v))
	}
}

// appendQuoted appends s in double quotes, doubling quotes inside it.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// Count returns the number of public meetings.
func (s *MeetingStore) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings m WHERE `+publicRows).Scan(&n)
	return n, translate("postgres.Count", err)
}
