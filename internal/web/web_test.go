package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/web"
)

// TestConfigPlaces checks that /config.json lists the places its caller
// gives (at most web.MaxCities, asked for once while the body is kept) and
// an empty list without a source.
func TestConfigPlaces(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	cities := func(t *testing.T, e *gin.Engine) []web.CityJSON {
		t.Helper()
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config.json", nil))
		var c struct {
			Cities *[]web.CityJSON `json:"cities"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != http.StatusOK || err != nil || c.Cities == nil {
			t.Fatalf("GET /config.json: %d %v, cities %v: %s", rec.Code, err, c.Cities, rec.Body)
		}
		return *c.Cities
	}

	t.Run("none", func(t *testing.T) {
		e := gin.New()
		web.Mount(e, web.Config{})
		if got := cities(t, e); len(got) != 0 {
			t.Errorf("cities = %+v, want none", got)
		}
	})
	t.Run("from the caller", func(t *testing.T) {
		var asked int
		places := func(ctx context.Context, limit int) ([]meeting.Place, error) {
			asked++
			if limit != web.MaxCities {
				t.Errorf("asked for %d places, want %d", limit, web.MaxCities)
			}
			out := make([]meeting.Place, limit+5)
			for i := range out {
				out[i] = meeting.Place{Name: "Scranton, PA, US", Kind: meeting.PlaceCity, Lat: 41.4, Lng: -75.66, Meetings: 12}
			}
			return out, nil
		}
		e := gin.New()
		web.Mount(e, web.Config{Places: places})
		got := cities(t, e)
		if len(got) != web.MaxCities {
			t.Fatalf("%d cities, want %d", len(got), web.MaxCities)
		}
		if d := cmp.Diff(web.CityJSON{Name: "Scranton, PA, US", Lat: 41.4, Lng: -75.66}, got[0]); d != "" {
			t.Errorf("first city (-want +got):\n%s", d)
		}
		cities(t, e)
		if asked != 1 {
			t.Errorf("the places were asked for %d times, want once (the body is kept)", asked)
		}
	})
}
