package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// placeList is an in-memory meeting.PlaceFinder.
type placeList struct {
	places []meeting.Place
	err    error
	asked  int
}

func (p *placeList) Places(ctx context.Context, q string, limit int) ([]meeting.Place, error) {
	p.asked++
	if p.err != nil {
		return nil, p.err
	}
	if len(p.places) > limit {
		return p.places[:limit], nil
	}
	return p.places, nil
}

// TestPlacesFallBackToTheGeocoder checks that GET /v1/places fills up from
// the configured geocoder only when the listings' own places are too few,
// and still answers with those when the geocoder fails.
func TestPlacesFallBackToTheGeocoder(t *testing.T) {
	own := &placeList{places: []meeting.Place{{Name: "Scranton, PA, US", Kind: meeting.PlaceCity, Lat: 41.4, Lng: -75.66, Meetings: 12}}}
	geo := &placeList{places: []meeting.Place{{Name: "Scranton, Iowa, United States", Kind: "geocoder", Lat: 42.02, Lng: -94.54}}}
	get := func(s *httpapi.Server, url string) []httpapi.PlaceJSON {
		t.Helper()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
		}
		var body httpapi.PlaceListJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body.Places
	}
	s := httpapi.New(httpapi.Config{Places: own, Geocoder: geo})
	want := []httpapi.PlaceJSON{
		{Name: "Scranton, PA, US", Kind: "city", Lat: 41.4, Lng: -75.66, Meetings: 12},
		{Name: "Scranton, Iowa, United States", Kind: "geocoder", Lat: 42.02, Lng: -94.54},
	}
	if d := cmp.Diff(want, get(s, "/v1/places?q=scranton&limit=5")); d != "" {
		t.Errorf("listings then geocoder (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want[:1], get(s, "/v1/places?q=scranton&limit=1")); d != "" || geo.asked != 1 {
		t.Errorf("enough places of our own: geocoder asked %d times (want 1 in all), (-want +got):\n%s", geo.asked, d)
	}
	geo.err = meeting.Errorf(meeting.KindUnavailable, "test", "down")
	if d := cmp.Diff(want[:1], get(s, "/v1/places?q=scranton&limit=5")); d != "" {
		t.Errorf("geocoder down (-want +got):\n%s", d)
	}
}
