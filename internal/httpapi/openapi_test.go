package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
)

// loadSpec loads openapi.yaml from the module root (found by walking up to
// go.mod) and validates it as an OpenAPI 3.0 document.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(dir, "openapi.yaml"))
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIIsValid(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Description == "" && op.Summary == "" {
				t.Errorf("%s %s has no summary or description", method, path)
			}
			if op.Responses.Status(http.StatusOK) == nil {
				t.Errorf("%s %s documents no 200 response", method, path)
			}
		}
	}
}

// ginParam matches gin's path parameters (":id", "*rest").
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestOpenAPIMatchesRoutes checks that openapi.yaml documents exactly the
// routes the server registers: a new route without documentation fails, and
// so does documentation of a route that is gone.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadSpec(t)
	inSpec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		// A path gin cannot route by itself ("/v1/meetings/{id}.ics") names
		// the registered route whose handler serves it.
		if via, ok := item.Extensions["x-served-by"].(string); ok {
			path = via
		}
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range httpapi.New(httpapi.Config{Logger: quietLogger()}).Engine().Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	if len(served) == 0 {
		t.Fatal("the server registers no routes")
	}
	if d := cmp.Diff(sortedKeys(inSpec), sortedKeys(served)); d != "" {
		t.Errorf("routes in openapi.yaml (-) and registered with gin (+) differ:\n%s", d)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// specCheck validates requests and responses against openapi.yaml.
type specCheck struct {
	doc    *openapi3.T
	router routers.Router
}

func newSpecCheck(t *testing.T) *specCheck {
	t.Helper()
	// The JSONP answers are scripts: check them as plain text.
	openapi3filter.RegisterBodyDecoder("text/javascript", openapi3filter.PlainBodyDecoder)
	doc := loadSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router for openapi.yaml: %v", err)
	}
	return &specCheck{doc: doc, router: router}
}

// exchange serves req on h and validates the response against the spec. It
// returns the request's validation error (nil when the spec accepts it) so
// that callers can compare the spec's verdict with the server's.
func (s *specCheck) exchange(t *testing.T, h http.Handler, req *http.Request) (response, error) {
	t.Helper()
	res := serve(h, req.Clone(context.Background()))
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no route in openapi.yaml: %v", req.Method, req.URL, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		// Keys are the server's to check (the authorization tests do);
		// the spec's security is taken as met.
		Options: &openapi3filter.Options{SkipSettingDefaults: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.status,
		Header:                 res.header,
		Body:                   io.NopCloser(bytes.NewReader(res.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL, res.status, err, excerpt(res.body))
	}
	return res, reqErr
}

// excerpt shortens a body for a failure message.
func excerpt(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// validateSchema checks a JSON body against a named schema of the spec (for
// answers on paths the spec cannot list: unknown routes, wrong methods).
func (s *specCheck) validateSchema(t *testing.T, name string, body []byte) {
	t.Helper()
	ref := s.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("openapi.yaml has no schema %q", name)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	if err := ref.Value.VisitJSON(v); err != nil {
		t.Errorf("body does not match schema %s: %v\nbody: %s", name, err, body)
	}
}

// TestOpenAPIResponses sends real requests to a Server over PostGIS and
// checks every request and response against openapi.yaml. For each request
// the spec's verdict (valid or not) must agree with the server's (a 400 or
// not), except where the spec cannot express a rule (lat and lng together,
// a cursor's query kind), which the cases mark.
func TestOpenAPIResponses(t *testing.T) {
	spec := newSpecCheck(t)
	e := newEnv(t, standardFixtures()...)

	// A real cursor from a point query, and one from a query without a point.
	first := get(t, e.srv, "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=50&limit=1").list(t)
	if first.NextCursor == nil {
		t.Fatal("a point query with limit=1 over several meetings gave no next_cursor")
	}
	pointCursor := *first.NextCursor
	firstAll := get(t, e.srv, "/v1/meetings?limit=2").list(t)
	if firstAll.NextCursor == nil {
		t.Fatal("limit=2 over several meetings gave no next_cursor")
	}
	plainCursor := *firstAll.NextCursor

	cases := []struct {
		name   string
		target string
		status int
		// specBlind marks a 400 the spec cannot see: the request is valid
		// parameter by parameter and only the server's cross-checks catch it.
		specBlind bool
	}{
		{name: "healthz", target: "/healthz", status: 200},
		{name: "ready", target: "/readyz", status: 200},
		{name: "all", target: "/v1/meetings", status: 200},
		{name: "near a point", target: "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=50", status: 200},
		{name: "default radius", target: "/v1/meetings?lat=40.7128&lng=-74.006", status: 200},
		{name: "first page", target: "/v1/meetings?limit=2", status: 200},
		{name: "next page", target: "/v1/meetings?limit=2&cursor=" + url.QueryEscape(plainCursor), status: 200},
		{name: "next point page", target: "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=50&limit=1&cursor=" + url.QueryEscape(pointCursor), status: 200},
		{name: "days", target: "/v1/meetings?day=1,3", status: 200},
		{name: "today", target: "/v1/meetings?day=today", status: 200},
		{name: "today any case", target: "/v1/meetings?day=Today", status: 200},
		{name: "time window", target: "/v1/meetings?start_after=07:00&start_before=19:30", status: 200},
		{name: "types", target: "/v1/meetings?types=O,W", status: 200},
		{name: "attendance", target: "/v1/meetings?attendance=online,hybrid", status: 200},
		{name: "program", target: "/v1/meetings?program=aa,smart", status: 200},
		{name: "every attendance", target: "/v1/meetings?attendance=in_person,hybrid,online,inactive", status: 200},
		{name: "every program", target: "/v1/meetings?program=aa,na,smart,al-anon,celebrate-recovery,activity,other", status: 200},
		{name: "source", target: "/v1/meetings?source=test,other", status: 200},
		{name: "upcoming", target: "/v1/meetings?upcoming_hours=48", status: 200},
		{name: "everything", target: "/v1/meetings?lat=40.7128&lng=-74.006&radius_km=500&limit=200&day=1,2&start_after=06:00&start_before=23:59&types=O&attendance=in_person&program=aa&source=test&upcoming_hours=168", status: 200},
		{name: "meeting in person", target: "/v1/meetings/" + strconv.FormatInt(e.ids["Monday Night NYC"], 10), status: 200},
		{name: "meeting online", target: "/v1/meetings/" + strconv.FormatInt(e.ids["Online Chicago"], 10), status: 200},
		{name: "meeting by appointment", target: "/v1/meetings/" + strconv.FormatInt(e.ids["By Appointment"], 10), status: 200},
		{name: "meeting no end", target: "/v1/meetings/" + strconv.FormatInt(e.ids["Tuesday Early Hybrid"], 10), status: 200},
		{name: "meeting no zone", target: "/v1/meetings/" + strconv.FormatInt(e.ids["Saturday No Zone"], 10), status: 200},
		{name: "meeting in progress", target: "/v1/meetings/" + strconv.FormatInt(e.ids["Tokyo Lunch"], 10), status: 200},
		{name: "meeting guide feed", target: "/feeds/meeting-guide.json", status: 200},
		{name: "meeting guide feed filtered", target: "/feeds/meeting-guide.json?program=aa&source=test&bbox=-75,40,-73,41", status: 200},
		{name: "bmlt search", target: "/bmlt/client_interface/json/?switcher=GetSearchResults", status: 200},
		{name: "bmlt search near", target: "/bmlt/client_interface/json/?switcher=GetSearchResults&lat_val=40.7128&long_val=-74.006&geo_width_km=50&get_used_formats=1", status: 200},
		{name: "bmlt formats", target: "/bmlt/client_interface/json/?switcher=GetFormats", status: 200},
		{name: "bmlt service bodies", target: "/bmlt/client_interface/json/?switcher=GetServiceBodies", status: 200},
		{name: "bmlt server info", target: "/bmlt/client_interface/json/?switcher=GetServerInfo", status: 200},
		{name: "bmlt field keys", target: "/bmlt/client_interface/json/?switcher=GetFieldKeys", status: 200},
		{name: "bmlt jsonp", target: "/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=cb_1", status: 200},
		{name: "bmlt jsonp bad callback", target: "/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=" + url.QueryEscape("alert(1)"), status: 400},
		{name: "bmlt jsonp default callback", target: "/bmlt/client_interface/jsonp/?switcher=GetServerInfo", status: 200},
		{name: "bmlt unknown switcher", target: "/bmlt/client_interface/json/?switcher=GetNAWSDump", status: 422},
		{name: "bmlt unknown switcher jsonp", target: "/bmlt/client_interface/jsonp/?switcher=Nope&callback=cb", status: 422},
		{name: "unknown meeting", target: "/v1/meetings/987654", status: 404},
		{name: "id not a number", target: "/v1/meetings/abc", status: 400},
		{name: "id zero", target: "/v1/meetings/0", status: 400},
		{name: "lat out of range", target: "/v1/meetings?lat=91&lng=0", status: 400},
		{name: "lng out of range", target: "/v1/meetings?lat=0&lng=200", status: 400},
		{name: "lat not a number", target: "/v1/meetings?lat=north&lng=0", status: 400},
		{name: "lat alone", target: "/v1/meetings?lat=40", status: 400, specBlind: true},
		{name: "radius without point", target: "/v1/meetings?radius_km=10", status: 400, specBlind: true},
		{name: "radius too big", target: "/v1/meetings?lat=40&lng=-74&radius_km=9999", status: 400},
		{name: "radius zero", target: "/v1/meetings?lat=40&lng=-74&radius_km=0", status: 400},
		{name: "limit zero", target: "/v1/meetings?limit=0", status: 400},
		{name: "limit too big", target: "/v1/meetings?limit=201", status: 400},
		{name: "day 8", target: "/v1/meetings?day=8", status: 400},
		{name: "day word", target: "/v1/meetings?day=monday", status: 400},
		{name: "bad time", target: "/v1/meetings?start_after=25:00", status: 400},
		{name: "bad attendance", target: "/v1/meetings?attendance=walk-in", status: 400},
		{name: "bad program", target: "/v1/meetings?program=xa", status: 400},
		{name: "upcoming zero", target: "/v1/meetings?upcoming_hours=0", status: 400},
		{name: "upcoming too long", target: "/v1/meetings?upcoming_hours=169", status: 400},
		{name: "garbage cursor", target: "/v1/meetings?cursor=not-a-cursor", status: 400, specBlind: true},
		{name: "point cursor without point", target: "/v1/meetings?cursor=" + url.QueryEscape(pointCursor), status: 400, specBlind: true},
	}
	seen := map[string]bool{} // which nullable shapes the 200 bodies exercised
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, reqErr := spec.exchange(t, e.srv, request(t, http.MethodGet, tc.target))
			if res.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", res.status, tc.status, res.body)
			}
			refused := tc.status == http.StatusBadRequest || tc.status == http.StatusUnprocessableEntity
			switch {
			case refused && !tc.specBlind && reqErr == nil:
				t.Errorf("the server refuses the request but openapi.yaml accepts it: document the rule")
			case !refused && reqErr != nil:
				t.Errorf("the server accepts the request but openapi.yaml refuses it: %v", reqErr)
			case tc.specBlind && reqErr != nil:
				t.Errorf("openapi.yaml refuses a request marked specBlind (unmark it): %v", reqErr)
			}
			if res.status == http.StatusOK && strings.HasPrefix(tc.target, "/v1/meetings") {
				noteShapes(t, res.body, seen)
			}
		})
	}
	for _, shape := range []string{"distance_m", "no distance_m", "online", "no online", "lat null", "day null",
		"start_time null", "end_time null", "timezone null", "next_start null", "in_progress", "next_cursor null", "next_cursor"} {
		if !seen[shape] {
			t.Errorf("no 200 response had %s: the fixtures no longer exercise that part of the schema", shape)
		}
	}

	t.Run("not ready", func(t *testing.T) {
		srv := httpapi.New(httpapi.Config{Store: e.store, Logger: quietLogger(), Ready: func(context.Context) error { return errors.New("schema is behind") }})
		res, _ := spec.exchange(t, srv, request(t, http.MethodGet, "/readyz"))
		if res.status != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503; body %s", res.status, res.body)
		}
	})
	t.Run("database down", func(t *testing.T) {
		_, down := downStore(t)
		srv := httpapi.New(httpapi.Config{Store: down, Logger: quietLogger()})
		for _, target := range []string{"/v1/meetings", "/v1/meetings?lat=40.7128&lng=-74.006", "/v1/meetings/1"} {
			res, reqErr := spec.exchange(t, srv, request(t, http.MethodGet, target))
			if res.status != http.StatusServiceUnavailable {
				t.Errorf("%s: status %d, want 503; body %s", target, res.status, res.body)
			}
			if reqErr != nil {
				t.Errorf("%s: openapi.yaml refuses the request: %v", target, reqErr)
			}
		}
	})
	t.Run("off-spec answers use the Error schema", func(t *testing.T) {
		for _, tc := range []struct {
			method, target string
			status         int
		}{
			{http.MethodGet, "/v2/meetings?lat=1&lng=2", http.StatusNotFound},
			{http.MethodGet, "/", http.StatusNotFound},
			{http.MethodPost, "/v1/meetings", http.StatusMethodNotAllowed},
			{http.MethodDelete, "/v1/meetings/1", http.StatusMethodNotAllowed},
		} {
			res := serve(e.srv, request(t, tc.method, tc.target))
			if res.status != tc.status {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, res.status, tc.status)
			}
			spec.validateSchema(t, "Error", res.body)
		}
	})
}

// noteShapes records which optional and nullable parts of the meeting
// schema a 200 body (a list or one meeting) had.
func noteShapes(t *testing.T, body []byte, seen map[string]bool) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v", err)
	}
	var ms []any
	if list, ok := v["meetings"].([]any); ok {
		ms = list
		if v["next_cursor"] == nil {
			seen["next_cursor null"] = true
		} else {
			seen["next_cursor"] = true
		}
	} else if _, ok := v["id"]; ok {
		ms = []any{v}
	}
	for _, m := range ms {
		m := m.(map[string]any)
		has := func(k string) bool { _, ok := m[k]; return ok }
		isNull := func(k string) bool { x, ok := m[k]; return ok && x == nil }
		seen[map[bool]string{true: "distance_m", false: "no distance_m"}[has("distance_m")]] = true
		seen[map[bool]string{true: "online", false: "no online"}[has("online")]] = true
		for _, k := range []string{"day", "start_time", "end_time", "timezone", "next_start"} {
			if isNull(k) {
				seen[k+" null"] = true
			}
		}
		if loc, ok := m["location"].(map[string]any); ok && loc["lat"] == nil {
			seen["lat null"] = true
		}
		if m["in_progress"] == true {
			seen["in_progress"] = true
		}
	}
}
