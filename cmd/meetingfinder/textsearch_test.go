package main

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/memindex"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

// TestMemoryTextIndexAnswersAsPostgres loads real feeds into PostgreSQL,
// feeds the text index in memory from the read model as serve does, and
// checks that both answer text queries alike: the same meetings in the
// same order with a point, and without one whenever PostgreSQL reads
// every match (its candidates are capped at 201 rows, over sources that
// may repeat a meeting; beyond, it answers with the best of what it
// read, where the index in memory answers with the best of all).
func TestMemoryTextIndexAnswersAsPostgres(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	pg := postgres.NewMeetingStore(db)
	if err := pg.InsertMeetings(ctx, searchtest.Feeds(t, "nepa-tsml-cache.json", "aasepia.json", "aasfmarin.test.json", "aasanjose.test.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RefreshSearch(ctx, 0); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	text := memindex.New(memindex.Options{Logger: log})
	reads, model := publicReads(db, true, text, log)
	if err := model.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for !text.Ready() {
		if _, err := model.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mem := search.NewStore(reads, text, reads.(search.Loader), log)
	queries := []string{"serenity", "serinity", "serinity grup", "big bo", "big bokk", "women", "womens stpe", "spanish",
		"espanol", "pittson", "a", "s", "peace serinity gruop", "serenity now", "step", "st", "gr", "new be", "hope",
		"happy ho", "lving sobr", "speaker", "12", "alanon", "young people", "candlelight", "daily reflections",
		"into action", "acceptance", "san jose", "phila", "marin", "h", "w"}
	points := []orb.Point{{-75.6624, 41.4090}, {-75.1652, 39.9526}, {-122.4194, 37.7749}, {-121.8863, 37.3382}}
	compared := 0
	for _, q := range queries {
		fs := []meeting.Filter{{Q: q, Limit: meeting.MaxLimit}}
		for _, p := range points {
			fs = append(fs, meeting.Filter{Q: q, Point: p, HasPoint: true, Limit: meeting.MaxLimit})
		}
		for _, f := range fs {
			want, err := pg.Find(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mem.Find(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			w, g := pageIDs(want), pageIDs(got)
			exact := len(g) <= 50 || f.HasPoint
			if !exact {
				continue
			}
			compared++
			if !slices.Equal(w, g) {
				t.Errorf("%q (point %v): PostgreSQL %v, memory %v", q, f.HasPoint, w, g)
			}
		}
	}
	t.Logf("%d queries answered alike in full", compared)
	if compared < 50 {
		t.Errorf("only %d queries compared in full", compared)
	}
}

// pageIDs returns the ids of a page's meetings.
func pageIDs(p meeting.Page) []int64 {
	out := []int64{}
	for _, r := range p.Results {
		out = append(out, r.ID)
	}
	return out
}
