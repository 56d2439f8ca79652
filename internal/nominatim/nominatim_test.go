package nominatim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/nominatim"
)

func TestPlaces(t *testing.T) {
	var gotPath, gotQuery, gotUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery, gotUA = r.URL.Path, r.URL.RawQuery, r.UserAgent()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[
			{"place_id": 1, "lat": "41.4086", "lon": "-75.6649", "display_name": "Scranton, Lackawanna County, Pennsylvania, United States", "type": "city"},
			{"place_id": 2, "lat": "not a number", "lon": "1", "display_name": "Broken"},
			{"place_id": 3, "lat": "32.9", "lon": "-100.9", "display_name": "Scranton, Texas, United States"}
		]`))
	}))
	defer srv.Close()
	c, err := nominatim.New(srv.URL+"/", "meetingfinder-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Places(context.Background(), " scranton ", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []meeting.Place{
		{Name: "Scranton, Lackawanna County, Pennsylvania, United States", Kind: nominatim.PlaceGeocoder, Lat: 41.4086, Lng: -75.6649},
		{Name: "Scranton, Texas, United States", Kind: nominatim.PlaceGeocoder, Lat: 32.9, Lng: -100.9},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("places (-want +got):\n%s", d)
	}
	if gotPath != "/search" || gotQuery != "format=jsonv2&limit=5&q=scranton" || gotUA != "meetingfinder-test" {
		t.Errorf("request %s?%s with User-Agent %q", gotPath, gotQuery, gotUA)
	}
}

func TestPlacesErrors(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"error": "not an array"}`))
	}))
	defer garbage.Close()
	for name, base := range map[string]string{"error status": down.URL, "not nominatim": garbage.URL, "unreachable": "http://127.0.0.1:1"} {
		c, err := nominatim.New(base, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Places(context.Background(), "x", 3); !meeting.IsKind(err, meeting.KindUnavailable) {
			t.Errorf("%s: error %v, want unavailable", name, err)
		}
	}
	c, _ := nominatim.New(down.URL, "", nil)
	if _, err := c.Places(context.Background(), "  ", 3); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("empty query: error %v, want invalid", err)
	}
	if _, err := nominatim.New("ftp://example.org", "", nil); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("ftp URL: error %v, want invalid", err)
	}
}

func TestGeocode(t *testing.T) {
	answers := map[string]string{
		"337 Spring St, West Pittston, PA 18643": `[{"lat": "41.3301", "lon": "-75.7921", "display_name": "337, Spring Street", "place_rank": 30},
			{"lat": "41.0", "lon": "-75.0", "display_name": "second", "place_rank": 30}]`,
		"Spring St, West Pittston":   `[{"lat": "41.33", "lon": "-75.79", "display_name": "Spring Street", "place_rank": 26}]`,
		"no rank":                    `[{"lat": "1.5", "lon": "2.5", "display_name": "somewhere"}]`,
		"bad coordinates, then none": `[{"lat": "x", "lon": "2.5", "display_name": "broken", "place_rank": 30}]`,
		"nowhere at all":             `[]`,
		"rank out of the scale (31)": `[{"lat": "1", "lon": "2", "display_name": "odd", "place_rank": 31}]`,
	}
	var limits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limits = append(limits, r.URL.Query().Get("limit"))
		w.Write([]byte(answers[r.URL.Query().Get("q")]))
	}))
	defer srv.Close()
	c, err := nominatim.New(srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]meeting.Geocode{
		"337 Spring St, West Pittston, PA 18643": {Found: true, Point: orb.Point{-75.7921, 41.3301}, Rank: 30},
		"Spring St, West Pittston":               {Found: true, Point: orb.Point{-75.79, 41.33}, Rank: 26},
		"no rank":                                {Found: true, Point: orb.Point{2.5, 1.5}},
		"bad coordinates, then none":             {},
		"nowhere at all":                         {},
		"rank out of the scale (31)":             {Found: true, Point: orb.Point{2, 1}},
	} {
		got, err := c.Geocode(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", q, d)
		}
		if got.Exact() != (want.Rank >= meeting.GeocodeExactRank) {
			t.Errorf("%s: exact %v", q, got.Exact())
		}
	}
	for _, l := range limits {
		if l != "1" {
			t.Errorf("asked for %s results, want 1", l)
		}
	}
	if _, err := c.Geocode(context.Background(), " "); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("empty address: error %v, want invalid", err)
	}
	down, _ := nominatim.New("http://127.0.0.1:1", "", nil)
	if _, err := down.Geocode(context.Background(), "x"); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("unreachable: error %v, want unavailable", err)
	}
}
