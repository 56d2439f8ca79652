// Package nominatim implements meeting.PlaceFinder and meeting.Geocoder on
// a Nominatim-compatible geocoder (OpenStreetMap's Nominatim, or any
// server answering its /search API): the optional second source of GET
// /v1/places for places the imported listings do not name, and the
// geocoder imports ask for meetings with an address and no point. It is
// used only when configured (MF_GEOCODER_URL): nothing here runs by
// default, and no request leaves the machine unless an operator points it
// somewhere.
package nominatim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// PlaceGeocoder is the Place.Kind of places that come from the geocoder.
const PlaceGeocoder = "geocoder"

// Client asks a Nominatim-compatible server for places.
type Client struct {
	base      string
	userAgent string
	http      *http.Client
}

var _ meeting.PlaceFinder = (*Client)(nil)

// New returns a client of the server at baseURL (e.g.
// "https://geocoder.example.org", as configured). Nominatim's usage policy asks
// for an identifying User-Agent; userAgent "" uses "meetingfinder". A nil
// httpClient gets one with a 3-second timeout.
func New(baseURL, userAgent string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, "nominatim.New", "the geocoder URL must be an absolute http or https URL")
	}
	if userAgent == "" {
		userAgent = "meetingfinder"
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 3 * time.Second}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), userAgent: userAgent, http: httpClient}, nil
}

// result is one element of Nominatim's jsonv2 answer; lat and lon come as
// strings. PlaceRank is the address rank (30 a building or address, 26–27
// a street, 16–25 a town, postal code or neighbourhood; see
// meeting.Geocode), absent from some compatible servers.
type result struct {
	Lat         string `json:"lat"`
	Lon         string `json:"lon"`
	DisplayName string `json:"display_name"`
	PlaceRank   int    `json:"place_rank"`
}

// search asks GET /search?q=…&format=jsonv2&limit=N and returns the
// results with valid coordinates, each with its point. A server that
// cannot be reached or answers an error status is KindUnavailable.
func (c *Client) search(ctx context.Context, op, q string, limit int) ([]result, []orb.Point, error) {
	v := url.Values{"q": {q}, "format": {"jsonv2"}, "limit": {strconv.Itoa(limit)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/search?"+v.Encode(), nil)
	if err != nil {
		return nil, nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the geocoder cannot be reached", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, meeting.Errorf(meeting.KindUnavailable, op, "the geocoder answered %s", resp.Status)
	}
	var rs []result
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&rs); err != nil {
		return nil, nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the geocoder's answer is not Nominatim JSON", Err: err}
	}
	out, pts := rs[:0], make([]orb.Point, 0, len(rs))
	for _, r := range rs {
		lat, err1 := strconv.ParseFloat(r.Lat, 64)
		lng, err2 := strconv.ParseFloat(r.Lon, 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			continue
		}
		out, pts = append(out, r), append(pts, orb.Point{lng, lat})
	}
	return out, pts, nil
}

// Places implements meeting.PlaceFinder: GET /search?q=…&format=jsonv2&limit=N.
// A server that cannot be reached or answers an error status is
// KindUnavailable; results without valid coordinates or a name are
// skipped.
func (c *Client) Places(ctx context.Context, q string, limit int) ([]meeting.Place, error) {
	const op = "nominatim.Places"
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the place to look for is empty")
	}
	if limit < 1 {
		limit = 1
	}
	rs, pts, err := c.search(ctx, op, q, limit)
	if err != nil {
		return nil, err
	}
	out := make([]meeting.Place, 0, len(rs))
	for i, r := range rs {
		if r.DisplayName == "" {
			continue
		}
		out = append(out, meeting.Place{Name: r.DisplayName, Kind: PlaceGeocoder, Lat: pts[i].Lat(), Lng: pts[i].Lon()})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

var _ meeting.Geocoder = (*Client)(nil)

// Geocode implements meeting.Geocoder: the first result of GET
// /search?q=ADDRESS&format=jsonv2&limit=1, with its address rank
// (place_rank; 0 when the server gives none, which makes the point
// approximate). No result is a Geocode with Found false. An empty address
// is KindInvalid; a server that cannot be reached or answers an error
// status KindUnavailable. The address is never logged.
func (c *Client) Geocode(ctx context.Context, address string) (meeting.Geocode, error) {
	const op = "nominatim.Geocode"
	address = strings.TrimSpace(address)
	if address == "" {
		return meeting.Geocode{}, meeting.Errorf(meeting.KindInvalid, op, "the address to geocode is empty")
	}
	rs, pts, err := c.search(ctx, op, address, 1)
	if err != nil || len(rs) == 0 {
		return meeting.Geocode{}, err
	}
	rank := rs[0].PlaceRank
	if rank < 0 || rank > 30 {
		rank = 0
	}
	return meeting.Geocode{Found: true, Point: pts[0], Rank: rank}, nil
}

// String names the server, for logs.
func (c *Client) String() string { return fmt.Sprintf("nominatim(%s)", c.base) }
