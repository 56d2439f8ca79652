package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestSchedule(t *testing.T) {
	e := newEnv(t)
	path := e.write("feed.json", fixture(t))
	srcs := []meeting.Source{
		{Name: "often", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC", Refresh: 150 * time.Millisecond},
		{Name: "on-demand", Location: path, Format: meeting.FormatMeetingGuide, TimeZone: "UTC"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	if err := e.im.Schedule(ctx, srcs); err != context.DeadlineExceeded {
		t.Fatalf("Schedule returned %v, want the context's error", err)
	}
	runs := map[string]int{}
	rows, err := e.db.Pool.Query(context.Background(), `SELECT source, count(*) FROM import_runs GROUP BY source`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		runs[s] = n
	}
	rows.Close()
	if runs["often"] < 2 || runs["on-demand"] != 0 {
		t.Errorf("runs = %v; want several of the scheduled source and none of the on-demand one", runs)
	}
	var live int
	e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM meetings WHERE source = 'often' AND deleted_at IS NULL`).Scan(&live)
	if live != 7 {
		t.Errorf("%d live meetings of the scheduled source, want 7", live)
	}
}
