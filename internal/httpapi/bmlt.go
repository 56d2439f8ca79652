package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
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
		return bmltFormats(q), nil
	case "GetServiceBodies":
		return s.bmltServiceBodies(c)
	case "GetServerInfo":
		return bmltServerInfo(), nil
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

// bmltFormats answers GetFormats: the format catalogue in lang_enum ("en"
// or "es"), limited by key_strings and format_ids when given.
func bmltFormats(q map[string][]string) []bmlt.Format {
	lang := "en"
	if l := listParam(q, "lang_enum"); len(l) > 0 && l[0] == "es" {
		lang = "es"
	}
	keys, ids := listParam(q, "key_strings"), listParam(q, "format_ids")
	out := []bmlt.Format{}
	for _, f := range bmlt.Catalog(lang) {
		if (len(keys) == 0 || slices.Contains(keys, f.KeyString)) && (len(ids) == 0 || slices.Contains(ids, f.ID)) {
			out = append(out, f)
		}
	}
	return out
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
	bodies := bmlt.ServiceBodies(areas)
	q := c.Request.URL.Query()
	ids := listParam(q, "services")
	if len(ids) == 0 {
		return bodies, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil && n > 0 {
			want[id] = true
		}
	}
	sel := want
	if v := q.Get("recursive"); v == "1" || v == "true" {
		sel = bmlt.Descendants(bodies, sel)
	}
	if v := q.Get("parents"); v == "1" || v == "true" {
		for id := range bmlt.Ancestors(bodies, want) {
			sel[id] = true
		}
	}
	out := []bmlt.ServiceBody{}
	for _, b := range bodies {
		if sel[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}

// bmltServerInfo answers GetServerInfo: one object, every value a string.
func bmltServerInfo() []map[string]string {
	keys := make([]string, len(bmlt.FieldKeys))
	for i, k := range bmlt.FieldKeys {
		keys[i] = k.Key
	}
	return []map[string]string{{
		"version": "4.0.0", "versionInt": "4000000", "langs": "en,es", "nativeLang": "en",
		"centerLongitude": "", "centerLatitude": "", "centerZoom": "", "defaultDuration": "01:00:00",
		"regionBias": "", "charSet": "UTF-8", "distanceUnits": "mi", "semanticAdmin": "0",
		"emailEnabled": "0", "emailIncludesServiceBodies": "0", "changesPerMeeting": "0",
		"meeting_states_and_provinces": "", "meeting_counties_and_sub_provinces": "",
		"available_keys": strings.Join(keys, ","), "google_api_key": "", "dbVersion": "", "dbPrefix": "",
		"meeting_time_zones_enabled": "1", "phpVersion": "", "auto_geocoding_enabled": "0", "commit": "",
		"default_closed_status": "0", "aggregator_mode_enabled": "0",
	}}
}

// listParam returns the values of a BMLT array parameter (name[]= or name=,
// comma lists allowed).
func listParam(q map[string][]string, name string) []string {
	var out []string
	for _, k := range []string{name, name + "[]"} {
		for _, v := range q[k] {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}
