package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/textdoc"
)

// The embedded text index is the table meeting_search (migration 0011).
// Writers do not build documents: triggers on meetings name the meetings
// whose indexed text, types, point or visibility changed in search_queue,
// in the writer's transaction, and RefreshSearch builds their documents
// in Go (searchdoc.go) afterwards. Bulk loads thus pay one narrow queue
// row per meeting, and text search sees a change once the refresh has run
// (serve runs it every SearchRefreshEvery).
//
// A refresh with few meetings waiting updates meeting_search in place; one
// with many (a first start, a large import, "meetingfinder reindex")
// rebuilds it whole into a new table, builds its indexes in bulk and swaps
// it in (RebuildSearch), which is several times faster than updating a
// GIN index row by row.

// SearchRefreshBatch is how many meetings RefreshSearch indexes per
// transaction by default.
const SearchRefreshBatch = 5000

// SearchRefreshEvery is how often serve indexes the meetings written since
// its last refresh: the lag of text search behind a change.
const SearchRefreshEvery = 2 * time.Second

// searchBulkAt is how many waiting meetings make RefreshSearch rebuild the
// whole index rather than update it.
const searchBulkAt = 50000

// searchLock is the advisory lock key of the index: a rebuild holds it
// exclusively, refreshes in place share it, so that no refresh writes to
// the table a rebuild is about to replace.
const searchLock = 0x6d66736561726368 // "mfsearch"

// rebuildChunkSize is how many meetings a rebuild reads per query.
const rebuildChunkSize = 10000

// RefreshSearch indexes every meeting waiting in search_queue (new,
// changed, no longer public or deleted) until none is left or ctx ends,
// batch meetings per transaction (batch < 1: SearchRefreshBatch), and
// returns how many it handled. With more than searchBulkAt waiting it
// rebuilds the whole index (RebuildSearch). Several callers may run at
// once: queue rows are claimed with SKIP LOCKED.
func (db *DB) RefreshSearch(ctx context.Context, batch int) (int, error) {
	const op = "postgres.RefreshSearch"
	if batch < 1 {
		batch = SearchRefreshBatch
	}
	var waiting int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM search_queue LIMIT $1) q`, searchBulkAt+1).Scan(&waiting); err != nil {
		return 0, translate(op, err)
	}
	if waiting > searchBulkAt {
		return db.RebuildSearch(ctx)
	}
	total := 0
	for ctx.Err() == nil {
		n, err := db.refreshBatch(ctx, batch)
		total += n
		if err != nil {
			return total, translate(op, err)
		}
		if n == 0 {
			break
		}
	}
	return total, translate(op, ctx.Err())
}

// refreshBatch indexes up to batch queued meetings in one transaction and
// returns how many distinct meetings it took from the queue.
func (db *DB) refreshBatch(ctx context.Context, batch int) (int, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, int64(searchLock)); err != nil {
		return 0, err
	}
	rows, err := tx.Query(ctx, `DELETE FROM search_queue WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM search_queue LIMIT $1 FOR UPDATE SKIP LOCKED)) RETURNING meeting_id`, batch)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var docIDs []int64
	var docs []string
	words := map[string]bool{}
	var b textdoc.Builder
	var tw tsvectorWriter
	err = readSearchFields(ctx, tx, `m.id = ANY($1)`, []any{ids}, func(m *meeting.Meeting) {
		d := b.Build(m)
		docIDs = append(docIDs, m.ID)
		docs = append(docs, tw.write(d, m.Location.Point.Lat(), m.Location.Point.Lon(), m.Location.HasPoint))
		for _, w := range d.Words {
			if !words[w.Text] {
				words[strings.Clone(w.Text)] = true
			}
		}
	})
	if err != nil {
		return 0, err
	}
	// Delete what is no longer public, then upsert the rest.
	if _, err := tx.Exec(ctx, `DELETE FROM meeting_search WHERE meeting_id = ANY($1) AND NOT (meeting_id = ANY($2))`, ids, docIDs); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO meeting_search (meeting_id, doc)
		SELECT * FROM unnest($1::bigint[], $2::text[]::tsvector[])
		ON CONFLICT (meeting_id) DO UPDATE SET doc = EXCLUDED.doc`, docIDs, docs); err != nil {
		return 0, err
	}
	if err := addWords(ctx, tx, words); err != nil {
		return 0, err
	}
	return len(ids), tx.Commit(ctx)
}

// addWords adds the words to the vocabulary, in order (so that concurrent
// refreshes take the same locks in the same order).
func addWords(ctx context.Context, tx pgx.Tx, words map[string]bool) error {
	list := make([]string, 0, len(words))
	for w := range words {
		list = append(list, w)
	}
	slices.Sort(list)
	_, err := tx.Exec(ctx, `INSERT INTO search_words (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, list)
	return err
}

// searchFieldsSQL reads what a document is built of (textdoc.Builder);
// %s is the condition (on m) and the rest of the query.
const searchFieldsSQL = `SELECT m.id, m.name, m.group_name, m.location_name, m.city, m.region, m.postal_code,
	m.address, m.formatted_address, m.regions, m.notes, m.location_notes, m.types,
	coalesce(ST_X(m.geog::geometry), 0), coalesce(ST_Y(m.geog::geometry), 0), m.geog IS NOT NULL
	FROM meetings m WHERE ` + publicRows + ` AND %s`

// readSearchFields calls fn with the fields a document is built of of
// each public meeting that cond (with args) selects: id, name, group,
// location (names, addresses, regions, notes, point), notes and types.
// fn's meeting is reused for the next row.
func readSearchFields(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, cond string, args []any, fn func(*meeting.Meeting)) error {
	rows, err := q.Query(ctx, fmt.Sprintf(searchFieldsSQL, cond), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var m meeting.Meeting
	l := &m.Location
	var lon, lat float64
	for rows.Next() {
		m.Types, l.Regions = nil, nil // never share a slice with the previous row
		if err := rows.Scan(&m.ID, &m.Name, &m.Group, &l.Name, &l.City, &l.Region, &l.PostalCode,
			&l.Address, &l.FormattedAddress, &l.Regions, &m.Notes, &l.Notes, &m.Types, &lon, &lat, &l.HasPoint); err != nil {
			return err
		}
		l.Point = orb.Point{lon, lat}
		fn(&m)
	}
	return rows.Err()
}

// RebuildSearch rebuilds the whole text index: it empties the queue, builds
// the document of every public meeting into a new table, builds its
// indexes and the vocabulary, and swaps it for meeting_search, all in one
// transaction, so text search answers from the old index until the new
// one is complete. Changes committed meanwhile stay queued for the next
// refresh. It returns how many meetings it indexed.
func (db *DB) RebuildSearch(ctx context.Context) (int, error) {
	const op = "postgres.RebuildSearch"
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, translate(op, err)
	}
	defer tx.Rollback(ctx)
	n, err := db.rebuildSearch(ctx, tx)
	if err != nil {
		return 0, translate(op, err)
	}
	return n, translate(op, tx.Commit(ctx))
}

// rebuildSearch is RebuildSearch's work in tx: see rebuildDocs and
// swapSearch.
func (db *DB) rebuildSearch(ctx context.Context, tx pgx.Tx) (int, error) {
	for _, s := range []string{
		`SELECT pg_advisory_xact_lock(` + fmt.Sprint(int64(searchLock)) + `)`,
		`SET LOCAL maintenance_work_mem = '512MB'`,
		`DELETE FROM search_queue`,
		`DROP TABLE IF EXISTS meeting_search_build`,
		// The same columns and their comments, no indexes yet.
		`CREATE TABLE meeting_search_build (LIKE meeting_search INCLUDING DEFAULTS INCLUDING COMMENTS) WITH (parallel_workers = 0)`,
	} {
		if _, err := tx.Exec(ctx, s); err != nil {
			return 0, err
		}
	}
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return 0, err
	}
	words, total, err := db.rebuildDocs(ctx, tx, snapshot)
	if err != nil {
		return 0, err
	}
	return total, swapSearch(ctx, tx, words)
}

// rebuildChunk is one chunk of a rebuild: the fields read, then the rows
// built from them.
type rebuildChunk struct {
	fields []meeting.Meeting
	rows   [][]any
	words  map[string]int32
}

// rebuildDocs writes the document of every public meeting into
// meeting_search_build through tx, in one COPY, while another connection
// reads the meetings in the snapshot of tx and rebuildWorkers goroutines
// build the documents: reading, building and writing overlap. It returns
// the vocabulary with document counts and how many meetings it wrote.
func (db *DB) rebuildDocs(ctx context.Context, tx pgx.Tx, snapshot string) (map[string]int32, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := make(chan *rebuildChunk, 2)
	built := make(chan *rebuildChunk, 2)
	var readErr error
	go func() {
		defer close(read)
		readErr = db.readAllFields(ctx, snapshot, read)
	}()
	var wg sync.WaitGroup
	for range rebuildWorkers {
		wg.Go(func() {
			var b textdoc.Builder
			var tw tsvectorWriter
			for c := range read {
				c.words = map[string]int32{}
				c.rows = make([][]any, len(c.fields))
				for i := range c.fields {
					m := &c.fields[i]
					d := b.Build(m)
					c.rows[i] = []any{m.ID, tw.write(d, m.Location.Point.Lat(), m.Location.Point.Lon(), m.Location.HasPoint)}
					for _, w := range d.Words {
						if n, ok := c.words[w.Text]; ok {
							c.words[w.Text] = n + 1
						} else {
							c.words[strings.Clone(w.Text)] = 1
						}
					}
				}
				c.fields = nil
				select {
				case built <- c:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(built) }()
	src := &chunkSource{in: built, words: map[string]int32{}}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"meeting_search_build"}, []string{"meeting_id", "doc"}, src)
	cancel()
	for range built { // let the workers finish
	}
	if err == nil {
		err = readErr
	}
	return src.words, int(n), err
}

// rebuildWorkers is how many goroutines build documents in a rebuild.
const rebuildWorkers = 2

// readAllFields reads the fields of every public meeting, by id, in
// chunks of rebuildChunkSize, on a connection of its own in snapshot.
func (db *DB) readAllFields(ctx context.Context, snapshot string, out chan<- *rebuildChunk) error {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "")+`'`); err != nil {
		return err
	}
	for last := int64(0); ; {
		c := &rebuildChunk{fields: make([]meeting.Meeting, 0, rebuildChunkSize)}
		err := readSearchFields(ctx, tx, `m.id > $1 ORDER BY m.id LIMIT $2`, []any{last, rebuildChunkSize}, func(m *meeting.Meeting) {
			c.fields = append(c.fields, *m)
			last = m.ID
		})
		if err != nil || len(c.fields) == 0 {
			return err
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// chunkSource is the pgx.CopyFromSource of a rebuild: the rows of the
// built chunks as they come, merging their vocabularies.
type chunkSource struct {
	in    <-chan *rebuildChunk
	cur   [][]any
	i     int
	words map[string]int32
}

// Next advances to the next row, waiting for the next chunk.
func (s *chunkSource) Next() bool {
	for s.i+1 >= len(s.cur) {
		c, ok := <-s.in
		if !ok {
			return false
		}
		for w, n := range c.words {
			s.words[w] += n
		}
		s.cur, s.i = c.rows, -1
		if len(s.cur) > 0 {
			break
		}
	}
	s.i++
	return true
}

// Values returns the current row.
func (s *chunkSource) Values() ([]any, error) { return s.cur[s.i], nil }

// Err is always nil: reading errors are returned by rebuildDocs.
func (s *chunkSource) Err() error { return nil }

// swapSearch builds the indexes of meeting_search_build and the
// vocabulary, and puts the new table in the place of meeting_search.
func swapSearch(ctx context.Context, tx pgx.Tx, words map[string]int32) error {
	list := make([]string, 0, len(words))
	counts := make([]int32, 0, len(words))
	for w, c := range words {
		list, counts = append(list, w), append(counts, c)
	}
	var tableComment string
	if err := tx.QueryRow(ctx, `SELECT coalesce(obj_description('meeting_search'::regclass, 'pg_class'), '')`).Scan(&tableComment); err != nil {
		return err
	}
	for _, s := range []struct {
		sql  string
		args []any
	}{
		{`ALTER TABLE meeting_search_build ADD CONSTRAINT meeting_search_build_pkey PRIMARY KEY (meeting_id)`, nil},
		{`CREATE INDEX meeting_search_build_doc ON meeting_search_build USING gin (doc) WITH (fastupdate = on, gin_pending_list_limit = 4096)`, nil},
		{`DELETE FROM search_words`, nil},
		{`INSERT INTO search_words (word, ndoc) SELECT * FROM unnest($1::text[], $2::int[])`, []any{list, counts}},
		{`DROP TABLE meeting_search`, nil},
		{`ALTER TABLE meeting_search_build RENAME TO meeting_search`, nil},
		{`ALTER INDEX meeting_search_build_pkey RENAME TO meeting_search_pkey`, nil},
		{`ALTER INDEX meeting_search_build_doc RENAME TO meeting_search_doc`, nil},
		{`SELECT set_config('meetingfinder.search_comment', $1, true)`, []any{tableComment}},
		{`DO $$ BEGIN
			EXECUTE format('COMMENT ON TABLE meeting_search IS %L', current_setting('meetingfinder.search_comment'));
		END $$`, nil},
		{`ANALYZE meeting_search`, nil},
	} {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%.60s: %w", s.sql, err)
		}
	}
	return nil
}

// SearchPending returns how many queued changes wait to be indexed.
func (db *DB) SearchPending(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM search_queue`).Scan(&n)
	return n, translate("postgres.SearchPending", err)
}

// RunSearchRefresh runs RefreshSearch at once and then every interval
// until ctx ends, logging how many meetings each run indexed (runs that
// found nothing are not logged) and failures.
func (db *DB) RunSearchRefresh(ctx context.Context, interval time.Duration, log *slog.Logger) {
	for {
		start := time.Now()
		n, err := db.RefreshSearch(ctx, 0)
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled):
			log.Warn("search refresh failed", slog.Int("indexed", n), slog.String("error", err.Error()))
		case n > 0:
			log.Info("search refresh", slog.Int("indexed", n), slog.Duration("took", time.Since(start).Round(time.Millisecond)))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
