package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// route is one line of the route table: the method and gin path, the
// middleware that runs first, and the handler.
type route struct {
	method  string
	path    string
	before  chain
	handler gin.HandlerFunc
}

// chain is the middleware of a route, run in order before its handler.
type chain []gin.HandlerFunc

// with returns a new chain: c followed by more (c itself is not changed).
func (c chain) with(more ...gin.HandlerFunc) chain {
	out := make(chain, 0, len(c)+len(more))
	return append(append(out, c...), more...)
}

// routes is the server's whole route table; openapi.yaml documents every
// line of it (TestOpenAPIMatchesRoutes). The .ics form of
// /v1/meetings/{id} has no line of its own: getMeeting serves it, since gin
// cannot put a suffix after a parameter.
//
// Routes that need a key (/v1/org, /v1/admin) are limited per client
// address before the key is checked and per key after. The public routes
// are limited per client address (Config.PublicRate), and the public
// change request route also on its own, stricter, rate. The health checks
// are not limited (probes must always get through). GET /v1/sources takes
// an optional key (an admin sees run errors in full). Every route that
// reads a body caps its size.
func (s *Server) routes() []route {
	addr := newLimiter(s.cfg.AddrRate, DefaultAddrRate, s.now)
	keys := newLimiter(s.cfg.KeyRate, DefaultKeyRate, s.now)
	changes := newLimiter(s.cfg.ChangeRequestRate, DefaultChangeRequestRate, s.now)
	var public chain
	if s.cfg.PublicRate.PerMinute >= 0 {
		public = chain{s.limitAddr(newLimiter(s.cfg.PublicRate, DefaultPublicRate, s.now))}
	}
	body := s.limitBody(orDefault(s.cfg.MaxBodyBytes, DefaultMaxBodyBytes))
	upload := s.limitBody(orDefault(s.cfg.MaxUploadBytes, DefaultMaxUploadBytes))
	org := chain{s.limitAddr(addr), s.authenticate(keys)}
	admin := org.with(s.requireAdmin())
	h := s.handle
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	return []route{
		// Health.
		{get, "/healthz", nil, s.healthz},
		{get, "/readyz", nil, h(s.readyz)},

		// The public API.
		{get, "/v1/meetings", public, h(s.listMeetings)},
		{get, "/v1/meetings/:id", public, h(s.getMeeting)},
		{get, "/v1/sources", public.with(s.optionalAuth(keys)), h(s.listSources)},
		{get, "/v1/places", public, h(s.listPlaces)},
		{post, "/v1/meetings/:id/change-requests", public.with(s.limitAddr(changes), body), h(s.createChangeRequest)},

		// Organizations: their own listings, uploads and change requests.
		{get, "/v1/org/meetings", org, h(s.listListings)},
		{post, "/v1/org/meetings", org.with(body), h(s.createListing)},
		{get, "/v1/org/meetings/:id", org, h(s.getListing)},
		{put, "/v1/org/meetings/:id", org.with(body), h(s.replaceListing)},
		{patch, "/v1/org/meetings/:id", org.with(body), h(s.patchListing)},
		{del, "/v1/org/meetings/:id", org, h(s.deleteListing)},
		{get, "/v1/org/meetings/:id/history", org, h(s.listingHistory)},
		{post, uploadRoute, org.with(upload), h(s.uploadListings)},
		{get, "/v1/org/change-requests", org, h(s.listChangeRequests)},
		{post, "/v1/org/change-requests/:id/apply", org, h(s.resolveChangeRequest(true))},
		{post, "/v1/org/change-requests/:id/dismiss", org, h(s.resolveChangeRequest(false))},

		// Admins: moderation and every change request.
		{get, "/v1/admin/submissions", admin, h(s.listSubmissions)},
		{post, "/v1/admin/submissions/:id/approve", admin, h(s.approveSubmission)},
		{post, "/v1/admin/submissions/:id/reject", admin.with(body), h(s.rejectSubmission)},
		{get, "/v1/admin/change-requests", admin, h(s.listChangeRequests)},
		{post, "/v1/admin/change-requests/:id/apply", admin, h(s.resolveChangeRequest(true))},
		{post, "/v1/admin/change-requests/:id/dismiss", admin, h(s.resolveChangeRequest(false))},

		// Feeds and compatible endpoints: the Meeting Guide feed, the BMLT
		// semantic API, and the iCalendar and GeoJSON forms of /v1/meetings.
		{get, "/feeds/meeting-guide.json", public, h(s.meetingGuideFeed)},
		{get, "/bmlt/client_interface/json/", public, h(s.bmltJSON)},
		{get, "/bmlt/client_interface/jsonp/", public, h(s.bmltJSONP)},
		{get, "/v1/meetings.ics", public, h(s.listMeetingsICS)},
		{get, "/v1/meetings.geojson", public, h(s.listMeetingsGeoJSON)},
	}
}

// wholeFeeds are the routes that stream every matching meeting, and get
// FeedTimeout rather than QueryTimeout.
var wholeFeeds = map[string]bool{
	"/feeds/meeting-guide.json": true,
	"/v1/meetings.ics":          true,
	"/v1/meetings.geojson":      true,
}

// register adds every route of the table to e.
func (s *Server) register(e *gin.Engine) {
	for _, r := range s.routes() {
		e.Handle(r.method, r.path, r.before.with(r.handler)...)
	}
}

// orDefault returns n, or def when n is not positive.
func orDefault(n, def int64) int64 {
	if n <= 0 {
		return def
	}
	return n
}
