package nominatim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

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
