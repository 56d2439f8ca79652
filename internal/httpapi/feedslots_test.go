package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// stuckFeeds is a FeedStore whose Each waits until release is closed (or
// the request ends), saying on entered when it starts.
type stuckFeeds struct {
	*memstore.Store
	entered chan struct{}
	release chan struct{}
}

func (s stuckFeeds) Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.Each(ctx, f, fn)
}

func TestWholeFeedsAreBounded(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	feeds := stuckFeeds{Store: e.store, entered: make(chan struct{}, 8), release: make(chan struct{})}
	cfg := e.config()
	cfg.Feeds = feeds
	cfg.MaxFeeds = 2
	srv := httpapi.New(cfg)
	spec := newSpecCheck(t)

	// Two feeds take the two slots and hang there.
	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	for _, target := range []string{"/feeds/meeting-guide.json", "/v1/meetings.geojson"} {
		wg.Go(func() { statuses <- get(t, srv, target).status })
	}
	for range 2 {
		select {
		case <-feeds.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the first two feeds did not start")
		}
	}

	// A third whole feed is refused soon, with Retry-After, whichever form.
	for _, target := range []string{"/v1/meetings.ics", "/feeds/meeting-guide.json"} {
		start := time.Now()
		res, _ := spec.exchange(t, srv, request(t, http.MethodGet, target))
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("GET %s waited %s for a slot", target, took)
		}
		if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
			t.Fatalf("GET %s with every slot taken: status %d, Retry-After %q; want 503 with Retry-After", target, res.status, res.header.Get("Retry-After"))
		}
		if code := res.errorBody(t).Error.Code; code != "unavailable" {
			t.Errorf("GET %s: code %q", target, code)
		}
	}
	// Readiness, the other routes and one meeting's .ics never wait for them.
	for _, target := range []string{"/readyz", "/healthz", "/v1/meetings?lat=40.7&lng=-74", "/v1/meetings/1.ics"} {
		start := time.Now()
		if res := get(t, srv, target); res.status != http.StatusOK {
			t.Errorf("GET %s while the feeds hang: status %d", target, res.status)
		}
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("GET %s took %s while the feeds hang", target, took)
		}
	}

	close(feeds.release)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Errorf("a feed that held a slot: status %d", st)
		}
	}
	// The slots are free again.
	if res := get(t, srv, "/v1/meetings.ics"); res.status != http.StatusOK {
		t.Errorf("after the slots came free: status %d", res.status)
	}
}

func TestWholeFeedsUnbounded(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	feeds := stuckFeeds{Store: e.store, entered: make(chan struct{}, 8), release: make(chan struct{})}
	cfg := e.config()
	cfg.Feeds = feeds
	cfg.MaxFeeds = -1
	srv := httpapi.New(cfg)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { get(t, srv, "/feeds/meeting-guide.json") })
	}
	for i := range 6 {
		select {
		case <-feeds.entered:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of 6 feeds started without a bound", i)
		}
	}
	close(feeds.release)
	wg.Wait()
}
