package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// The search columns of meetings (search_doc, search_text; migration
// 0007) are not written by the writers: an INSERT leaves them NULL and an
// UPDATE that changes a searched text clears them (trigger
// meetings_search_invalidate). RefreshSearch fills them afterwards, so
// bulk loads pay nothing for search and text search sees a change once the
// refresh has run (serve runs it every SearchRefreshEvery).

// SearchRefreshBatch is how many meetings RefreshSearch indexes per
// transaction by default: large enough to amortise the round trip, small
// enough that the rows it locks are held for a fraction of a second.
const SearchRefreshBatch = 2000

// SearchRefreshEvery is how often serve indexes the meetings written since
// its last refresh: the lag of text search behind a change.
const SearchRefreshEvery = 2 * time.Second

// searchIndexes are the GIN indexes whose pending lists RefreshSearch
// merges after a large run, so that queries do not scan them.
var searchIndexes = []string{"meetings_search_doc_public", "meetings_search_text_public"}

// searchRefreshWorkers is how many transactions RefreshSearch runs at once
// when more than a batch is waiting: computing the documents and updating
// the GIN indexes is CPU-bound, and two halve the time on two cores.
const searchRefreshWorkers = 2

// RefreshSearch indexes every public meeting that is not indexed yet (new,
// or changed since it was indexed), batch rows per transaction (batch < 1:
// SearchRefreshBatch), until none is left or ctx ends. It returns how many
// it indexed. Several callers may run at once: each row is indexed by one
// of them (SKIP LOCKED).
func (db *DB) RefreshSearch(ctx context.Context, batch int) (int, error) {
	const op = "postgres.RefreshSearch"
	if batch < 1 {
		batch = SearchRefreshBatch
	}
	one := func() (int, error) {
		var n int
		err := db.Pool.QueryRow(ctx, `SELECT meeting_search_refresh($1)`, batch).Scan(&n)
		return n, err
	}
	total, err := one()
	if err != nil {
		return 0, translate(op, err)
	}
	if total == batch { // more may wait: share them out
		var mu sync.Mutex
		var firstErr error
		var wg sync.WaitGroup
		for range searchRefreshWorkers {
			wg.Go(func() {
				for ctx.Err() == nil {
					n, err := one()
					mu.Lock()
					total += n
					if err != nil && firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					if err != nil || n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if firstErr == nil {
			firstErr = ctx.Err()
		}
		if firstErr != nil {
			return total, translate(op, firstErr)
		}
	}
	if total >= batch {
		// Merge what the run left in the GIN pending lists now rather than
		// at the next vacuum. Best effort: it needs to own the indexes.
		for _, idx := range searchIndexes {
			if _, err := db.Pool.Exec(ctx, `SELECT gin_clean_pending_list($1::regclass)`, idx); err != nil && ctx.Err() != nil {
				return total, translate(op, ctx.Err())
			}
		}
	}
	return total, nil
}

// SearchPending returns how many public meetings wait to be indexed.
func (db *DB) SearchPending(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings
		WHERE search_doc IS NULL AND status = 'published' AND deleted_at IS NULL`).Scan(&n)
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
		case err != nil && ctx.Err() == nil:
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
