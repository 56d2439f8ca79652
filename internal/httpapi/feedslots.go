package httpapi

import (
	"context"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// DefaultMaxFeeds is Config.MaxFeeds's default: whole feeds sent at once.
// A feed of a million meetings keeps a core busy for seconds (and, on
// PostgreSQL, a connection of the pool): four leave the rest of the
// machine, and of the pool, to the short requests and to /readyz.
const DefaultMaxFeeds = 4

// feedSlotWait is how long a whole-feed request waits for a slot before it
// is answered 503: long enough to ride out a burst, too short to pile up
// connections behind a flood.
const feedSlotWait = time.Second

// feedRetryAfter is the Retry-After of a 503 for want of a feed slot.
const feedRetryAfter = "5"

// feedSlots bounds how many whole feeds are sent at once; nil bounds
// nothing.
type feedSlots chan struct{}

// newFeedSlots returns n slots: DefaultMaxFeeds when n is 0, none (no
// bound) when n is negative.
func newFeedSlots(n int) feedSlots {
	switch {
	case n < 0:
		return nil
	case n == 0:
		n = DefaultMaxFeeds
	}
	return make(feedSlots, n)
}

// busyError is the answer of a whole-feed request that found no free
// slot: 503 with a message that says so (unlike other unavailable errors,
// nothing is hidden and nothing is logged as a failure).
type busyError struct{ err *meeting.Error }

// Error returns the message of the error it wraps.
func (e busyError) Error() string { return e.err.Error() }

// Unwrap returns the KindUnavailable error it wraps.
func (e busyError) Unwrap() error { return e.err }

// take waits up to feedSlotWait for a slot and returns the func that gives
// it back; without one it returns a busyError, or a KindUnavailable error
// when ctx ends first.
func (fs feedSlots) take(ctx context.Context) (release func(), err error) {
	if fs == nil {
		return func() {}, nil
	}
	release = func() { <-fs }
	select {
	case fs <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(feedSlotWait)
	defer t.Stop()
	select {
	case fs <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, busyError{meeting.Errorf(meeting.KindUnavailable, "httpapi.feedSlots",
			"too many whole feeds are being sent at once; retry in %s seconds", feedRetryAfter)}
	case <-ctx.Done():
		return nil, meeting.Wrap(meeting.KindUnavailable, "httpapi.feedSlots", ctx.Err())
	}
}
