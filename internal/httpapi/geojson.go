package httpapi

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// GeoJSONCollection is the body of GET /v1/meetings.geojson: an RFC 7946
// FeatureCollection with one Feature per meeting. The properties are the
// meeting exactly as GET /v1/meetings shows it, so map clients need no
// second format; it lives here rather than in a pure encoder package for
// that reason. The answer is streamed by a geoJSONEncoder, whose output is
// this type's JSON encoding.
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

// newGeoJSONFeature returns the Feature of r.
func newGeoJSONFeature(r *meeting.Result) GeoJSONFeature {
	f := GeoJSONFeature{Type: "Feature", ID: r.ID, Properties: newResultJSON(r)}
	if r.Location.HasPoint {
		f.Geometry = &GeoJSONPoint{Type: "Point", Coordinates: [2]float64{meeting.RoundCoord(r.Location.Lng()), meeting.RoundCoord(r.Location.Lat())}}
	}
	return f
}

// geoJSONEncoder writes a GeoJSONCollection one feature at a time: the
// head, each Feature (comma-separated) in one Write, and the tail at close.
type geoJSONEncoder struct {
	w   io.Writer
	buf bytes.Buffer
	enc *json.Encoder
	n   int
}

// geoJSONHead and geoJSONTail surround the features, as encoding/json
// writes a GeoJSONCollection.
const (
	geoJSONHead = `{"type":"FeatureCollection","features":[`
	geoJSONTail = "]}\n"
)

// newGeoJSONEncoder returns an encoder writing to w; it writes nothing yet.
func newGeoJSONEncoder(w io.Writer) *geoJSONEncoder {
	e := &geoJSONEncoder{w: w}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode writes r's Feature.
func (e *geoJSONEncoder) encode(r *meeting.Result) error {
	e.buf.Reset()
	if e.n == 0 {
		e.buf.WriteString(geoJSONHead)
	} else {
		e.buf.WriteByte(',')
	}
	if err := e.enc.Encode(newGeoJSONFeature(r)); err != nil {
		return err
	}
	e.buf.Truncate(e.buf.Len() - 1) // json.Encoder's newline
	e.n++
	_, err := e.w.Write(e.buf.Bytes())
	return err
}

// close ends the collection (an empty one when nothing was encoded).
func (e *geoJSONEncoder) close() error {
	end := geoJSONTail
	if e.n == 0 {
		end = geoJSONHead + geoJSONTail
	}
	_, err := io.WriteString(e.w, end)
	return err
}

// listMeetingsGeoJSON serves GET /v1/meetings.geojson: the meetings GET
// /v1/meetings would list, as a FeatureCollection (every match without
// limit and cursor, streamed; one page, with a Link header to the next,
// with them).
func (s *Server) listMeetingsGeoJSON(c *gin.Context) error {
	src, err := s.readFeedSource(c)
	if err != nil {
		return err
	}
	// next_start and in_progress change at whole minutes.
	key := src.key(c, minuteKey(s.now()))
	return s.writeFeed(c, "httpapi.listMeetingsGeoJSON", "application/geo+json", key, func(w io.Writer) error {
		enc := newGeoJSONEncoder(w)
		if err := src.each(c.Request.Context(), enc.encode); err != nil {
			return err
		}
		return enc.close()
	})
}
