package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// RetryAfterFailure is how soon a scheduled source whose run failed is
// tried again, when its refresh interval is longer.
const RetryAfterFailure = 30 * time.Minute

// Schedule re-imports every source of srcs that has a Refresh interval, one
// run at a time, until ctx ends. A source is first due a Refresh after its
// last recorded run (at once when it never ran); after a run it is due a
// Refresh later, or RetryAfterFailure later when the run failed. It returns
// ctx's error once ctx is done and the run in progress (cancelled with ctx,
// so its transaction rolls back) has ended.
func (im *Importer) Schedule(ctx context.Context, srcs []meeting.Source) error {
	log := im.Logger
	if log == nil {
		log = slog.Default()
	}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	last := map[string]time.Time{}
	if sts, err := im.Store.Sources(ctx); err != nil {
		log.Warn("import schedule: cannot read the last runs; importing every source now", slog.String("error", err.Error()))
	} else {
		for _, st := range sts {
			if st.LastRun != nil {
				last[st.Source.Name] = st.LastRun.StartedAt
			}
		}
	}
	due := map[int]time.Time{}
	for i, s := range srcs {
		if s.Refresh <= 0 {
			continue
		}
		if t, ok := last[s.Name]; ok {
			due[i] = t.Add(s.Refresh)
		} else {
			due[i] = now()
		}
	}
	if len(due) == 0 {
		<-ctx.Done()
		return ctx.Err()
	}
	for {
		next, at := -1, time.Time{}
		for i, t := range due {
			if next < 0 || t.Before(at) || (t.Equal(at) && i < next) {
				next, at = i, t
			}
		}
		if wait := at.Sub(now()); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		src := srcs[next]
		rep := im.Run(ctx, src, Options{})
		after := src.Refresh
		if rep.Status == meeting.ImportFailed && after > RetryAfterFailure {
			after = RetryAfterFailure
		}
		due[next] = now().Add(after)
	}
}
