package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ImportStore is meeting.ImportStore on PostgreSQL: it applies imports to the
// meetings table and keeps the sources and import_runs tables.
type ImportStore struct {
	db *DB
}

// NewImportStore returns an ImportStore over db.
func NewImportStore(db *DB) *ImportStore { return &ImportStore{db: db} }

var _ meeting.ImportStore = (*ImportStore)(nil)

// hashAlways is how many of writeColumns every content hash covers
// whatever their values: the columns there were when hashes were first
// stored. A column added later is hashed only when it holds more than its
// zero value (with its position), so that adding one leaves the stored
// hashes of rows that do not use it as they were: a re-import after the
// migration does not rewrite every row.
const hashAlways = 31

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
	for i, v := range vals {
		if i >= hashAlways {
			if zeroValue(v) {
				continue
			}
			num(9, uint64(i))
		}
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

// zeroValue reports whether v, a value of rowValues, is its column's
// zero: NULL, "", false, 0 or an empty list.
func zeroValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	case bool:
		return !v
	case int16:
		return v == 0
	case int64:
		return v == 0
	case float64:
		return v == 0
	}
	return false
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

// storedRow is what Apply needs to know about a stored row of the source.
type storedRow struct {
	id      int64
	hash    []byte
	deleted bool
	owned   bool
}

// Apply implements meeting.ImportStore. In one transaction, under a lock per
// source, it reads the key, content hash and state of the source's stored
// rows and sorts ms into new, changed (hash differs), restored (removed by
// an earlier run), unchanged and owned-by-an-organization; only the new,
// changed and restored meetings are copied into a staging table, from
// which one INSERT and one UPDATE write them (only these rows get a new
// updated_at). The source's live imported rows missing from ms are then
// removed recoverably (deleted_at = now()). An unchanged re-import thus
// costs one SELECT. Rows owned by an organization (org_id set) are never
// touched; their ids come back in Outcome.Conflicts.
//
// Unless force is set it writes nothing and sets Outcome.HeldBack when ms
// is empty while the source has live rows, or when more than half of the
// live rows would be removed. Errors are *meeting.Error (see translate).
func (s *ImportStore) Apply(ctx context.Context, source string, ms []meeting.Meeting, force bool) (meeting.ImportOutcome, error) {
	const op = "postgres.Apply"
	var out meeting.ImportOutcome
	for i := range ms {
		if ms[i].Source != source {
			return out, meeting.Errorf(meeting.KindInvalid, op, "meeting %q is from source %q, not %q", ms[i].ExternalID, ms[i].Source, source)
		}
	}
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7246132, hashtext($1))`, source); err != nil {
			return err
		}
		stored, err := readStored(ctx, tx, source)
		if err != nil {
			return err
		}
		p := planImport(ms, stored)
		out.Conflicts, out.Unchanged = p.conflicts, p.unchanged
		if !force {
			if out.HeldBack = p.holdBack(len(ms)); out.HeldBack != "" {
				return errHeldBack
			}
		}
		if len(p.write) > 0 {
			if err := updateFromStage(ctx, tx, p.write, p.changed+p.restore); err != nil {
				return err
			}
			out.Updated, out.Restored = p.changed, p.restore
		}
		if len(p.insert) > 0 {
			if err := insertNew(ctx, tx, p.insert); err != nil {
				return err
			}
			out.Inserted = len(p.insert)
		}
		if len(p.gone) > 0 {
			if out.Removed, err = removeGone(ctx, tx, p.gone); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errHeldBack) {
		out.Conflicts = nil
		out.Unchanged = 0
		return out, nil
	}
	if err != nil {
		return meeting.ImportOutcome{}, translate(op, err)
	}
	return out, nil
}

// readStored returns the stored rows of source (removed ones too) by
// external id.
func readStored(ctx context.Context, tx pgx.Tx, source string) (map[string]storedRow, error) {
	stored := map[string]storedRow{}
	rows, err := tx.Query(ctx, `SELECT external_id, id, content_hash, deleted_at IS NOT NULL, org_id IS NOT NULL
		FROM meetings WHERE source = $1`, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ext string
		var r storedRow
		if err := rows.Scan(&ext, &r.id, &r.hash, &r.deleted, &r.owned); err != nil {
			return nil, err
		}
		stored[ext] = r
	}
	return stored, rows.Err()
}

// importPlan is what an import is to do: the feed sorted against the
// stored rows of its source.
type importPlan struct {
	write     [][]any            // changed and restored rows, each (rowValues) with its hash
	insert    []*meeting.Meeting // new rows
	changed   int                // rows of write that are live and differ
	restore   int                // rows of write that an earlier run removed
	unchanged int                // meetings with nothing to change
	conflicts []string           // external ids of rows an organization owns
	live      int                // live imported rows stored before the import
	gone      []int64            // ids of live imported rows missing from the feed
}

// planImport sorts the feed ms against what is stored. New meetings need
// no hash to be told apart, so theirs is computed later, while COPY
// streams them to the database.
func planImport(ms []meeting.Meeting, stored map[string]storedRow) importPlan {
	var p importPlan
	inFeed := make(map[string]struct{}, len(ms))
	for i := range ms {
		m := &ms[i]
		inFeed[m.ExternalID] = struct{}{}
		r, ok := stored[m.ExternalID]
		if !ok {
			p.insert = append(p.insert, m)
			continue
		}
		if r.owned {
			p.conflicts = append(p.conflicts, m.ExternalID)
			continue
		}
		vals := rowValues(m)
		h := contentHash(vals)
		switch {
		case r.deleted:
			p.restore++
		case !bytes.Equal(r.hash, h):
			p.changed++
		default:
			p.unchanged++
			continue
		}
		p.write = append(p.write, append(vals, h))
	}
	for ext, r := range stored {
		if r.deleted || r.owned {
			continue
		}
		p.live++
		if _, ok := inFeed[ext]; !ok {
			p.gone = append(p.gone, r.id)
		}
	}
	return p
}

// holdBack returns why a feed of feedLen meetings should not be applied
// without force: it has none while the source has live rows, or it would
// remove more than half of them. It returns "" when the feed may go ahead.
func (p importPlan) holdBack(feedLen int) string {
	switch {
	case feedLen == 0 && p.live > 0:
		return fmt.Sprintf("the feed has no meetings, and the source has %d live meetings that would all be removed", p.live)
	case p.live > 0 && len(p.gone)*2 > p.live:
		return fmt.Sprintf("the feed would remove %d of the source's %d live meetings (more than half at once)", len(p.gone), p.live)
	}
	return ""
}

// updateFromStage copies the rows of write (rowValues and content hash)
// into a staging table and updates the stored rows from it, restoring
// removed ones; it fails unless exactly want rows were updated.
func updateFromStage(ctx context.Context, tx pgx.Tx, write [][]any, want int) error {
	stage, cast := stageSQL()
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_stage ON COMMIT DROP AS SELECT `+strings.Join(stage, ", ")+
		`, content_hash FROM meetings WITH NO DATA`); err != nil {
		return err
	}
	cols := append(append([]string{}, writeColumns...), "content_hash")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_stage"}, cols, pgx.CopyFromRows(write)); err != nil {
		return err
	}
	var set []string
	for j, c := range writeColumns {
		if !importKeep[c] {
			set = append(set, c+" = "+cast[j])
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE meetings m SET `+strings.Join(set, ", ")+`,
			content_hash = s.content_hash, updated_at = now(), deleted_at = NULL
		FROM import_stage s
		WHERE m.source = s.source AND m.external_id = s.external_id AND m.org_id IS NULL`)
	if err != nil {
		return err
	}
	if n := int(tag.RowsAffected()); n != want {
		return &meeting.Error{Kind: meeting.KindInternal, Op: "postgres.Apply", Message: fmt.Sprintf("updated %d rows, expected %d", n, want)}
	}
	return nil
}

// insertNew copies the new meetings straight into meetings, each with its
// content hash. Under the source's lock, and read in this transaction,
// their keys are known to be new.
func insertNew(ctx context.Context, tx pgx.Tx, insert []*meeting.Meeting) error {
	i := 0
	return copyMeetings(ctx, tx, append(append([]string{}, writeColumns...), "content_hash"), func() []any {
		if i >= len(insert) {
			return nil
		}
		vals := rowValues(insert[i])
		i++
		return append(vals, contentHash(vals))
	})
}

// removeGone removes the live imported rows with the given ids
// recoverably (deleted_at = now()) and returns how many it removed.
func removeGone(ctx context.Context, tx pgx.Tx, gone []int64) (int, error) {
	tag, err := tx.Exec(ctx, `UPDATE meetings SET deleted_at = now(), updated_at = now()
		WHERE id = ANY($1) AND deleted_at IS NULL AND org_id IS NULL`, gone)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// errHeldBack rolls back the transaction of a held-back import.
var errHeldBack = errors.New("held back")
