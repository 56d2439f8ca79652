package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// jsonpCallback is what a JSONP callback name may look like: a JavaScript
// identifier path ("jsonp_1712_42", "jQuery123.cb"), nothing that could
// carry script.
var jsonpCallback = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]*$`)

// bmltJSON serves GET /bmlt/client_interface/json/?switcher=….
func (s *Server) bmltJSON(c *gin.Context) error {
	v, err := s.bmlt(c)
	if err != nil {
		return err
	}
	b, err := marshal(v)
	if err != nil {
		return err
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}

// bmltJSONP serves GET /bmlt/client_interface/jsonp/?switcher=…&callback=NAME
// as the script /**/NAME(json); the callback must match jsonpCallback.
func (s *Server) bmltJSONP(c *gin.Context) error {
	cb := c.Query("callback")
	if !jsonpCallback.MatchString(cb) {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.bmltJSONP", Message: "the JSONP callback is not valid",
			Fields: map[string]string{"callback": "is required and must be a JavaScript name (letters, digits, _, $ and .; not starting with a digit)"}}
	}
	v, err := s.bmlt(c)
	if err != nil {
		return err
	}
	b, err := marshal(v)
	if err != nil {
		return err
	}
	out := make([]byte, 0, len(b)+len(cb)+8)
	out = append(out, "/**/"...)
	out = append(out, cb...)
	out = append(out, '(')
	out = append(out, b...)
	out = append(out, ");"...)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", out)
	return nil
}

// marshal encodes v without HTML escaping (BMLT clients show the text as is).
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, meeting.Wrap(meeting.KindInternal, "httpapi.marshal", err)
	}
	return []byte(strings.TrimRight(b.String(), "\n")), nil
}

// bmltRoot returns this server's BMLT root URL (root_server_uri).
func bmltRoot(c *gin.Context) string { return baseURL(c.Request) + "/bmlt" }

// bmlt dispatches on the switcher parameter.
func (s *Server) bmlt(c *gin.Context) (any, error) {
	q := c.Request.URL.Query()
	switch sw := q.Get("switcher"); sw {
	case "GetSearchResults":
		return s.bmltSearch(c)
	case "GetFormats":
		return bmlt.FormatsFor(q), nil
	case "GetServiceBodies":
		return s.bmltServiceBodies(c)
	case "GetServerInfo":
		return bmlt.ServerInfo(), nil
	case "GetFieldKeys":
		return bmlt.FieldKeys, nil
	default:
		return nil, &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.bmlt", Message: "unknown switcher",
			Fields: map[string]string{"switcher": "must be one of GetSearchResults, GetFormats, GetServiceBodies, GetServerInfo, GetFieldKeys"}}
	}
}

// bmltSearch answers GetSearchResults: a JSON array of meetings, or
// {"meetings":[…],"formats":[…]} with get_used_formats, or {"formats":[…]}
// with get_formats_only. Malformed parameters give an empty result, as on
// BMLT servers.
func (s *Server) bmltSearch(c *gin.Context) (any, error) {
	search, ok := bmlt.ParseSearch(c.Request.URL.Query())
	shape := func(r bmlt.Result) any {
		switch {
		case search.FormatsOnly:
			return gin.H{"formats": r.Formats}
		case search.UsedFormats:
			return gin.H{"meetings": r.Meetings, "formats": r.Formats}
		}
		return r.Meetings
	}
	empty := bmlt.Result{Meetings: []map[string]string{}, Formats: []bmlt.Format{}}
	if !ok {
		return shape(empty), nil
	}
	store, err := s.feeds()
	if err != nil {
		return nil, err
	}
	areas, err := store.Areas(c.Request.Context())
	if err != nil {
		return nil, err
	}
	bodies := bmlt.ServiceBodies(areas)
	// Narrow the database query with what it can do exactly; the rest of
	// BMLT's rules are applied by search.Run.
	f := meeting.Filter{Now: s.now()}
	if days := search.Days(); days != nil {
		if len(days) == 0 {
			return shape(empty), nil
		}
		f.Days = days
	}
	if search.Services != nil {
		selected := search.Services
		if search.Recursive {
			selected = bmlt.Descendants(bodies, selected)
		}
		for _, a := range areas {
			for i := 1; i <= len(a); i++ {
				if selected[bmlt.ServiceBodyID(a[0], a[1:i]...)] && !slices.Contains(f.Sources, a[0]) {
					f.Sources = append(f.Sources, a[0])
				}
			}
		}
		if len(f.Sources) == 0 {
			return shape(empty), nil
		}
	}
	if search.HasPoint && search.WidthKM > 0 {
		// BMLT's 111.111 km per degree is a little short of the sphere
		// PostGIS uses; the margin keeps every meeting Run will accept.
		f.Point, f.HasPoint, f.RadiusKM = orb.Point{search.Lng, search.Lat}, true, search.WidthKM*1.01+0.1
	}
	rs, err := store.All(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	ms := make([]meeting.Meeting, len(rs))
	for i := range rs {
		ms[i] = rs[i].Meeting
	}
	return shape(search.Run(ms, bodies, bmltRoot(c))), nil
}

// bmltServiceBodies answers GetServiceBodies: every service body, or those
// named by services[] (with recursive=1 their descendants, with parents=1
// their ancestors).
func (s *Server) bmltServiceBodies(c *gin.Context) (any, error) {
	store, err := s.feeds()
	if err != nil {
		return nil, err
	}
	areas, err := store.Areas(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return bmlt.SelectServiceBodies(bmlt.ServiceBodies(areas), c.Request.URL.Query()), nil
}
