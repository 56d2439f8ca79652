package postgres

import (
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// occurrenceExpr is the SQL for the start of each meeting's current or next
// occurrence at the instant in placeholder nowArg.
func occurrenceExpr(nowArg string) string {
	return "meeting_occurrence(m.day, m.start_time, m.end_time, m.timezone, " + nowArg + "::timestamptz)"
}

// filter adds f's constraints other than the point, the text and the cursor
// (days, today, times, types, attendance, programs, sources, ids, upcoming) to
// q. nowArg is the placeholder holding now. Find and the text search share
// it, so both read a Filter the same way.
func (q *query) filter(f meeting.Filter, now time.Time, nowArg string) {
	if len(f.Days) > 0 {
		days := make([]int16, len(f.Days))
		for i, d := range f.Days {
			days[i] = int16(d)
		}
		q.where = append(q.where, "m.day = ANY("+q.arg(days)+"::smallint[])")
	}
	if f.Today {
		// Prefilter on the weekdays that are "today" somewhere on Earth
		// (UTC-12 … UTC+14) so the per-zone check runs on few rows.
		q.where = append(q.where, "m.day = ANY("+q.arg(weekdaysBetween(now.Add(-12*time.Hour), now.Add(14*time.Hour)))+"::smallint[])",
			"m.day = extract(dow FROM ("+nowArg+"::timestamptz AT TIME ZONE m.timezone))")
	}
	if f.StartAfter != nil {
		q.where = append(q.where, "m.start_time >= "+q.arg(f.StartAfter.String())+"::time")
	}
	if f.StartBefore != nil {
		q.where = append(q.where, "m.start_time < "+q.arg(f.StartBefore.String())+"::time")
	}
	if len(f.Types) > 0 {
		q.where = append(q.where, "m.types @> "+q.arg(f.Types)+"::text[]")
	}
	if len(f.Attendance) > 0 {
		a := make([]string, len(f.Attendance))
		for i, v := range f.Attendance {
			a[i] = string(v)
		}
		q.where = append(q.where, "m.attendance = ANY("+q.arg(a)+"::text[])")
	}
	if len(f.Programs) > 0 {
		p := make([]string, len(f.Programs))
		for i, v := range f.Programs {
			p[i] = string(v)
		}
		q.where = append(q.where, "m.program = ANY("+q.arg(p)+"::text[])")
	}
	if len(f.Sources) > 0 {
		q.where = append(q.where, "m.source = ANY("+q.arg(f.Sources)+"::text[])")
	}
	if len(f.IDs) > 0 {
		q.where = append(q.where, "m.id = ANY("+q.arg(f.IDs)+"::bigint[])")
	}
	occExpr := occurrenceExpr(nowArg)
	if f.UpcomingHours > 0 {
		horizon := now.Add(time.Duration(f.UpcomingHours * float64(time.Hour)))
		// A meeting in progress or starting before the horizon is on a local
		// weekday between (now - 1 day) and the horizon, somewhere between
		// UTC-12 and UTC+14: prefilter on those weekdays.
		q.where = append(q.where, "m.day = ANY("+q.arg(weekdaysBetween(now.Add(-36*time.Hour), horizon.Add(14*time.Hour)))+"::smallint[])",
			occExpr+" <= "+q.arg(horizon)+"::timestamptz")
	}
}
