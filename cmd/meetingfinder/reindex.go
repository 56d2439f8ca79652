package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
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

// runReindex refreshes the places, rebuilds the PostgreSQL text index and, with
// MEILI_URL, rebuilds the Meilisearch index from the database.
func runReindex(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", 1000, "meetings per request to the index")
	keep := fs.Bool("keep", false, "do not empty the index first (documents of meetings deleted meanwhile may remain)")
	resume := fs.Bool("resume", false, "continue the last Meilisearch rebuild where the index last confirmed, when it did not finish")
	inFlight := fs.Int("in-flight", 4, "batches Meilisearch may hold before it confirms them")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *batch < 1 || *inFlight < 1 {
		return usageError{"--batch and --in-flight must be at least 1"}
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
	indexed, err := db.RebuildSearch(ctx)
	if err != nil {
		return fmt.Errorf("reindex: PostgreSQL text index: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "reindex: PostgreSQL text index rebuilt: %d meetings in %s (%.0f meetings/s)\n",
		indexed, took.Round(time.Millisecond), float64(indexed)/took.Seconds())
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
	lastReport := time.Now()
	progress := func(done, total int) {
		if time.Since(lastReport) >= 5*time.Second || done == total {
			lastReport = time.Now()
			fmt.Fprintf(stdout, "reindex: %d of %d meetings confirmed by Meilisearch (%.0f%%)\n", done, total, 100*float64(done)/float64(max(total, 1)))
		}
	}
	st, err := postgres.NewOutbox(db).Reindex(ctx, idx, postgres.ReindexOptions{
		Batch: *batch, InFlight: *inFlight, Clear: clear, Resume: *resume, Progress: progress})
	if err != nil {
		return fmt.Errorf("reindex: after %d meetings (run \"meetingfinder reindex --resume\" to continue): %w", st.Meetings, err)
	}
	from := ""
	if st.Resumed {
		from = fmt.Sprintf(", resuming after meeting %d", st.From)
	}
	fmt.Fprintf(stdout, "reindex: %d meetings sent to Meilisearch in %s (%.0f meetings/s%s); %d queued changes covered; changes from now on are queued for serve\n",
		st.Meetings, st.Took.Round(time.Millisecond), float64(st.Meetings)/st.Took.Seconds(), from, st.Cleared)
	return nil
}
