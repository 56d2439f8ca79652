package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/meili"
)

// newMeili returns the Meilisearch index named by MEILI_URL, MEILI_API_KEY
// and MEILI_INDEX, or nil when MEILI_URL is not set.
func newMeili(getenv env) *meili.Index {
	if getenv("MEILI_URL") == "" {
		return nil
	}
	return meili.New(getenv("MEILI_URL"), getenv("MEILI_API_KEY"), getenv("MEILI_INDEX"), nil)
}

// searchSetup is the search part of serve: the store that answers meeting
// queries, the place finder, the /readyz check of the external index and
// the background work (outbox delivery, place refresh).
type searchSetup struct {
	store  meeting.Store
	places *postgres.PlaceStore
	check  httpapi.Checker // nil without an external index
	run    func(ctx context.Context)
}

// placesRefresh is how often serve rebuilds the places view.
const placesRefresh = 10 * time.Minute

// setupSearch wires text search: PostgreSQL's embedded index alone, or,
// with MEILI_URL, Meilisearch in front of it, fed by the outbox and with
// PostgreSQL as the fallback while it is down.
func setupSearch(ctx context.Context, db *postgres.DB, getenv env, log *slog.Logger) (*searchSetup, error) {
	pg := postgres.NewMeetingStore(db)
	places := postgres.NewPlaceStore(db)
	// Refresh the places at start (imports and demo loads since the last
	// run are then visible) and every placesRefresh.
	refresh := func(ctx context.Context) {
		for {
			if err := places.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Warn("places refresh failed", slog.String("error", err.Error()))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(placesRefresh):
			}
		}
	}
	idx := newMeili(getenv)
	if idx == nil {
		return &searchSetup{store: pg, places: places, run: refresh}, nil
	}
	ob := postgres.NewOutbox(db)
	if err := ob.Enable(ctx, true); err != nil {
		return nil, err
	}
	log.Info("search: Meilisearch at MEILI_URL, PostgreSQL as fallback; run \"meetingfinder reindex\" once to build the index")
	run := func(ctx context.Context) {
		go refresh(ctx)
		// Until the index exists with its settings, text queries fall back
		// to PostgreSQL and changes wait in the outbox.
		for wait := time.Second; ; wait = min(2*wait, postgres.MaxBackoff) {
			err := idx.Setup(ctx)
			if err == nil {
				break
			}
			log.Warn("search: Meilisearch setup failed; retrying", slog.String("error", err.Error()), slog.Duration("in", wait))
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		ob.Run(ctx, idx, time.Second, log)
	}
	return &searchSetup{
		store:  search.NewStore(pg, idx, pg, log),
		places: places,
		check:  idx.Health,
		run:    run,
	}, nil
}

func runReindex(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", 1000, "meetings per request to the index")
	keep := fs.Bool("keep", false, "do not empty the index first (documents of meetings deleted meanwhile may remain)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *batch < 1 {
		return usageError{"--batch must be at least 1"}
	}
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := postgres.NewPlaceStore(db).Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reindex: places refreshed in %s\n", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	indexed, err := db.RefreshSearch(ctx, 0)
	if err != nil {
		return fmt.Errorf("reindex: PostgreSQL text index: after %d meetings: %w", indexed, err)
	}
	fmt.Fprintf(stdout, "reindex: %d meetings waiting for the PostgreSQL text index indexed in %s\n", indexed, time.Since(start).Round(time.Millisecond))
	idx := newMeili(getenv)
	if idx == nil {
		fmt.Fprintln(stdout, "reindex: MEILI_URL is not set; serve keeps the PostgreSQL index current by itself")
		return nil
	}
	if err := idx.Setup(ctx); err != nil {
		return err
	}
	var clear func(context.Context) error
	if !*keep {
		clear = idx.Clear
	}
	st, err := postgres.NewOutbox(db).Reindex(ctx, idx, clear, *batch)
	if err != nil {
		return fmt.Errorf("reindex: after %d meetings: %w", st.Meetings, err)
	}
	fmt.Fprintf(stdout, "reindex: %d meetings sent to Meilisearch in %s; %d queued changes covered; changes from now on are queued for serve\n",
		st.Meetings, st.Took.Round(time.Millisecond), st.Cleared)
	return nil
}
