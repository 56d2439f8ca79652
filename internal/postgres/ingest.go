package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ImportStore is ingest.Store on PostgreSQL: it applies imports to the
// meetings table and keeps the sources and import_runs tables.
type ImportStore struct {
	db *DB
}

// NewImportStore returns an ImportStore over db.
func NewImportStore(db *DB) *ImportStore { return &ImportStore{db: db} }

var _ ingest.Store = (*ImportStore)(nil)

// contentHash returns a hash of the values m writes (rowValues): equal
// hashes mean an import has nothing to change in the row.
func contentHash(vals []any) []byte {
	h := sha256.New()
	var n [8]byte
	num := func(tag byte, v uint64) {
		h.Write([]byte{tag})
		binary.LittleEndian.PutUint64(n[:], v)
		h.Write(n[:])
	}
	str := func(tag byte, s string) {
		num(tag, uint64(len(s)))
		h.Write([]byte(s))
	}
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			h.Write([]byte{0})
		case string:
			str(1, v)
		case []string:
			num(2, uint64(len(v)))
			for _, s := range v {
				str(1, s)
			}
		case int16:
			num(3, uint64(v))
		case int64:
			num(4, uint64(v))
		case bool:
			if v {
				h.Write([]byte{5})
			} else {
				h.Write([]byte{6})
			}
		case float64:
			num(7, math.Float64bits(v))
		default:
			str(8, fmt.Sprint(v))
		}
	}
	return h.Sum(nil)[:16]
}

// stageSQL returns the select list that creates the staging table (times
// and the point as text, as rowValues gives them) and the expressions that
// cast staged values into meetings' column types, both in writeColumns
// order.
func stageSQL() (stage, cast []string) {
	for _, c := range writeColumns {
		switch c {
		case "start_time", "end_time":
			stage = append(stage, c+"::text AS "+c)
			cast = append(cast, "s."+c+"::time")
		case "geog":
			stage = append(stage, c+"::text AS "+c)
			cast = append(cast, "s.geog::geography")
		default:
			stage = append(stage, c)
			cast = append(cast, "s."+c)
		}
	}
	return stage, cast
}

// importKeep are the columns an import never overwrites on an existing
// row: its key, and the moderation state and owner set by people.
var importKeep = map[string]bool{"source": true, "external_id": true, "status": true, "org_id": true}

// Apply implements ingest.Store: in one transaction, under a lock per
// source, it copies ms into a staging table and then, set-based, inserts
// new (source, external id) pairs, rewrites rows whose content hash
// differs (only those get a new updated_at), restores rows an earlier run
// removed, and removes (deleted_at = now()) the source's live imported rows
// missing from ms. Rows owned by an organization (org_id set) are never
// touched; their ids come back in Outcome.Conflicts.
//
// Unless force is set it writes nothing and sets Outcome.HeldBack when ms
// is empty while the source has live rows, or when more than half of the
// live rows would be removed. Errors are *meeting.Error (see translate).
func (s *ImportStore) Apply(ctx context.Context, source string, ms []meeting.Meeting, force bool) (ingest.Outcome, error) {
	const op = "postgres.Apply"
	var out ingest.Outcome
	for i := range ms {
		if ms[i].Source != source {
			return out, meeting.Errorf(meeting.KindInvalid, op, "meeting %q is from source %q, not %q", ms[i].ExternalID, ms[i].Source, source)
		}
	}
	stage, cast := stageSQL()
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7246132, hashtext($1))`, source); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_stage ON COMMIT DROP AS SELECT `+strings.Join(stage, ", ")+
			`, content_hash FROM meetings WITH NO DATA`); err != nil {
			return err
		}
		cols := append(append([]string{}, writeColumns...), "content_hash")
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(ms) {
				return nil, nil
			}
			v := rowValues(&ms[i])
			v = append(v, contentHash(v))
			i++
			return v, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, cols, src); err != nil {
			return err
		}
		// No ANALYZE: it costs more than it saves here. Without statistics
		// the planner sizes the temp table from its pages, which is enough
		// to pick hash joins for large feeds and nested loops for small ones.

		// Classify the feed against what is stored.
		var fresh, owned, changed, restore, same int
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE m.id IS NULL),
				count(*) FILTER (WHERE m.org_id IS NOT NULL),
				count(*) FILTER (WHERE m.id IS NOT NULL AND m.org_id IS NULL AND m.deleted_at IS NOT NULL),
				count(*) FILTER (WHERE m.id IS NOT NULL AND m.org_id IS NULL AND m.deleted_at IS NULL
					AND m.content_hash IS DISTINCT FROM s.content_hash)
			FROM import_stage s LEFT JOIN meetings m ON m.source = s.source AND m.external_id = s.external_id`).
			Scan(&fresh, &owned, &restore, &changed); err != nil {
			return err
		}
		if owned > 0 {
			rows, err := tx.Query(ctx, `SELECT s.external_id FROM import_stage s
				JOIN meetings m ON m.source = s.source AND m.external_id = s.external_id
				WHERE m.org_id IS NOT NULL ORDER BY 1`)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			out.Conflicts = ids
		}
		same = len(ms) - fresh - changed - restore - owned
		var live, gone int
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE s.external_id IS NULL)
			FROM meetings m LEFT JOIN import_stage s ON s.external_id = m.external_id
			WHERE m.source = $1 AND m.deleted_at IS NULL AND m.org_id IS NULL`, source).Scan(&live, &gone); err != nil {
			return err
		}
		if !force {
			switch {
			case len(ms) == 0 && live > 0:
				out.HeldBack = fmt.Sprintf("the feed has no meetings, and the source has %d live meetings that would all be removed", live)
			case live > 0 && gone*2 > live:
				out.HeldBack = fmt.Sprintf("the feed would remove %d of the source's %d live meetings (more than half at once)", gone, live)
			}
			if out.HeldBack != "" {
				out.Conflicts = nil
				return errHeldBack
			}
		}
		out.Unchanged = same

		if changed+restore > 0 {
			var set []string
			for j, c := range writeColumns {
				if !importKeep[c] {
					set = append(set, c+" = "+cast[j])
				}
			}
			tag, err := tx.Exec(ctx, `UPDATE meetings m SET `+strings.Join(set, ", ")+`,
					content_hash = s.content_hash, updated_at = now(), deleted_at = NULL
				FROM import_stage s
				WHERE m.source = s.source AND m.external_id = s.external_id AND m.org_id IS NULL
					AND (m.deleted_at IS NOT NULL OR m.content_hash IS DISTINCT FROM s.content_hash)`)
			if err != nil {
				return err
			}
			if n := int(tag.RowsAffected()); n != changed+restore {
				return &meeting.Error{Kind: meeting.KindInternal, Op: op, Message: fmt.Sprintf("updated %d rows, expected %d", n, changed+restore)}
			}
			out.Updated, out.Restored = changed, restore
		}
		if fresh > 0 {
			tag, err := tx.Exec(ctx, `INSERT INTO meetings (`+strings.Join(writeColumns, ", ")+`, content_hash)
				SELECT `+strings.Join(cast, ", ")+`, s.content_hash FROM import_stage s
				WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE m.source = s.source AND m.external_id = s.external_id)`)
			if err != nil {
				return err
			}
			out.Inserted = int(tag.RowsAffected())
		}
		if gone > 0 {
			tag, err := tx.Exec(ctx, `UPDATE meetings m SET deleted_at = now(), updated_at = now()
				WHERE m.source = $1 AND m.deleted_at IS NULL AND m.org_id IS NULL
					AND NOT EXISTS (SELECT 1 FROM import_stage s WHERE s.external_id = m.external_id)`, source)
			if err != nil {
				return err
			}
			out.Removed = int(tag.RowsAffected())
		}
		return nil
	})
	if errors.Is(err, errHeldBack) {
		return out, nil
	}
	if err != nil {
		return ingest.Outcome{}, translate(op, err)
	}
	return out, nil
}

// errHeldBack rolls back the transaction of a held-back import.
var errHeldBack = errors.New("held back")
