package search

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Loader loads public meetings by id, in the order given, with their
// distance from f's point and next occurrence at f.Now
// (postgres.MeetingStore.Results).
type Loader interface {
	Results(ctx context.Context, ids []int64, f meeting.Filter) ([]meeting.Result, error)
}

// Store is a meeting.Store whose text queries run on an external Index.
// Queries without text, and those with Today or UpcomingHours (which
// depend on each meeting's zone), go to the embedded Store; so do text
// queries while the Index is unavailable, which is the fallback that keeps
// search working when Meilisearch is down.
type Store struct {
	meeting.Store        // the source of truth, with its own (PostgreSQL) text search
	Index         Index  // the external index
	Loader        Loader // turns hits into meetings
	Log           *slog.Logger

	degraded atomic.Bool
}

// NewStore returns a Store answering text queries with idx and loading the
// meetings from db, which also answers everything else.
func NewStore(db meeting.Store, idx Index, loader Loader, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{Store: db, Index: idx, Loader: loader, Log: log}
}

// Find answers f: text queries from the Index (falling back to the
// embedded store while it is unavailable), others from the embedded store.
func (s *Store) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	if strings.TrimSpace(f.Q) == "" || len(Terms(f.Q)) == 0 || f.Today || f.UpcomingHours > 0 {
		return s.Store.Find(ctx, f)
	}
	hits, err := s.Index.Search(ctx, f)
	if meeting.IsKind(err, meeting.KindUnavailable) {
		if !s.degraded.Swap(true) {
			s.Log.Warn("search index unavailable: text queries fall back to PostgreSQL", slog.String("error", err.Error()))
		}
		return s.Store.Find(ctx, f)
	}
	if err != nil {
		return meeting.Page{}, err
	}
	if s.degraded.Swap(false) {
		s.Log.Info("search index available again")
	}
	ids := make([]int64, len(hits.Hits))
	for i, h := range hits.Hits {
		ids[i] = h.ID
	}
	rs, err := s.Loader.Results(ctx, ids, f)
	if err != nil {
		return meeting.Page{}, err
	}
	return meeting.Page{Results: rs, NextCursor: hits.NextCursor}, nil
}

// Degraded reports whether the last text query fell back to PostgreSQL.
func (s *Store) Degraded() bool { return s.degraded.Load() }
