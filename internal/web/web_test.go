package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// TestPageHeaders checks the finder page's security headers: a content
// security policy that allows images from the configured tile server only
// (besides this server and data: URLs), no framing, no sniffing, no
// referrer.
func TestPageHeaders(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, c := range []struct {
		name, tileURL, imgSrc string
	}{
		{"default tiles", "", "img-src 'self' data: https://tile.openstreetmap.org;"},
		{"tiles with subdomains", "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' data: https://*.tiles.example.org;"},
		{"tiles with a port", "http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png", "img-src 'self' data: http://127.0.0.1:8081;"},
		{"tiles on this server", "/tiles/{z}/{x}/{y}.png", "img-src 'self' data:;"},
		{"a template that is no URL", "tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' data:;"},
		{"a wildcard that is not a label", "https://{s}/{z}/{x}/{y}.png", "img-src 'self' data:;"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := gin.New()
			web.Mount(e, web.Config{TileURL: c.tileURL})
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			for _, part := range []string{c.imgSrc, "default-src 'self';", "script-src 'self';", "frame-ancestors 'none';", "object-src 'none';", "base-uri 'none';"} {
				if !strings.Contains(csp, part) {
					t.Errorf("CSP %q lacks %q", csp, part)
				}
			}
			if strings.Contains(csp, "https:;") || strings.Contains(csp, "https: ") {
				t.Errorf("CSP %q allows any https source", csp)
			}
			for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
}

// TestConfigConcurrent asks for /config.json from many goroutines at once
// while it is first built, as a page load on a fresh server does: with
// -race it guards the lazily built body.
func TestConfigConcurrent(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	web.Mount(e, web.Config{Places: func(ctx context.Context, limit int) ([]meeting.Place, error) {
		return []meeting.Place{{Name: "Scranton, PA, US", Kind: meeting.PlaceCity, Lat: 41.4, Lng: -75.66, Meetings: 12}}, nil
	}})
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	for i := range bodies {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config.json", nil))
			bodies[i] = rec.Body.String()
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if b != bodies[0] || !strings.Contains(b, "Scranton") {
			t.Fatalf("answer %d differs or lacks the place: %s", i, b)
		}
	}
}

// TestConfigProgramTypes: a type only some programs name carries them,
// for the page to offer it as a filter only there; the specification's
// do not.
func TestConfigProgramTypes(t *testing.T) {
	c := web.NewConfigJSON(web.Config{}, nil, nil)
	byCode := map[string]web.TypeJSON{}
	for _, ty := range c.Types {
		byCode[ty.Code] = ty
	}
	if bt := byCode["BT"]; bt.EN != "Basic Text" || strings.Join(bt.Programs, ",") != "na,ha" {
		t.Errorf("BT: %+v", bt)
	}
	if w := byCode["W"]; w.EN != "Women" || len(w.Programs) != 0 {
		t.Errorf("W: %+v", w)
	}
}
