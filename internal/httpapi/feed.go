package httpapi

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/feed/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// FeedStore reads whole results for the feeds and the compatible
// endpoints (Meeting Guide, BMLT, iCalendar, GeoJSON), which answer in one
// response rather than in pages. postgres.MeetingStore and memstore.Store
// implement it.
type FeedStore interface {
	// Each calls fn with every public meeting matching f, ignoring
	// f.Limit and f.Cursor, without holding the whole result in memory:
	// in the order Find uses when f has a point or words, else by id
	// (the order the rows are stored in, the cheap one to read at a
	// million meetings; the feeds' readers sort for themselves). It
	// stops at fn's first error and returns it. The Result is valid only during the call. The Meeting Guide,
	// iCalendar and GeoJSON feeds stream through it.
	Each(ctx context.Context, f meeting.Filter, fn func(*meeting.Result) error) error
	// All returns what Each yields, as one slice, for answers that need
	// the whole result at once (BMLT sorts and groups it).
	All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error)
	// Areas returns the distinct places public meetings are published
	// for: a source followed by its regions, general to specific.
	Areas(ctx context.Context) ([][]string, error)
}

// feeds returns the FeedStore: Config.Feeds, else Config.Store when it
// implements FeedStore. Without one the feed routes answer 503.
func (s *Server) feeds() (FeedStore, error) {
	if s.cfg.Feeds != nil {
		return s.cfg.Feeds, nil
	}
	if f, ok := s.cfg.Store.(FeedStore); ok {
		return f, nil
	}
	return nil, meeting.Errorf(meeting.KindUnavailable, "httpapi.feeds", "no FeedStore configured")
}

// cors lets any web page read the public GET routes (feeds are meant to
// be embedded elsewhere: TSML UI, crouton, maps). It answers preflight
// requests for GET itself. No credentials are ever allowed.
func (s *Server) cors() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead:
			h := c.Writer.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", "ETag")
		case http.MethodOptions:
			if c.Request.Header.Get("Origin") != "" && c.Request.Header.Get("Access-Control-Request-Method") != "" {
				h := c.Writer.Header()
				h.Set("Access-Control-Allow-Origin", "*")
				h.Set("Access-Control-Allow-Methods", "GET, HEAD")
				h.Set("Access-Control-Allow-Headers", "If-None-Match, Accept")
				h.Set("Access-Control-Max-Age", "86400")
				c.AbortWithStatus(http.StatusNoContent)
				return
			}
		}
		c.Next()
	}
}

// etagMatches applies If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// meetingGuideFeed serves GET /feeds/meeting-guide.json: every public
// meeting as a Meeting Guide feed, optionally limited by program, source
// and bbox, streamed (see stream.go). Other query parameters (such as TSML
// UI's bare cache-busting "?1795811182290") are ignored, also by the
// ETag.
func (s *Server) meetingGuideFeed(c *gin.Context) error {
	const op = "httpapi.meetingGuideFeed"
	q := c.Request.URL.Query()
	shape := url.Values{"program": q["program"], "source": q["source"]}
	f, err := ParseFilter(shape, s.now())
	if err != nil {
		return err
	}
	var bound *orb.Bound
	if v := strings.TrimSpace(q.Get("bbox")); v != "" {
		b, err := parseBBox(v)
		if err != nil {
			return err
		}
		bound = &b
		shape.Set("bbox", v)
	}
	store, err := s.feeds()
	if err != nil {
		return err
	}
	// The feed shows no time-dependent field: the data and the shape
	// are all its body depends on.
	key := feedKey{c.FullPath(), shape.Encode()}
	return s.writeFeed(c, op, "application/json; charset=utf-8", key, func(w io.Writer) error {
		enc := meetingguide.NewEncoder(w)
		err := store.Each(c.Request.Context(), f, func(r *meeting.Result) error {
			if bound != nil && !inBBox(*bound, r.Location) {
				return nil
			}
			return enc.Encode(&r.Meeting)
		})
		if err != nil {
			return err
		}
		return enc.Close()
	})
}

// parseBBox reads "west,south,east,north" in degrees (GeoJSON's bbox
// order). West may exceed east for a box across the antimeridian.
func parseBBox(v string) (orb.Bound, error) {
	bad := func() (orb.Bound, error) {
		return orb.Bound{}, &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.parseBBox", Message: "some query parameters are not valid",
			Fields: map[string]string{"bbox": "must be west,south,east,north in degrees (longitudes -180 to 180, latitudes -90 to 90, south <= north)"}}
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return bad()
	}
	var n [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return bad()
		}
		n[i] = x
	}
	w, so, e, no := n[0], n[1], n[2], n[3]
	if w < -180 || w > 180 || e < -180 || e > 180 || so < -90 || so > 90 || no < -90 || no > 90 || so > no {
		return bad()
	}
	return orb.Bound{Min: orb.Point{w, so}, Max: orb.Point{e, no}}, nil
}

// inBBox reports whether the location has a point inside b (a bound whose
// Min.X exceeds Max.X crosses the antimeridian).
func inBBox(b orb.Bound, l meeting.Location) bool {
	if !l.HasPoint {
		return false
	}
	lat, lng := l.Lat(), l.Lng()
	if lat < b.Min.Lat() || lat > b.Max.Lat() {
		return false
	}
	if b.Min.Lon() <= b.Max.Lon() {
		return lng >= b.Min.Lon() && lng <= b.Max.Lon()
	}
	return lng >= b.Min.Lon() || lng <= b.Max.Lon()
}

// baseURL returns the scheme and host the request came to, for absolute
// links in responses. X-Forwarded-Proto is believed only from
// Config.TrustedProxies: anyone else could make the answer's links
// (cached, maybe, by a shared cache) say https or http as they like.
func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || (s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, r.Host)
}
