// Package httpapi serves meetingfinder's HTTP API with Gin: request parsing
// and validation, the JSON response types (kept apart from the domain
// types), the one table that maps error kinds to statuses, health and
// readiness checks, and request logging that records no query strings,
// keys or contact details.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Checker reports whether a dependency is ready; a nil error means ready.
type Checker func(ctx context.Context) error

// Config wires a Server.
type Config struct {
	// Store answers meeting queries.
	Store meeting.Store
	// Ready checks the database (reachable, schema current) for /readyz.
	Ready Checker
	// Logger receives request logs; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// QueryTimeout bounds each request's work; 0 means 5 seconds.
	QueryTimeout time.Duration
	// UploadTimeout bounds the work of a bulk upload (parsing, the import
	// rules with their geocoder requests, writing up to MaxUploadMeetings
	// listings); 0 means DefaultUploadTimeout.
	UploadTimeout time.Duration
	// FeedTimeout bounds the work of the whole-feed routes (the Meeting
	// Guide feed, /v1/meetings.geojson and /v1/meetings.ics), which read
	// and stream every meeting; 0 means DefaultFeedTimeout.
	FeedTimeout time.Duration
	// MaxFeeds bounds the whole feeds sent at once: a request beyond it
	// waits a second for a slot, then answers 503 with Retry-After. 0
	// means DefaultMaxFeeds, a negative number no bound.
	MaxFeeds int
	// Places answers GET /v1/places; nil makes it answer 503.
	Places meeting.PlaceFinder
	// Geocoder, when set, is asked by GET /v1/places for the places the
	// listings do not name (a street, a landmark).
	Geocoder meeting.PlaceFinder
	// Search reports the health of the external search index for /readyz:
	// an error shows search as "degraded" (text queries then run on
	// PostgreSQL, so the instance stays ready). Nil means there is none.
	Search Checker
	// Feeds reads whole results for the feeds and compatible endpoints;
	// nil means Store, when it implements FeedStore.
	Feeds FeedStore

	// Orgs checks API keys for the /v1/org and /v1/admin routes; nil
	// makes them answer 503.
	Orgs meeting.OrgStore
	// Listings keeps organizations' listings and their audit log.
	Listings meeting.ListingStore
	// Resolver gives uploaded listings their points and zones by the
	// rules imports follow (internal/ingest); nil means a record keeps the
	// point it gives and takes its own zone or the upload's timezone.
	Resolver meeting.Resolver
	// ChangeRequests keeps public change requests.
	ChangeRequests meeting.ChangeRequestStore
	// KeyRate limits each API key, AddrRate each client address on the
	// routes that need a key, ChangeRequestRate each address filing change
	// requests; zero values mean DefaultKeyRate, DefaultAddrRate and
	// DefaultChangeRequestRate.
	KeyRate, AddrRate, ChangeRequestRate Rate
	// MaxBodyBytes caps JSON request bodies (0: DefaultMaxBodyBytes);
	// MaxUploadBytes caps bulk uploads (0: DefaultMaxUploadBytes).
	MaxBodyBytes, MaxUploadBytes int64
	// PublicRate limits each client address on the public routes (every
	// route but the health checks and the keyed ones); the zero Rate
	// means DefaultPublicRate, NoLimit (a negative PerMinute) none.
	PublicRate Rate
	// TrustedProxies lists the proxies (addresses or CIDR prefixes) whose
	// X-Forwarded-For is believed when telling client addresses apart for
	// rate limits, and whose X-Forwarded-Proto is believed for the links
	// in answers; none by default.
	TrustedProxies []string
	// Sources lists import sources and their last runs for GET /v1/sources;
	// nil makes the list empty.
	Sources SourceLister
	// DataVersion reports the version of the public data, which changes
	// with every write the public can see, and whether it is known. Whole
	// feeds take their ETag from it, and answers cached per version (BMLT
	// service bodies and formats) are rebuilt when it changes. Nil, or a
	// version not known, means no such ETag and no caching.
	DataVersion func() (string, bool)
	// ReadModel reports the in-memory read model for /readyz; nil means
	// there is none (reads go to Store).
	ReadModel func() ReadModelStatus
	// TextSearch reports, for /readyz, which text index answers text
	// queries; nil leaves it out.
	TextSearch func() TextSearchStatus
	// StaleAfter is how long the read model may go without reading the
	// change log before /readyz calls it degraded; 0 means 10 seconds.
	StaleAfter time.Duration
	// ReplicaLag, when set, says how far the standby that answers public
	// reads (DATABASE_READ_URL) is behind its primary, for /readyz; an
	// error means the standby cannot be reached. Nil means reads go to
	// the database that Ready checks.
	ReplicaLag func(ctx context.Context) (time.Duration, error)
	// MaxReplicaLag is the lag above which /readyz calls the replica
	// degraded; 0 means DefaultMaxReplicaLag.
	MaxReplicaLag time.Duration
}

// ErrReadsFromPrimary is what Config.ReplicaLag returns when the standby
// is unreachable and public reads have fallen back to the primary (a read
// URL with target_session_attrs=prefer-standby): /readyz says "fallback"
// for the replica, and "degraded" overall, while reads go on, fresh.
var ErrReadsFromPrimary = errors.New("the standby is unreachable: public reads come from the primary")

// DefaultMaxReplicaLag is Config.MaxReplicaLag's default.
const DefaultMaxReplicaLag = 30 * time.Second

// ReadModelStatus is the state of the in-memory read model.
type ReadModelStatus struct {
	// Ready is true once the model is loaded: it answers the public reads.
	// Until then they go to the database.
	Ready bool
	// Meetings is how many public meetings it holds.
	Meetings int
	// Lag is how long ago it last read the change log successfully.
	Lag time.Duration
}

// The text indexes TextSearchStatus names.
const (
	TextIndexMemory      = "memory"      // memindex, fed by the read model
	TextIndexPostgres    = "postgres"    // PostgreSQL's embedded index
	TextIndexMeilisearch = "meilisearch" // Meilisearch at MEILI_URL
)

// TextSearchStatus is the state of the text index that answers text
// queries.
type TextSearchStatus struct {
	// Index is the configured index: TextIndexMemory, TextIndexPostgres or
	// TextIndexMeilisearch.
	Index string
	// Ready is false while the index cannot answer (the in-memory index
	// is being built, Meilisearch is down): text queries then run on
	// PostgreSQL.
	Ready bool
	// Meetings is how many meetings the in-memory index holds (0 for the
	// others).
	Meetings int
}

// TextSearchJSON is the text index's part of /readyz: the configured
// index, its state ("ok", "loading" while the in-memory index is built,
// "degraded" while Meilisearch is down), what answers text queries now
// ("memory", "meilisearch" or "database") and, for the in-memory index,
// how many meetings it holds.
type TextSearchJSON struct {
	Index       string `json:"index"`
	State       string `json:"state"`
	AnswersFrom string `json:"answers_from"`
	Meetings    int    `json:"meetings,omitempty"`
}

// textSearchJSON reads the text index's state.
func (s *Server) textSearchJSON() TextSearchJSON {
	st := s.cfg.TextSearch()
	j := TextSearchJSON{Index: st.Index, State: "ok", AnswersFrom: "database", Meetings: st.Meetings}
	switch {
	case st.Index == TextIndexPostgres:
	case st.Ready && st.Index == TextIndexMemory:
		j.AnswersFrom = "memory"
	case st.Ready:
		j.AnswersFrom = st.Index
	case st.Index == TextIndexMemory:
		j.State = "loading"
	default:
		j.State = "degraded"
	}
	return j
}

// ReadModelJSON is the read model's part of /readyz: state "ok",
// "loading" (reads are answered by the database meanwhile) or "degraded"
// (it has not read the change log for StaleAfter: what it answers may be
// stale), where answers come from, how many meetings it holds and how
// many seconds ago it last read the change log.
type ReadModelJSON struct {
	State       string  `json:"state"`
	AnswersFrom string  `json:"answers_from"`
	Meetings    int     `json:"meetings"`
	LagSeconds  float64 `json:"lag_seconds"`
}

// DefaultUploadTimeout is UploadTimeout's default: room for the import
// rules' few geocoder requests (one a second) besides the writes.
const DefaultUploadTimeout = 30 * time.Second

// DefaultFeedTimeout is FeedTimeout's default: a feed of a million
// meetings takes some seconds to stream, more to a slow client.
const DefaultFeedTimeout = 50 * time.Second

// Server is the HTTP API.
type Server struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	engine *gin.Engine
	// trusted is Config.TrustedProxies, parsed.
	trusted []netip.Prefix
	// feedSlots bounds the whole feeds sent at once (Config.MaxFeeds).
	feedSlots feedSlots
	// bmltCache keeps the BMLT service bodies and formats per data version.
	bmltCache bmltCache
}

// New returns a Server with every route of the table (routes.go)
// registered.
func New(cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, log: cfg.Logger, now: cfg.Now, feedSlots: newFeedSlots(cfg.MaxFeeds)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.QueryTimeout == 0 {
		s.cfg.QueryTimeout = 5 * time.Second
	}
	if s.cfg.UploadTimeout == 0 {
		s.cfg.UploadTimeout = DefaultUploadTimeout
	}
	if s.cfg.FeedTimeout == 0 {
		s.cfg.FeedTimeout = DefaultFeedTimeout
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// "/bmlt//client_interface/json/" is what a BMLT client builds from a
	// root server configured with a trailing slash; BMLT servers answer
	// it, so repeated slashes route as one.
	e.RemoveExtraSlash = true
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		s.log.Warn("ignoring TrustedProxies", slog.String("error", err.Error()))
		_ = e.SetTrustedProxies(nil)
	} else {
		s.trusted = parseTrusted(cfg.TrustedProxies)
	}
	e.Use(s.recoverer(), s.logRequests(), s.securityHeaders(), s.timeout(), s.cors())
	e.NoRoute(s.handle(func(c *gin.Context) error {
		return meeting.Errorf(meeting.KindNotFound, "httpapi", "no route %s %s", c.Request.Method, c.Request.URL.Path)
	}))
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method " + c.Request.Method + " is not allowed here"}})
	})
	s.register(e)
	s.engine = e
	return s
}

// Engine returns the gin engine, for adding routes and for tests.
func (s *Server) Engine() *gin.Engine { return s.engine }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// healthz says the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz checks the database (reachable, schema current), the replica
// that answers public reads when there is one, the search index and the
// read model. It answers 503 "unavailable" when public reads cannot be
// answered: the database that serves them (the replica, when configured)
// is down and no read model holds the meetings. With the primary down but
// reads answered, or the model stale, or the replica lagging beyond
// MaxReplicaLag, it answers 200 "degraded": reads go on (writes fail while
// the primary is down).
func (s *Server) readyz(c *gin.Context) error {
	checks := gin.H{}
	body := gin.H{"checks": checks}
	dbUp := true
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Warn("not ready", slog.String("error", err.Error()))
			checks["database"] = "unavailable"
			dbUp = false
		} else {
			checks["database"] = "ok"
		}
	}
	readsUp, replicaOK := dbUp, true
	if s.cfg.ReplicaLag != nil {
		state := s.replicaCheck(c.Request.Context(), body)
		checks["replica"] = state
		readsUp, replicaOK = state != "unavailable", state == "ok"
	}
	if s.cfg.Search != nil {
		checks["search"] = s.searchCheck(c.Request.Context())
	}
	if s.cfg.TextSearch != nil {
		body["text_search"] = s.textSearchJSON()
	}
	modelUp, modelFresh := false, true
	if s.cfg.ReadModel != nil {
		rm := s.readModelJSON()
		modelUp, modelFresh = rm.State != "loading", rm.State != "degraded"
		checks["read_model"] = rm.State
		body["read_model"] = rm
	}
	status, word := http.StatusOK, "ok"
	switch {
	case !readsUp && !modelUp:
		status, word = http.StatusServiceUnavailable, "unavailable"
	case !dbUp || !readsUp || !modelFresh || !replicaOK:
		word = "degraded"
	}
	body["status"] = word
	c.JSON(status, body)
	return nil
}

// replicaCheck measures the replica's lag, sets body's
// replica_lag_seconds when it answers, and returns the replica's state:
// "ok", "degraded" (behind by more than MaxReplicaLag) or "unavailable".
func (s *Server) replicaCheck(ctx context.Context, body gin.H) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	lag, err := s.cfg.ReplicaLag(ctx)
	if errors.Is(err, ErrReadsFromPrimary) {
		return "fallback"
	}
	if err != nil {
		s.log.Warn("replica not ready", slog.String("error", err.Error()))
		return "unavailable"
	}
	body["replica_lag_seconds"] = math.Round(lag.Seconds()*10) / 10
	limit := s.cfg.MaxReplicaLag
	if limit <= 0 {
		limit = DefaultMaxReplicaLag
	}
	if lag > limit {
		return "degraded"
	}
	return "ok"
}

// readModelJSON reads the read model's state.
func (s *Server) readModelJSON() ReadModelJSON {
	st := s.cfg.ReadModel()
	stale := s.cfg.StaleAfter
	if stale <= 0 {
		stale = 10 * time.Second
	}
	j := ReadModelJSON{State: "ok", AnswersFrom: "memory", Meetings: st.Meetings, LagSeconds: math.Round(st.Lag.Seconds()*10) / 10}
	switch {
	case !st.Ready:
		j.State, j.AnswersFrom, j.LagSeconds = "loading", "database", 0
	case st.Lag > stale:
		j.State = "degraded"
	}
	return j
}

// recoverer turns a panic into a logged internal error. It lets
// http.ErrAbortHandler through: a feed that fails after its first byte
// raises it so that net/http cuts the connection (see Server.fail).
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", slog.Any("panic", r), slog.String("route", c.FullPath()))
				s.writeError(c, meeting.Errorf(meeting.KindInternal, "httpapi", "panic"))
			}
		}()
		c.Next()
	}
}

// logRequests logs method, route pattern, status and duration. It never
// logs query strings (they carry where a person is), headers or bodies.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Duration("duration", time.Since(start)))
	}
}

// timeout bounds the work of each request, so a slow or dead database turns
// into a 503 instead of a hang: QueryTimeout, FeedTimeout on the
// whole-feed routes (wholeFeeds), UploadTimeout on bulk uploads.
func (s *Server) timeout() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := s.cfg.QueryTimeout
		switch path := c.FullPath(); {
		case wholeFeeds[path]:
			d = s.cfg.FeedTimeout
		case path == uploadRoute:
			d = max(d, s.cfg.UploadTimeout)
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// embeddable are the routes other sites may show in a frame: the public
// meeting data and the feeds and BMLT routes their clients read.
var embeddable = map[string]bool{
	"/v1/meetings":                  true,
	"/v1/meetings/:id":              true,
	"/v1/meetings.ics":              true,
	"/v1/meetings.geojson":          true,
	"/feeds/meeting-guide.json":     true,
	"/bmlt/client_interface/json/":  true,
	"/bmlt/client_interface/jsonp/": true,
}

// securityHeaders sets on every answer X-Content-Type-Options: nosniff
// (a JSON body is never run as a script or page) and Referrer-Policy:
// no-referrer (links followed from an answer do not tell where a person
// looked). Routes that are not embeddable (keys, moderation, health,
// sources, place search, unknown paths) also forbid framing, with CSP
// frame-ancestors and X-Frame-Options; the finder page (internal/web)
// sets a whole policy of its own.
func (s *Server) securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if !embeddable[c.FullPath()] {
			h.Set("Content-Security-Policy", "frame-ancestors 'none'")
			h.Set("X-Frame-Options", "DENY")
		}
		c.Next()
	}
}
