// Package nominatim implements meeting.PlaceFinder on a Nominatim-compatible
// geocoder (OpenStreetMap's Nominatim, or any server answering its /search
// API), the optional second source of GET /v1/places for places the
// imported listings do not name. It is used only when configured
// (MF_GEOCODER_URL): nothing here runs by default, and no request leaves
// the machine unless an operator points it somewhere.
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
// "https://nominatim.openstreetmap.org"). Nominatim's usage policy asks
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
// strings.
type result struct {
	Lat         string `json:"lat"`
	Lon         string `json:"lon"`
	DisplayName string `json:"display_name"`
}

// Places implements meeting.PlaceFinder: GET /search?q=…&format=jsonv2&limit=N.
// A server that cannot be reached or answers an error status is
// KindUnavailable; results without valid coordinates are skipped.
func (c *Client) Places(ctx context.Context, q string, limit int) ([]meeting.Place, error) {
	const op = "nominatim.Places"
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the place to look for is empty")
	}
	if limit < 1 {
		limit = 1
	}
	v := url.Values{"q": {q}, "format": {"jsonv2"}, "limit": {strconv.Itoa(limit)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/search?"+v.Encode(), nil)
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindInternal, Op: op, Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the geocoder cannot be reached", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, meeting.Errorf(meeting.KindUnavailable, op, "the geocoder answered %s", resp.Status)
	}
	var rs []result
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&rs); err != nil {
		return nil, &meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the geocoder's answer is not Nominatim JSON", Err: err}
	}
	out := make([]meeting.Place, 0, len(rs))
	for _, r := range rs {
		lat, err1 := strconv.ParseFloat(r.Lat, 64)
		lng, err2 := strconv.ParseFloat(r.Lon, 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 || r.DisplayName == "" {
			continue
		}
		out = append(out, meeting.Place{Name: r.DisplayName, Kind: PlaceGeocoder, Lat: lat, Lng: lng})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// String names the server, for logs.
func (c *Client) String() string { return fmt.Sprintf("nominatim(%s)", c.base) }
