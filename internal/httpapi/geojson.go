package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// GeoJSONCollection is the body of GET /v1/meetings.geojson: an RFC 7946
// FeatureCollection with one Feature per meeting. The properties are the
// meeting exactly as GET /v1/meetings shows it, so map clients need no
// second format; it lives here rather than in a pure encoder package for
// that reason.
type GeoJSONCollection struct {
	Type     string           `json:"type"` // "FeatureCollection"
	Features []GeoJSONFeature `json:"features"`
}

// GeoJSONFeature is one meeting. Geometry is null for a meeting without a
// real point (RFC 7946 §3.2 allows unlocated features).
type GeoJSONFeature struct {
	Type       string        `json:"type"` // "Feature"
	ID         int64         `json:"id"`
	Geometry   *GeoJSONPoint `json:"geometry"`
	Properties MeetingJSON   `json:"properties"`
}

// GeoJSONPoint is a Point geometry; Coordinates are [longitude, latitude].
type GeoJSONPoint struct {
	Type        string     `json:"type"` // "Point"
	Coordinates [2]float64 `json:"coordinates"`
}

// listMeetingsGeoJSON serves GET /v1/meetings.geojson: the meetings GET
// /v1/meetings would list, as a FeatureCollection (every match without
// limit and cursor; one page, with a Link header to the next, with them).
func (s *Server) listMeetingsGeoJSON(c *gin.Context) error {
	rs, err := s.wholeOrPage(c)
	if err != nil {
		return err
	}
	fc := GeoJSONCollection{Type: "FeatureCollection", Features: make([]GeoJSONFeature, 0, len(rs))}
	for i := range rs {
		r := &rs[i]
		f := GeoJSONFeature{Type: "Feature", ID: r.ID, Properties: newResultJSON(r)}
		if r.Location.HasPoint {
			f.Geometry = &GeoJSONPoint{Type: "Point", Coordinates: [2]float64{meeting.RoundCoord(r.Location.Lng()), meeting.RoundCoord(r.Location.Lat())}}
		}
		fc.Features = append(fc.Features, f)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fc); err != nil {
		return meeting.Wrap(meeting.KindInternal, "httpapi.listMeetingsGeoJSON", err)
	}
	writeCached(c, "application/geo+json", buf.Bytes())
	return nil
}
