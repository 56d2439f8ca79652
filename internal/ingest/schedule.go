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

// Locker takes locks shared by every instance that imports into one
// database (internal/postgres's DB.TryLock is one), so that scheduled
// imports run once across instances.
type Locker interface {
	// TryLock takes the lock named key without waiting: ok is false when
	// another holder has it. unlock releases it.
	TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error)
}

// Schedule re-imports every source of srcs that has a Refresh interval, one
// run at a time, until ctx ends. A source is first due a Refresh after its
// last recorded run (at once when it never ran); after a run it is due a
// Refresh later, or RetryAfterFailure later when the run failed. With a
// Locker, each due run first takes the source's lock and reads its last
// recorded run again: it is skipped (not queued) when another instance
// holds the lock or has run the source within its interval. It returns
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
		due[next] = im.runDue(ctx, srcs[next], now, log)
	}
}

// runDue runs the due source src, unless its lock or its last recorded run
// says another instance is running it or has just run it, and returns when
// src is next due.
func (im *Importer) runDue(ctx context.Context, src meeting.Source, now func() time.Time, log *slog.Logger) time.Time {
	if im.Locker != nil {
		unlock, ok, err := im.Locker.TryLock(ctx, "import:"+src.Name)
		switch {
		case ctx.Err() != nil:
			return now()
		case err != nil:
			log.Warn("import schedule: cannot take the source's lock; trying again later",
				slog.String("source", src.Name), slog.String("error", err.Error()))
			return now().Add(min(src.Refresh, RetryAfterFailure))
		case !ok:
			log.Info("import schedule: another instance is importing the source; skipping this run", slog.String("source", src.Name))
			return now().Add(src.Refresh)
		}
		defer unlock()
		if last := im.lastRun(ctx, src.Name, log); last != nil {
			if next := nextDue(src, last.StartedAt, last.Status); next.After(now()) {
				log.Info("import schedule: the source ran recently (another instance); skipping this run",
					slog.String("source", src.Name), slog.Time("last_run", last.StartedAt))
				return next
			}
		}
	}
	rep := im.Run(ctx, src, Options{})
	return nextDue(src, now(), rep.Status)
}

// nextDue is when src is due again after a run that ended (or started) at
// t with status st: a Refresh later, or RetryAfterFailure later when the
// run failed and the Refresh is longer.
func nextDue(src meeting.Source, t time.Time, st meeting.ImportStatus) time.Time {
	after := src.Refresh
	if st == meeting.ImportFailed && after > RetryAfterFailure {
		after = RetryAfterFailure
	}
	return t.Add(after)
}

// lastRun returns the last recorded run of the source named name, or nil
// when it never ran or the runs cannot be read (then the caller runs it).
func (im *Importer) lastRun(ctx context.Context, name string, log *slog.Logger) *meeting.ImportReport {
	sts, err := im.Store.Sources(ctx)
	if err != nil {
		log.Warn("import schedule: cannot read the last runs", slog.String("error", err.Error()))
		return nil
	}
	for _, st := range sts {
		if st.Source.Name == name {
			return st.LastRun
		}
	}
	return nil
}
