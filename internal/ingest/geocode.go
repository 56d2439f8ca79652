package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// DefaultGeocodeMax is how many addresses one run sends to the geocoder
// when Importer.GeocodeMax is 0: at one request a second, a run waits on
// the geocoder for at most a little over three minutes. Addresses beyond
// it wait for the next run (the cache keeps what each run learnt).
const DefaultGeocodeMax = 200

// GeocodeInterval is the least time between two requests to the geocoder:
// the usage policy of OpenStreetMap's public Nominatim, one request a
// second, which private servers are well able to take too.
const GeocodeInterval = time.Second

// Limiter spaces out requests: Wait returns when the next request may
// go, or with ctx's error if ctx ends first. Implementations must be safe
// for concurrent use.
type Limiter interface {
	Wait(ctx context.Context) error
}

// IntervalLimiter is a Limiter that lets one request go every Every, the
// first at once. Now and Sleep are its clock (nil: the real one), so that
// tests can run it on a fake one.
type IntervalLimiter struct {
	Every time.Duration
	Now   func() time.Time
	// Sleep waits d, or until ctx ends (then it returns ctx's error).
	Sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time
}

// NewLimiter returns an IntervalLimiter of every on the real clock.
func NewLimiter(every time.Duration) *IntervalLimiter { return &IntervalLimiter{Every: every} }

// Wait implements Limiter. Callers wait their turn one after another.
func (l *IntervalLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now, sleep := l.Now, l.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	for {
		t := now()
		d := l.next.Sub(t)
		if d <= 0 {
			l.next = t.Add(l.Every)
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleepCtx sleeps d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// defaultGeocodeLimiter spaces the geocoder requests of every Importer
// that brings no limiter of its own: one a second across the process.
var defaultGeocodeLimiter = NewLimiter(GeocodeInterval)

// geocodeQuery returns what to ask the geocoder for m, or "" when m is
// not to be geocoded: it is held at a place, has no point (none given,
// one dropped, and no centroid found) and an address that names at least
// a street, a postal code or a city. The formatted address is asked for
// when the record gives one, else the parts joined.
func geocodeQuery(m *meeting.Meeting) string {
	if !wantsCentre(m) {
		return ""
	}
	loc := &m.Location
	if p := partsOf(loc); strings.TrimSpace(loc.Address) == "" && p.city == "" && p.postal == "" {
		return ""
	}
	q := strings.TrimSpace(loc.FormattedAddress)
	if q == "" {
		q = loc.JoinAddress()
	}
	return q
}

// geocodeResult is what geocodeMeetings did.
type geocodeResult struct {
	probs []meeting.Problem
	// geocoded counts the meetings placed; pending those whose address
	// was not asked about this run (the cap reached, or the geocoder
	// failing), to be asked by a later one.
	geocoded, pending int
	requests          int
}

// geocodeMeetings places the meetings of ms that still want a point
// (geocodeQuery) through im.Geocoder: each distinct address once, from
// im.GeocodeCache when it knows it, else by asking the geocoder (spaced by
// the limiter, at most limit times: 0 means DefaultGeocodeMax, a negative
// number none) and saving the answer, a place not
// found included. A point that contradicts the address
// (pointContradiction) is not used. A point below an address, a building
// or a named place (meeting.Geocode.Exact) is Approximate. A geocoder that
// fails stops the asking for the run, without failing it; only ctx ending
// or the cache failing does. Every placed meeting, and every one whose
// address the geocoder could not place, is flagged.
func (im *Importer) geocodeMeetings(ctx context.Context, ms []meeting.Meeting, zones ZoneFinder, limit int, log *slog.Logger) (geocodeResult, error) {
	var res geocodeResult
	if im.Geocoder == nil {
		return res, nil
	}
	queries := map[string]string{} // key → the query as first spelled
	var order []string
	want := make([]string, len(ms)) // key of each meeting, "" when none
	for i := range ms {
		q := geocodeQuery(&ms[i])
		if q == "" {
			continue
		}
		k := meeting.GeocodeKey(q)
		want[i] = k
		if _, seen := queries[k]; !seen {
			queries[k] = q
			order = append(order, k)
		}
	}
	if len(order) == 0 {
		return res, nil
	}
	answers := make(map[string]meeting.Geocode, len(order))
	if im.GeocodeCache != nil {
		cached, err := im.GeocodeCache.CachedGeocodes(ctx, order)
		if err != nil {
			return res, err
		}
		for k, g := range cached {
			answers[k] = g
		}
	}
	if limit == 0 {
		limit = DefaultGeocodeMax
	}
	limiter := im.GeocodeLimiter
	if limiter == nil {
		limiter = defaultGeocodeLimiter
	}
	failed := false
	for _, k := range order {
		if _, ok := answers[k]; ok || failed || res.requests >= limit {
			continue
		}
		if err := limiter.Wait(ctx); err != nil {
			return res, err
		}
		res.requests++
		g, err := im.Geocoder.Geocode(ctx, queries[k])
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			// The error may quote the request, and so the address: only
			// its kind is logged.
			log.LogAttrs(ctx, slog.LevelWarn, "geocoder failed; the rest of the run's addresses wait for the next run",
				slog.String("kind", string(meeting.ErrorKind(err))), slog.Int("requests", res.requests))
			failed = true
			continue
		}
		answers[k] = g
		if im.GeocodeCache != nil {
			if err := im.GeocodeCache.SaveGeocode(ctx, k, g); err != nil {
				return res, err
			}
		}
	}
	for i, k := range want {
		if k == "" {
			continue
		}
		m := &ms[i]
		g, ok := answers[k]
		switch {
		case !ok:
			res.pending++
			continue
		case !g.Found:
			res.probs = append(res.probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "location",
				Reason: "no point: the geocoder could not place its address"})
			continue
		}
		try := *m
		try.Location.Point, try.Location.HasPoint = g.Point, true
		if reason := pointContradiction(&try, zones); reason != "" {
			res.probs = append(res.probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "location",
				Reason: "no point: the geocoder placed its address where it cannot be: " + reason + "; not used"})
			continue
		}
		m.Location.Point, m.Location.HasPoint, m.Location.Geocoded = g.Point, true, true
		m.Location.Approximate = !g.Exact()
		res.geocoded++
		how := fmt.Sprintf("a door (address rank %d)", g.Rank)
		if m.Location.Approximate {
			how = fmt.Sprintf("approximate: the geocoder placed only %s (address rank %d); no walking distance, no directions", rankPlace(g.Rank), g.Rank)
		}
		res.probs = append(res.probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged, Field: "location",
			Reason: "no point: geocoded from its address, " + how})
	}
	return res, nil
}

// rankPlace names what a Nominatim address rank below a door places.
func rankPlace(rank int) string {
	switch {
	case rank == 0:
		return "somewhere it did not say how precisely"
	case rank >= 26:
		return "the street"
	case rank >= 21:
		return "the block or the neighbourhood"
	case rank >= 13:
		return "the town, suburb or postal code"
	}
	return "the county, region or country"
}
