package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Limits of GET /v1/places.
const (
	DefaultPlaceLimit = 10
	MaxPlaceLimit     = 50
)

// PlaceJSON is a place as the API shows it: where to centre a search for
// meetings near a city or postal code.
type PlaceJSON struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	Meetings int     `json:"meetings"`
}

// PlaceListJSON is the body of GET /v1/places.
type PlaceListJSON struct {
	Places []PlaceJSON `json:"places"`
}

// listPlaces serves GET /v1/places?q=: cities and postal codes of the
// listings that match q, then (when a geocoder is configured and the
// listings have too few) the geocoder's.
func (s *Server) listPlaces(c *gin.Context) error {
	const op = "httpapi.listPlaces"
	query := c.Request.URL.Query()
	q := strings.TrimSpace(query.Get("q"))
	bad := meeting.FieldErrors{}
	switch {
	case q == "":
		bad.Add("q", "is required")
	case utf8.RuneCountInString(q) > MaxQueryLen:
		bad.Add("q", fmt.Sprintf("is longer than %d characters", MaxQueryLen))
	}
	limit := DefaultPlaceLimit
	if v := strings.TrimSpace(query.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPlaceLimit {
			bad.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxPlaceLimit))
		}
		limit = n
	}
	if err := bad.Err(op, "some query parameters are not valid"); err != nil {
		return err
	}
	if s.cfg.Places == nil {
		return meeting.Errorf(meeting.KindUnavailable, op, "place search is not configured")
	}
	places, err := s.cfg.Places.Places(c.Request.Context(), q, limit)
	if err != nil {
		return err
	}
	if s.cfg.Geocoder != nil && len(places) < limit {
		more, err := s.cfg.Geocoder.Places(c.Request.Context(), q, limit-len(places))
		if err != nil {
			// The listings' own places still answer; the geocoder is extra.
			s.log.Warn("geocoder failed", slog.String("error", err.Error()))
		}
		places = append(places, more...)
	}
	body := PlaceListJSON{Places: make([]PlaceJSON, 0, len(places))}
	for _, p := range places {
		body.Places = append(body.Places, PlaceJSON{Name: p.Name, Kind: p.Kind, Lat: meeting.RoundCoord(p.Lat), Lng: meeting.RoundCoord(p.Lng), Meetings: p.Meetings})
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// searchCheck runs the Search checker: "ok", or "degraded" while the
// external index is down (queries fall back to PostgreSQL meanwhile).
func (s *Server) searchCheck(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.cfg.Search(ctx); err != nil {
		s.log.Warn("search degraded", slog.String("error", err.Error()))
		return "degraded"
	}
	return "ok"
}
