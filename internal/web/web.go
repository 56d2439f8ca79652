// Package web serves the finder page: the embedded static files of the
// top-level web package at / and /static/, and /config.json, which tells
// the page where map tiles come from, the meeting type vocabulary in
// English and Spanish (from meeting.Types), the programs, a short list of
// places to pick from (which the caller provides: serve passes the
// listings' busiest cities), and which optional API routes this server has.
package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	assets "github.com/meetingfinder/meetingfinder/web"
)

// DefaultTileURL is OpenStreetMap's standard tile server.
const DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// DefaultTileAttribution credits OpenStreetMap, as its tile policy asks.
const DefaultTileAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`

// Config sets up the page.
type Config struct {
	// TileURL is a Leaflet tile URL template ({z}/{x}/{y}); "" means
	// DefaultTileURL. It may be a path on this server ("/tiles/{z}/{x}/{y}.png").
	TileURL string
	// TileAttribution is the HTML credit shown on the map; "" means
	// DefaultTileAttribution when TileURL is the default, else none.
	TileAttribution string
	// Places returns up to limit places the page offers to pick from when
	// the server has no place search, and falls back to when a place search
	// finds nothing: serve passes the listings' own busiest cities
	// (postgres.PlaceStore.Busiest). It is asked for MaxCities places when
	// /config.json is built, every ConfigMaxAge; after an error the page
	// keeps the last list (none at first) for a minute. Nil means no list.
	Places func(ctx context.Context, limit int) ([]meeting.Place, error)
}

// MaxCities is how many places /config.json offers to pick from.
const MaxCities = 24

// ConfigMaxAge is how long /config.json is kept before it is built again,
// so that the places to pick from follow the listings (serve rebuilds its
// places view as often).
const ConfigMaxAge = 10 * time.Minute

// TypeJSON is one meeting type as the page shows it. Programs names, for
// a type only some programs' vocabularies have (NA's Basic Text), those
// programs: the page names such types on the meetings that carry them but
// offers them as filters only for those programs.
type TypeJSON struct {
	Code         string   `json:"code"`
	EN           string   `json:"en"`
	ES           string   `json:"es"`
	InPersonOnly bool     `json:"in_person_only,omitempty"`
	Programs     []string `json:"programs,omitempty"`
}

// CityJSON is a place the page offers to pick from when the server has no
// place search (Config.Places).
type CityJSON struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// FeaturesJSON says which optional API routes this server has, so the page
// shows only what works.
type FeaturesJSON struct {
	// Places is true when GET /v1/places exists (place search).
	Places bool `json:"places"`
	// Corrections is the path pattern of the change-request route
	// (POST /v1/meetings/:id/change-requests), or "" when there is none.
	Corrections string `json:"corrections"`
	// Map is true when Leaflet was built into the binary.
	Map bool `json:"map"`
}

// ConfigJSON is the body of GET /config.json.
type ConfigJSON struct {
	TileURL         string       `json:"tile_url"`
	TileAttribution string       `json:"tile_attribution"`
	Types           []TypeJSON   `json:"types"`
	Programs        []string     `json:"programs"`
	Cities          []CityJSON   `json:"cities"`
	Features        FeaturesJSON `json:"features"`
}

// staticFS is the embedded static/ folder.
var staticFS = func() fs.FS {
	sub, err := fs.Sub(assets.Static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}()

// HasMap reports whether Leaflet was built into the binary ("make web").
func HasMap() bool {
	_, err := fs.Stat(staticFS, "vendor/leaflet/leaflet.js")
	return err == nil
}

// NewConfigJSON builds the page configuration. routes are the server's
// registered routes, read for the optional features; places are the places
// to pick from (at most MaxCities are used).
func NewConfigJSON(cfg Config, routes gin.RoutesInfo, places []meeting.Place) ConfigJSON {
	c := ConfigJSON{TileURL: cfg.TileURL, TileAttribution: cfg.TileAttribution}
	if c.TileURL == "" {
		c.TileURL = DefaultTileURL
		if c.TileAttribution == "" {
			c.TileAttribution = DefaultTileAttribution
		}
	}
	for _, t := range meeting.Types {
		if t.Legacy {
			continue
		}
		tj := TypeJSON{Code: t.Code, EN: t.Name, ES: t.NameES, InPersonOnly: t.InPersonOnly}
		for _, p := range t.Programs {
			tj.Programs = append(tj.Programs, string(p))
		}
		c.Types = append(c.Types, tj)
	}
	for _, p := range meeting.Programs {
		c.Programs = append(c.Programs, string(p))
	}
	c.Cities = []CityJSON{}
	for i, p := range places {
		if i == MaxCities {
			break
		}
		c.Cities = append(c.Cities, CityJSON{Name: p.Name, Lat: p.Lat, Lng: p.Lng})
	}
	c.Features.Map = HasMap()
	for _, r := range routes {
		switch {
		case r.Method == http.MethodGet && r.Path == "/v1/places":
			c.Features.Places = true
		case r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/v1/meetings/:") && strings.HasSuffix(r.Path, "/change-requests"):
			if c.Features.Corrections == "" {
				c.Features.Corrections = r.Path
			}
		}
	}
	return c
}

// Mount adds the page's routes to e: GET / (the page), GET /static/*
// (assets), GET /config.json. Call it after every API route is registered,
// so the features it reports are complete.
func Mount(e *gin.Engine, cfg Config) {
	conf := &configCache{cfg: cfg, e: e}
	e.GET("/config.json", func(c *gin.Context) {
		body, err := conf.body(c.Request.Context())
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	})
	index, err := fs.ReadFile(staticFS, "index.html")
	if err != nil {
		panic("web: index.html missing from the embedded files: " + err.Error())
	}
	csp := pageCSP(cfg.TileURL)
	page := func(c *gin.Context) {
		setPageHeaders(c, csp)
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	}
	e.GET("/", page)
	e.HEAD("/", page)
	files := http.StripPrefix("/static/", http.FileServer(http.FS(staticFS)))
	e.GET("/static/*path", func(c *gin.Context) {
		if p := c.Param("path"); p == "/" || strings.HasSuffix(p, "/") {
			c.AbortWithStatus(http.StatusNotFound) // no directory listings
			return
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Header("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(c.Writer, c.Request)
	})
}

// configCache is the body of /config.json, built on first use (every API
// route is registered by then) and again ConfigMaxAge later.
type configCache struct {
	cfg Config
	e   *gin.Engine

	mu     sync.Mutex
	next   time.Time       // when to build the body again
	places []meeting.Place // the last list Config.Places gave
	json   []byte
}

// configRetry is how soon /config.json asks Config.Places again after it
// failed.
const configRetry = time.Minute

// body returns the current body of /config.json. When Config.Places fails
// the body keeps the last list it gave (none at first), and it is asked
// again configRetry later.
func (cc *configCache) body(ctx context.Context) ([]byte, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	now := time.Now()
	if cc.json != nil && now.Before(cc.next) {
		return cc.json, nil
	}
	cc.next = now.Add(ConfigMaxAge)
	if cc.cfg.Places != nil {
		if ps, err := cc.cfg.Places(ctx, MaxCities); err == nil {
			cc.places = ps
		} else {
			cc.next = now.Add(configRetry)
		}
	}
	b, err := json.Marshal(NewConfigJSON(cc.cfg, cc.e.Routes(), cc.places))
	if err != nil {
		return nil, err
	}
	cc.json = b
	return b, nil
}

// setPageHeaders sets the page's security headers: the content security
// policy csp (pageCSP), no MIME sniffing, no referrer (a meeting's page
// says what a person looks for), and no framing (X-Frame-Options for
// browsers older than frame-ancestors).
func setPageHeaders(c *gin.Context, csp string) {
	c.Header("Content-Security-Policy", csp)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
}

// pageCSP is the page's content security policy: everything from this
// server only (its own script, styles, Leaflet and the API), images also
// from the tile server of tileURL ("" means DefaultTileURL) and data:
// URLs (Leaflet's), and no framing, no <base>, forms posting here only.
func pageCSP(tileURL string) string {
	if tileURL == "" {
		tileURL = DefaultTileURL
	}
	img := "'self' data:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return "default-src 'self'; img-src " + img + "; script-src 'self'; style-src 'self'; connect-src 'self'; " +
		"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}

// tileOrigin returns the CSP source of a tile URL template's server:
// "https://tile.example.org", with Leaflet's subdomain placeholder as a
// wildcard ("https://{s}.tile.example.org/…" gives
// "https://*.tile.example.org"), or "" for a path on this server and for
// anything that is not an absolute http(s) URL.
func tileOrigin(tileURL string) string {
	scheme, rest, ok := strings.Cut(tileURL, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host = strings.ReplaceAll(host, "{s}", "*")
	if host == "" || strings.ContainsAny(host, "{}; ',\"") {
		return ""
	}
	if strings.Contains(host, "*") && (!strings.HasPrefix(host, "*.") || strings.Count(host, "*") > 1 || !strings.Contains(host[2:], ".")) {
		return "" // a wildcard only as a whole first label of a domain with a dot
	}
	return scheme + "://" + host
}
