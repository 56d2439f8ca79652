package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
)

// send serves a request from addr with an optional key and raw body,
// checked against openapi.yaml.
func (e *orgEnv) send(t *testing.T, method, target, key, addr, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, baseURL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.RemoteAddr = addr
	res, _ := e.spec.exchange(t, e.srv, req)
	return res
}

func TestRateLimits(t *testing.T) {
	e := newOrgEnv(t, func(c *httpapi.Config) {
		c.ChangeRequestRate = httpapi.Rate{PerMinute: 1, Burst: 2}
		c.KeyRate = httpapi.Rate{PerMinute: 1, Burst: 2}
	})
	target := fmt.Sprintf("/v1/meetings/%d/change-requests", e.imported)
	body := []byte(`{"proposed": {"notes": "moved upstairs"}}`)
	for i, c := range []struct {
		addr, forwarded string
		status          int
	}{
		{"192.0.2.1:1", "", 200},
		{"192.0.2.1:2", "203.0.113.9", 200}, // X-Forwarded-For is not trusted by default
		{"192.0.2.1:3", "203.0.113.10", 429},
		{"192.0.2.2:1", "", 200},
	} {
		req, _ := http.NewRequest(http.MethodPost, baseURL+target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if c.forwarded != "" {
			req.Header.Set("X-Forwarded-For", c.forwarded)
		}
		req.RemoteAddr = c.addr
		res, _ := e.spec.exchange(t, e.srv, req)
		if res.status != c.status {
			t.Fatalf("request %d from %s: status %d, want %d; %s", i, c.addr, res.status, c.status, res.body)
		}
		if c.status == 429 {
			if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("Retry-After %q", res.header.Get("Retry-After"))
			}
			if res.errorBody(t).Error.Code != "rate_limited" {
				t.Errorf("body %s", res.body)
			}
		}
	}

	// Per key: a's third request is refused, b still gets through, even
	// from the same address.
	for i := range 3 {
		res := e.do(t, http.MethodGet, "/v1/org/meetings", e.a, nil)
		if wantStatus := map[bool]int{true: 429, false: 200}[i == 2]; res.status != wantStatus {
			t.Fatalf("key a request %d: status %d, want %d", i, res.status, wantStatus)
		}
	}
	want(t, e.do(t, http.MethodGet, "/v1/org/meetings", e.b, nil), http.StatusOK)
}

func TestAddressLimitBeforeKeys(t *testing.T) {
	e := newOrgEnv(t, func(c *httpapi.Config) { c.AddrRate = httpapi.Rate{PerMinute: 1, Burst: 3} })
	for i := range 3 {
		want(t, e.send(t, http.MethodGet, "/v1/org/meetings", fmt.Sprintf("mf_guess%d", i), "198.51.100.7:1", "", nil), http.StatusUnauthorized)
	}
	want(t, e.send(t, http.MethodGet, "/v1/org/meetings", e.a, "198.51.100.7:1", "", nil), http.StatusTooManyRequests)
	want(t, e.send(t, http.MethodGet, "/v1/org/meetings", e.a, "198.51.100.8:1", "", nil), http.StatusOK)
}

func TestBodyLimits(t *testing.T) {
	e := newOrgEnv(t, func(c *httpapi.Config) { c.MaxBodyBytes = 1024; c.MaxUploadBytes = 2048 })
	big := listing("Big")
	big["notes"] = strings.Repeat("x", 2000)
	res := e.do(t, http.MethodPost, "/v1/org/meetings", e.a, big)
	want(t, res, http.StatusRequestEntityTooLarge)
	if res.errorBody(t).Error.Code != "too_large" {
		t.Errorf("body %s", res.body)
	}
	// Without a Content-Length the limit holds while reading.
	req, _ := http.NewRequest(http.MethodPost, baseURL+"/v1/org/meetings", strings.NewReader(`{"notes": "`+strings.Repeat("x", 2000)+`"}`))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.a)
	if res := serve(e.srv, req); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d; %s", res.status, res.body)
	}
	want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/meetings/%d/change-requests", e.imported), "",
		map[string]any{"proposed": map[string]any{"notes": strings.Repeat("y", 2000)}}), http.StatusRequestEntityTooLarge)
	want(t, e.send(t, http.MethodPost, "/v1/org/uploads?format=csv", e.a, "192.0.2.1:1", "text/csv", bytes.Repeat([]byte("a,b\n"), 600)), http.StatusRequestEntityTooLarge)
}

func TestChangeRequestValidation(t *testing.T) {
	e := newOrgEnv(t, func(c *httpapi.Config) { c.ChangeRequestRate = httpapi.Rate{PerMinute: 600, Burst: 100} })
	target := fmt.Sprintf("/v1/meetings/%d/change-requests", e.imported)
	for _, c := range []struct {
		name, body, field string
	}{
		{"no proposal", `{"contact": "x"}`, "proposed"},
		{"empty proposal", `{"proposed": {}}`, "proposed"},
		{"not an object", `{"proposed": "rename it"}`, "proposed"},
		{"unknown field", `{"proposed": {"colour": "red"}}`, "proposed.colour"},
		{"bad day", `{"proposed": {"day": 9}}`, "proposed.day"},
		{"javascript link", `{"proposed": {"online": {"url": "javascript:alert(1)"}}}`, "proposed.online.url"},
		{"long contact", `{"proposed": {"notes": "x"}, "contact": "` + strings.Repeat("c", 501) + `"}`, "contact"},
		{"unknown top-level field", `{"proposed": {"notes": "x"}, "name": "x"}`, "name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(t, http.MethodPost, target, "", c.body)
			want(t, res, http.StatusBadRequest)
			if res.errorBody(t).Error.Fields[c.field] == "" {
				t.Errorf("field %s not named: %s", c.field, res.body)
			}
		})
	}
	want(t, e.do(t, http.MethodPost, "/v1/meetings/987654/change-requests", "", `{"proposed": {"notes": "x"}}`), http.StatusNotFound)

	// An admin applies a request to an imported meeting (whose zone is not
	// required), and sees the difference first.
	id := e.ids["Saturday No Zone"]
	res := e.do(t, http.MethodPost, fmt.Sprintf("/v1/meetings/%d/change-requests", id), "", `{"proposed": {"name": "Saturday Morning"}}`)
	want(t, res, http.StatusOK)
	var crs httpapi.ChangeRequestListJSON
	res = e.do(t, http.MethodGet, "/v1/admin/change-requests", e.admin, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &crs)
	if len(crs.ChangeRequests) != 1 || crs.ChangeRequests[0].Changes["name"].Current != "Saturday No Zone" {
		t.Fatalf("admin's change requests: %s", res.body)
	}
	want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/admin/change-requests/%d/apply", crs.ChangeRequests[0].ID), e.admin, nil), http.StatusOK)
	res = e.do(t, http.MethodGet, fmt.Sprintf("/v1/meetings/%d", id), "", nil)
	if !strings.Contains(string(res.body), `"Saturday Morning"`) {
		t.Errorf("after apply: %s", res.body)
	}
	want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/admin/change-requests/%d/dismiss", crs.ChangeRequests[0].ID), e.admin, nil), http.StatusConflict)
}

// publicEnv serves the standard fixtures with a public limit of one
// request a second in bursts of 3, on a clock the test moves.
func publicEnv(t *testing.T, trusted ...string) (*httpapi.Server, *time.Time) {
	t.Helper()
	e := newEnv(t, standardFixtures()...)
	at := now
	cfg := e.config()
	cfg.Now = func() time.Time { return at }
	cfg.PublicRate = httpapi.Rate{PerMinute: 60, Burst: 3}
	cfg.TrustedProxies = trusted
	return httpapi.New(cfg), &at
}

func TestPublicRateLimit(t *testing.T) {
	srv, at := publicEnv(t)
	spec := newSpecCheck(t)
	from := func(addr, forwarded, target string) response {
		t.Helper()
		req := request(t, http.MethodGet, target)
		req.RemoteAddr = addr
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		res, _ := spec.exchange(t, srv, req)
		return res
	}
	// Every public route draws on one bucket per address.
	routes := []string{"/v1/meetings?lat=40.7&lng=-74", "/feeds/meeting-guide.json", "/v1/sources"}
	for _, target := range routes {
		want(t, from("192.0.2.1:1000", "", target), http.StatusOK)
	}
	for _, target := range append(routes, "/v1/meetings.geojson", "/v1/meetings.ics", "/v1/places?q=new",
		"/bmlt/client_interface/json/?switcher=GetServerInfo", fmt.Sprintf("/v1/meetings/%d", 1)) {
		res := from("192.0.2.1:1001", "203.0.113.5", target) // an untrusted X-Forwarded-For changes nothing
		if res.status != http.StatusTooManyRequests {
			t.Fatalf("GET %s past the burst: status %d, want 429", target, res.status)
		}
		if s, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("GET %s: Retry-After %q", target, res.header.Get("Retry-After"))
		}
		if code := res.errorBody(t).Error.Code; code != "rate_limited" {
			t.Errorf("GET %s: code %q", target, code)
		}
	}
	// Probes are never limited; another address has its own bucket.
	want(t, from("192.0.2.1:1002", "", "/healthz"), http.StatusOK)
	want(t, from("192.0.2.1:1002", "", "/readyz"), http.StatusOK)
	want(t, from("192.0.2.2:1000", "", routes[0]), http.StatusOK)

	// IPv6 counts by /64: the addresses of one network share a bucket.
	for i := range 3 {
		want(t, from(fmt.Sprintf("[2001:db8:1:2::%x]:1000", i+1), "", routes[0]), http.StatusOK)
	}
	want(t, from("[2001:db8:1:2:ffff::9]:1000", "", routes[0]), http.StatusTooManyRequests)
	want(t, from("[2001:db8:1:3::1]:1000", "", routes[0]), http.StatusOK)

	// A second refills one token.
	*at = at.Add(time.Second)
	want(t, from("192.0.2.1:1003", "", routes[0]), http.StatusOK)
	want(t, from("192.0.2.1:1003", "", routes[0]), http.StatusTooManyRequests)
}

func TestPublicRateLimitBehindProxies(t *testing.T) {
	srv, _ := publicEnv(t, "10.0.0.0/8")
	send := func(peer, forwarded string) int {
		req := request(t, http.MethodGet, "/v1/meetings")
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", forwarded)
		return serve(srv, req).status
	}
	// The client is the nearest hop that is not a trusted proxy: what it
	// puts in front of its own address is not believed.
	for i := range 3 {
		if got := send("10.0.0.1:1", fmt.Sprintf("198.51.100.%d, 203.0.113.7, 10.0.0.2", i)); got != http.StatusOK {
			t.Fatalf("request %d: status %d", i, got)
		}
	}
	if got := send("10.0.0.3:1", "192.0.2.99, 203.0.113.7"); got != http.StatusTooManyRequests {
		t.Errorf("203.0.113.7 with another made-up hop in front: status %d, want 429", got)
	}
	if got := send("10.0.0.1:1", "203.0.113.8"); got != http.StatusOK {
		t.Errorf("another client behind the same proxy: status %d, want 200", got)
	}
}

func TestPublicRateLimitOff(t *testing.T) {
	e := newEnv(t, standardFixtures()...).unlimited()
	for i := range 300 {
		req := request(t, http.MethodGet, "/v1/meetings?limit=1")
		req.RemoteAddr = "192.0.2.1:1"
		if res := serve(e.srv, req); res.status != http.StatusOK {
			t.Fatalf("request %d with the limit off: status %d", i, res.status)
		}
	}
}

func TestForwardedProtoFromTrustedProxiesOnly(t *testing.T) {
	e := newEnv(t, standardFixtures()...)
	cfg := e.config()
	cfg.TrustedProxies = []string{"10.0.0.1"}
	srv := httpapi.New(cfg)
	for _, c := range []struct {
		peer, want string
	}{
		{"10.0.0.1:1", "https://"},
		{"192.0.2.1:1", "http://"},
	} {
		req := request(t, http.MethodGet, "/bmlt/client_interface/json/?switcher=GetSearchResults&data_field_key=root_server_uri")
		req.RemoteAddr = c.peer
		req.Header.Set("X-Forwarded-Proto", "https")
		res := serve(srv, req)
		var rows []map[string]string
		res.decode(t, &rows)
		if len(rows) == 0 || !strings.HasPrefix(rows[0]["root_server_uri"], c.want) {
			t.Errorf("X-Forwarded-Proto: https from %s: root_server_uri %v, want %s…", c.peer, rows, c.want)
		}
	}
}

// TestOpenAPIPublicRateLimit checks that every route but the probes
// documents the 429 of the rate limits.
func TestOpenAPIPublicRateLimit(t *testing.T) {
	doc := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		if path == "/healthz" || path == "/readyz" {
			continue
		}
		for method, op := range item.Operations() {
			r := op.Responses.Status(http.StatusTooManyRequests)
			if r == nil || r.Value == nil || r.Value.Headers["Retry-After"] == nil {
				t.Errorf("%s %s documents no 429 with Retry-After", method, path)
			}
		}
	}
}

// TestSecurityHeaders checks the headers every answer carries, and that
// framing is forbidden except on the routes other sites embed.
func TestSecurityHeaders(t *testing.T) {
	e := newOrgEnv(t)
	for _, c := range []struct {
		target, key string
		embeddable  bool
	}{
		{"/v1/meetings?lat=40.7&lng=-74", "", true},
		{fmt.Sprintf("/v1/meetings/%d", e.imported), "", true},
		{"/v1/meetings.ics", "", true},
		{"/v1/meetings.geojson", "", true},
		{"/feeds/meeting-guide.json", "", true},
		{"/bmlt/client_interface/json/?switcher=GetServerInfo", "", true},
		{"/bmlt/client_interface/jsonp/?switcher=GetServerInfo&callback=cb", "", true},
		{"/v1/org/meetings", e.a, false},
		{"/v1/admin/submissions", e.admin, false},
		{"/v1/org/meetings", "", false}, // 401
		{"/readyz", "", false},
		{"/healthz", "", false},
		{"/v1/sources", "", false},
		{"/no/such/route", "", false},
	} {
		req := request(t, http.MethodGet, c.target)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		res := serve(e.srv, req)
		h := res.header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s (%d): X-Content-Type-Options %q, Referrer-Policy %q", c.target, res.status, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		framed := h.Get("X-Frame-Options") == "" && !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors")
		if framed != c.embeddable {
			t.Errorf("GET %s (%d): X-Frame-Options %q, CSP %q; embeddable %v", c.target, res.status, h.Get("X-Frame-Options"), h.Get("Content-Security-Policy"), c.embeddable)
		}
	}
}
