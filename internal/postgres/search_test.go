package postgres_test

import (
	"context"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/search/searchtest"
)

// loadFeeds imports real Meeting Guide feeds (searchtest.Feeds) into a
// fresh database and indexes them for text search.
func loadFeeds(t *testing.T, files ...string) (*postgres.MeetingStore, *postgres.DB) {
	t.Helper()
	return loadMeetings(t, searchtest.Feeds(t, files...))
}

// loadMeetings inserts ms into a fresh database and indexes them for text
// search.
func loadMeetings(t *testing.T, ms []meeting.Meeting) (*postgres.MeetingStore, *postgres.DB) {
	t.Helper()
	db := pgtest.New(t)
	s := postgres.NewMeetingStore(db)
	if err := s.InsertMeetings(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RefreshSearch(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestSearchRelevance runs the shared relevance cases (real feeds: exact
// names, typos, accents, prefixes, type names, towns, paging) on
// MeetingStore.Find, PostgreSQL's embedded text index.
func TestSearchRelevance(t *testing.T) {
	searchtest.Relevance(t, func(t *testing.T, ms []meeting.Meeting) searchtest.Finder {
		s, _ := loadMeetings(t, ms)
		return s.Find
	})
}
