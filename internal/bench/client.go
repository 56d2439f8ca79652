package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// checkPoints is how many query points are asked both through the store
// and through the API, before the timed phases, to check that the two
// return the same meetings in the same order.
const checkPoints = 20

// feedTimeout bounds one whole-feed download.
const feedTimeout = 2 * time.Minute

// client asks the server under test over HTTP: keep-alive connections,
// no transparent decompression (a request asks for gzip itself when it
// wants it, and counts the bytes on the wire).
type client struct {
	base   string
	http   *http.Client // ordinary answers
	feed   *http.Client // whole feeds, with a longer timeout
	bodies sync.Pool    // *bytes.Buffer for bodyOp
}

// newClient returns a client of the server at base for concurrency
// workers. The caller calls close.
func newClient(base string, concurrency int) *client {
	tr := &http.Transport{
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     2 * time.Minute,
		DisableCompression:  true,
	}
	c := &client{
		base: base,
		http: &http.Client{Timeout: 30 * time.Second, Transport: tr},
		feed: &http.Client{Timeout: feedTimeout, Transport: tr},
	}
	c.bodies.New = func() any { return new(bytes.Buffer) }
	return c
}

// close drops the idle connections.
func (c *client) close() { c.http.CloseIdleConnections() }

// coord formats a coordinate as a client would send it.
func coord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// nearbyURLs returns GET /v1/meetings at each point: the nearby query.
func (c *client) nearbyURLs(cfg Config, points []orb.Point) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = fmt.Sprintf("%s/v1/meetings?lat=%s&lng=%s&radius_km=%s&limit=%d", c.base,
			coord(p.Lat()), coord(p.Lon()), coord(cfg.RadiusKM), cfg.Limit)
	}
	return out
}

// noPointFilters are the no-point queries of GET /v1/meetings the bench
// asks, in turn: a day and type, today, soon, a program on an evening, a
// type on a day, online soon.
var noPointFilters = []string{
	"types=W&day=2",
	"day=today",
	"upcoming_hours=2",
	"program=na&day=5&start_after=18:00",
	"types=O&day=0",
	"attendance=online&upcoming_hours=6",
}

// filterURLs returns GET /v1/meetings with each of noPointFilters.
func (c *client) filterURLs() []string {
	out := make([]string, len(noPointFilters))
	for i, q := range noPointFilters {
		out[i] = c.base + "/v1/meetings?" + q
	}
	return out
}

// bmltURLs returns the BMLT GetSearchResults at each point, with width
// the geo parameter ("geo_width=-10": every meeting within the smallest
// radius of BMLT's ladder that holds 10; "geo_width_km=10": all within
// 10 km).
func (c *client) bmltURLs(points []orb.Point, width string) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = fmt.Sprintf("%s/bmlt/client_interface/json/?switcher=GetSearchResults&lat_val=%s&long_val=%s&%s",
			c.base, coord(p.Lat()), coord(p.Lon()), width)
	}
	return out
}

// meetingURLs returns GET /v1/meetings/{id} of each id.
func (c *client) meetingURLs(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.base + "/v1/meetings/" + strconv.FormatInt(id, 10)
	}
	return out
}

// feedURL is the whole Meeting Guide feed.
func (c *client) feedURL() string { return c.base + "/feeds/meeting-guide.json" }

// Markers that start each result in an answer, for counting results
// without decoding: a meeting of /v1/meetings, a BMLT meeting.
var (
	meetingMarker = []byte(`{"id":`)
	bmltMarker    = []byte(`"id_bigint":`)
)

// bodyOp is an Op that asks urls in turn, requires 200 and reads the body
// without decoding it, counting results by marker (nil: one result per
// answer).
func (c *client) bodyOp(urls []string, marker []byte) Op {
	return func(ctx context.Context, seq int) (int, error) {
		u := urls[seq%len(urls)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b := c.bodies.Get().(*bytes.Buffer)
		defer c.bodies.Put(b)
		b.Reset()
		_, err = b.ReadFrom(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s: %.200s", pathOf(u), resp.Status, b.String())
		}
		if marker == nil {
			return 1, err
		}
		return bytes.Count(b.Bytes(), marker), err
	}
}

// pathOf returns u without the scheme and host, for error messages.
func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.RequestURI()
	}
	return u
}

// decodedOp is an Op that asks the nearby query at urls in turn and
// decodes the JSON answer, as a client would.
func (c *client) decodedOp(urls []string) Op {
	return func(ctx context.Context, seq int) (int, error) {
		body, err := c.meetings(ctx, urls[seq%len(urls)])
		if err != nil {
			return 0, err
		}
		return len(body.Meetings), nil
	}
}

// notModifiedOp is an Op that asks for the whole feed with If-None-Match
// etag (and gzip, as the ETag is of that encoding) and requires 304.
func (c *client) notModifiedOp(etag string) Op {
	u := c.feedURL()
	return func(ctx context.Context, _ int) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("If-None-Match", etag)
		resp, err := c.http.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		if err == nil && resp.StatusCode != http.StatusNotModified {
			err = fmt.Errorf("GET %s with If-None-Match: %s, want 304", pathOf(u), resp.Status)
		}
		return 0, err
	}
}

// meetings asks GET /v1/meetings at u and decodes the answer.
func (c *client) meetings(ctx context.Context, u string) (*httpapi.MeetingListJSON, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET %s: %s: %s", pathOf(u), resp.Status, strings.TrimSpace(string(b)))
	}
	var body httpapi.MeetingListJSON
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("GET %s: decode: %w", pathOf(u), err)
	}
	_, err = io.Copy(io.Discard, resp.Body) // so the connection is reused
	return &body, err
}

// finder is what checkSameResults asks directly: postgres.MeetingStore.
type finder interface {
	Find(ctx context.Context, f meeting.Filter) (meeting.Page, error)
}

// checkSameResults asks the nearby query at the first query points through
// the store and through the API (urls, one per point) and fails unless
// both return the same meetings in the same order, so that the phases
// compare like with like. It returns the meetings found, for the meeting
// pages to ask.
func checkSameResults(ctx context.Context, store finder, c *client, urls []string,
	points []orb.Point, filter func(orb.Point) meeting.Filter) ([]int64, error) {
	var all []int64
	for i := range min(len(points), checkPoints) {
		page, err := store.Find(ctx, filter(points[i]))
		if err != nil {
			return nil, err
		}
		body, err := c.meetings(ctx, urls[i])
		if err != nil {
			return nil, fmt.Errorf("bench: check: %w", err)
		}
		a := make([]int64, len(page.Results))
		for j, r := range page.Results {
			a[j] = r.ID
		}
		b := make([]int64, len(body.Meetings))
		for j, m := range body.Meetings {
			b[j] = m.ID
		}
		if !slices.Equal(a, b) {
			return nil, fmt.Errorf("bench: check: at %v PostgreSQL returned meetings %v but the API %v", points[i], a, b)
		}
		all = append(all, a...)
	}
	return all, nil
}
