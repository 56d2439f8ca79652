package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MaxStoredProblems is how many problems of a run import_runs keeps; the
// total is kept too.
const MaxStoredProblems = 1000

// upsertSource saves src's settings. When any setting that shapes the
// imported meetings changes, the saved cache validators are cleared so that
// the next fetch is unconditional.
const upsertSource = `INSERT INTO sources (name, location, format, program, timezone, mapping, refresh_interval, online_timezone)
	VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::bigint > 0 THEN make_interval(secs => $7::bigint) END, $8)
	ON CONFLICT (name) DO UPDATE SET
		location = excluded.location, format = excluded.format, program = excluded.program,
		timezone = excluded.timezone, mapping = excluded.mapping, refresh_interval = excluded.refresh_interval,
		online_timezone = excluded.online_timezone,
		etag = CASE WHEN (sources.location, sources.format, sources.program, sources.timezone, sources.mapping, sources.online_timezone)
			IS DISTINCT FROM (excluded.location, excluded.format, excluded.program, excluded.timezone, excluded.mapping, excluded.online_timezone)
			THEN '' ELSE sources.etag END,
		last_modified = CASE WHEN (sources.location, sources.format, sources.program, sources.timezone, sources.mapping, sources.online_timezone)
			IS DISTINCT FROM (excluded.location, excluded.format, excluded.program, excluded.timezone, excluded.mapping, excluded.online_timezone)
			THEN '' ELSE sources.last_modified END,
		updated_at = now()`

func sourceArgs(src meeting.Source) []any {
	return []any{src.Name, src.Location, string(src.Format), string(src.Program), src.TimeZone, src.Mapping, int64(src.Refresh / time.Second), src.OnlineTimeZone}
}

// Validators implements meeting.ImportStore: the validators saved by src's last
// applied run, or zero ones when there are none or src's settings differ
// from the saved ones.
func (s *ImportStore) Validators(ctx context.Context, src meeting.Source) (meeting.CacheValidators, error) {
	var v meeting.CacheValidators
	err := s.db.Pool.QueryRow(ctx, `SELECT etag, last_modified FROM sources
		WHERE name = $1 AND location = $2 AND format = $3 AND program = $4 AND timezone = $5 AND mapping = $6 AND online_timezone = $7`,
		src.Name, src.Location, string(src.Format), string(src.Program), src.TimeZone, src.Mapping, src.OnlineTimeZone).Scan(&v.ETag, &v.LastModified)
	if errors.Is(err, pgx.ErrNoRows) {
		return meeting.CacheValidators{}, nil
	}
	return v, translate("postgres.Validators", err)
}

// RegisterSources implements meeting.ImportStore: it saves the settings of srcs,
// adding the new ones, in one transaction.
func (s *ImportStore) RegisterSources(ctx context.Context, srcs []meeting.Source) error {
	return translate("postgres.RegisterSources", pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		for _, src := range srcs {
			if _, err := tx.Exec(ctx, upsertSource, sourceArgs(src)...); err != nil {
				return err
			}
		}
		return nil
	}))
}

// cleanProblems returns probs (never nil) with every text made storable by
// meeting.CleanText, copying only when something changes.
func cleanProblems(probs []meeting.Problem) []meeting.Problem {
	if probs == nil {
		return []meeting.Problem{}
	}
	var out []meeting.Problem
	for i, p := range probs {
		c := p
		c.ExternalID, c.Name, c.Field, c.Reason, c.Raw = meeting.CleanText(p.ExternalID), meeting.CleanText(p.Name),
			meeting.CleanText(p.Field), meeting.CleanText(p.Reason), meeting.CleanText(p.Raw)
		if c != p && out == nil {
			out = slices.Clone(probs)
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return probs
	}
	return out
}

// RecordRun implements meeting.ImportStore: it saves src's settings, adds the run
// to import_runs (keeping the first MaxStoredProblems problems) and makes it
// the source's last run; v, when not nil, becomes the source's validators.
func (s *ImportStore) RecordRun(ctx context.Context, src meeting.Source, rep *meeting.ImportReport, v *meeting.CacheValidators) error {
	const op = "postgres.RecordRun"
	probs := rep.Problems
	if len(probs) > MaxStoredProblems {
		probs = probs[:MaxStoredProblems]
	}
	// A problem quotes the record it is about, which may hold what jsonb
	// refuses (a NUL, as \u0000: SQLSTATE 22P05); the report must be kept.
	probs = cleanProblems(probs)
	pj, err := json.Marshal(probs)
	if err != nil {
		return &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	zj, err := json.Marshal(rep.Zones)
	if err != nil {
		return &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	ptj, err := json.Marshal(rep.Points)
	if err != nil {
		return &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	total := rep.ProblemsTotal
	if total < len(rep.Problems) {
		total = len(rep.Problems)
	}
	return translate(op, pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, upsertSource, sourceArgs(src)...); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO import_runs (source, started_at, finished_at, status, parsed, inserted, updated,
				restored, unchanged, removed, rejected, flagged, held_back, error, problems, problems_total, error_public, zones, points)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
			src.Name, rep.StartedAt, rep.StartedAt.Add(rep.Duration), string(rep.Status), rep.Parsed, rep.Inserted, rep.Updated,
			rep.Restored, rep.Unchanged, rep.Removed, rep.Rejected, rep.Flagged, rep.HeldBack, meeting.CleanText(rep.Error), pj, total, meeting.CleanText(rep.PublicError), zj, ptj).Scan(&id)
		if err != nil {
			return err
		}
		if v != nil {
			_, err = tx.Exec(ctx, `UPDATE sources SET last_run_id = $2, etag = $3, last_modified = $4 WHERE name = $1`, src.Name, id, v.ETag, v.LastModified)
		} else {
			_, err = tx.Exec(ctx, `UPDATE sources SET last_run_id = $2 WHERE name = $1`, src.Name, id)
		}
		return err
	}))
}

// Sources implements meeting.ImportStore: every registered source, by name, with
// the report of its last run (its problems cut to MaxStoredProblems).
func (s *ImportStore) Sources(ctx context.Context) ([]meeting.SourceStatus, error) {
	const op = "postgres.Sources"
	rows, err := s.db.Pool.Query(ctx, `SELECT s.name, s.location, s.format, s.program, s.timezone, s.online_timezone, s.mapping,
			coalesce(extract(epoch FROM s.refresh_interval)::bigint, 0),
			r.id, r.started_at, r.finished_at, r.status, r.parsed, r.inserted, r.updated, r.restored, r.unchanged,
			r.removed, r.rejected, r.flagged, r.held_back, r.error, r.problems, r.problems_total, r.error_public, r.zones, r.points
		FROM sources s LEFT JOIN import_runs r ON r.id = s.last_run_id
		ORDER BY s.name`)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out []meeting.SourceStatus
	for rows.Next() {
		var (
			st                meeting.SourceStatus
			format, program   string
			refresh           int64
			runID             *int64
			started, finished *time.Time
			status            *string
			counts            [8]*int32
			heldBack, errText *string
			errPublic         *string
			problems          []byte
			total             *int32
			zones, points     []byte
		)
		err := rows.Scan(&st.Source.Name, &st.Source.Location, &format, &program, &st.Source.TimeZone, &st.Source.OnlineTimeZone, &st.Source.Mapping, &refresh,
			&runID, &started, &finished, &status, &counts[0], &counts[1], &counts[2], &counts[3], &counts[4],
			&counts[5], &counts[6], &counts[7], &heldBack, &errText, &problems, &total, &errPublic, &zones, &points)
		if err != nil {
			return nil, translate(op, err)
		}
		st.Source.Format = meeting.Format(format)
		st.Source.Program = meeting.Program(program)
		st.Source.Refresh = time.Duration(refresh) * time.Second
		if runID != nil {
			r := &meeting.ImportReport{Source: st.Source.Name, Format: st.Source.Format, Status: meeting.ImportStatus(*status),
				StartedAt: started.UTC(), Duration: finished.Sub(*started), HeldBack: *heldBack, Error: *errText,
				PublicError: *errPublic, ProblemsTotal: int(*total)}
			r.DurationMS = r.Duration.Milliseconds()
			for i, p := range []*int{&r.Parsed, &r.Inserted, &r.Updated, &r.Restored, &r.Unchanged, &r.Removed, &r.Rejected, &r.Flagged} {
				*p = int(*counts[i])
			}
			if err := json.Unmarshal(problems, &r.Problems); err != nil {
				return nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
			}
			if err := json.Unmarshal(zones, &r.Zones); err != nil {
				return nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
			}
			if err := json.Unmarshal(points, &r.Points); err != nil {
				return nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
			}
			st.LastRun = r
		}
		out = append(out, st)
	}
	return out, translate(op, rows.Err())
}
