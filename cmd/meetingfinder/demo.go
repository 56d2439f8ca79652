package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

func runDemo(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("meetings", 20000, "how many demo meetings to load")
	seed := fs.Int64("seed", 1, "random seed (the same seed gives the same meetings)")
	ifEmpty := fs.Bool("if-empty", false, "do nothing when the database already has meetings")
	replace := fs.Bool("replace", false, "remove earlier demo meetings first")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *n < 1 {
		return usageError{"--meetings must be at least 1"}
	}
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	store := postgres.NewMeetingStore(db)
	if *ifEmpty {
		count, err := store.Count(ctx)
		if err != nil {
			return err
		}
		if count > 0 {
			fmt.Fprintf(stdout, "demo: the database already has %d meetings; nothing loaded\n", count)
			return nil
		}
	}
	if *replace {
		if _, err := db.Pool.Exec(ctx, `DELETE FROM meetings WHERE source = 'demo'`); err != nil {
			return err
		}
	}
	start := time.Now()
	g := demo.New(*seed)
	const batch = 50000
	buf := make([]meeting.Meeting, 0, batch)
	loaded := 0
	for loaded < *n {
		buf = buf[:0]
		for len(buf) < batch && loaded+len(buf) < *n {
			buf = append(buf, g.Next())
		}
		if err := store.InsertMeetings(ctx, buf); err != nil {
			return fmt.Errorf("demo: after %d meetings: %w (use --replace to reload)", loaded, err)
		}
		loaded += len(buf)
	}
	fmt.Fprintf(stdout, "demo: loaded %d meetings in %s\n", loaded, time.Since(start).Round(time.Millisecond))
	// Text search sees meetings once indexed; index them now so that serve
	// starts with search ready, then gather statistics over the filled
	// search columns.
	start = time.Now()
	indexed, err := db.RefreshSearch(ctx, 0)
	if err != nil {
		return fmt.Errorf("demo: search index: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE meetings`); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo: indexed %d meetings for text search in %s\n", indexed, time.Since(start).Round(time.Millisecond))
	return nil
}
