package httpapi

import (
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

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
	return writeBMLT(c, "application/json; charset=utf-8", "", "", v)
}

// bmltJSONP serves GET /bmlt/client_interface/jsonp/?switcher=…&callback=NAME
// as the script /**/NAME(json); the callback must match jsonpCallback, and
// is "callback" when not given (as on BMLT servers).
func (s *Server) bmltJSONP(c *gin.Context) error {
	cb := cmp.Or(c.Query("callback"), "callback")
	if !jsonpCallback.MatchString(cb) {
		return &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.bmltJSONP", Message: "the JSONP callback is not valid",
			Fields: map[string]string{"callback": "must be a JavaScript name (letters, digits, _, $ and .; not starting with a digit)"}}
	}
	v, err := s.bmlt(c)
	if err != nil {
		return err
	}
	return writeBMLT(c, "text/javascript; charset=utf-8", "/**/"+cb+"(", ");", v)
}

// bmltSearchAnswer is the answer of GetSearchResults: the meetings, the
// formats they use, or both.
type bmltSearchAnswer struct {
	meetings *bmlt.Objects // nil: formats only
	formats  []bmlt.Format // nil: meetings only
}

// bmltChunk is how many bytes of a BMLT answer are gathered before they
// are written: an answer up to this size goes out whole with a
// Content-Length, a larger one (thousands of meetings) streams in pieces
// of about this size, so that no request holds its whole answer.
const bmltChunk = 64 << 10

// bmltGzipMeetings is the number of meetings from which a search answer
// is compressed, when the client accepts gzip: some hundred kilobytes.
const bmltGzipMeetings = 100

// writeBMLT writes v, a BMLT answer, between prefix and suffix (a JSONP
// callback), with status 200. A search's meetings are written object by
// object straight into the answer (bmlt.Objects), streamed and, when
// large and the client accepts it, compressed; anything else is
// marshalled whole.
func writeBMLT(c *gin.Context, contentType, prefix, suffix string, v any) error {
	c.Header("X-Content-Type-Options", "nosniff")
	if r, refused := v.(bmltRefusal); refused {
		// BMLT's abort(422, message), never wrapped in the callback.
		c.JSON(r.status, gin.H{"message": r.message})
		return nil
	}
	a, ok := v.(bmltSearchAnswer)
	if !ok {
		b, err := marshal(v)
		if err != nil {
			return err
		}
		c.Data(http.StatusOK, contentType, slices.Concat([]byte(prefix), b, []byte(suffix)))
		return nil
	}
	var formats []byte
	if a.formats != nil {
		var err error
		if formats, err = marshal(a.formats); err != nil {
			return err
		}
	}
	c.Header("Vary", "Accept-Encoding")
	w := &chunkWriter{c: c, contentType: contentType,
		gz: a.meetings != nil && a.meetings.Len() >= bmltGzipMeetings && acceptsGzip(c.Request.Header.Get("Accept-Encoding"))}
	w.buf = append(make([]byte, 0, bmltChunk+4096), prefix...)
	switch {
	case a.meetings == nil:
		w.buf = append(append(append(w.buf, `{"formats":`...), formats...), '}')
	case a.formats != nil:
		// {"formats":…,"meetings":…}: encoding/json's order of the keys.
		w.buf = append(append(append(w.buf, `{"formats":`...), formats...), `,"meetings":`...)
	}
	if a.meetings != nil {
		w.buf = append(w.buf, '[')
		var scratch []byte
		for i := range a.meetings.Len() {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.buf, scratch = a.meetings.AppendObject(w.buf, scratch, i)
			if len(w.buf) >= bmltChunk && !w.flush() {
				return nil
			}
		}
		w.buf = append(w.buf, ']')
		if a.formats != nil {
			w.buf = append(w.buf, '}')
		}
	}
	w.buf = append(w.buf, suffix...)
	w.finish()
	return nil
}

// chunkWriter writes an answer built in pieces: held whole while it fits
// in one chunk, streamed (chunked, and through gzip when gz) once it does
// not.
type chunkWriter struct {
	c           *gin.Context
	contentType string
	gz          bool
	buf         []byte
	out         io.Writer // nil until the answer streams
	zw          *gzip.Writer
	failed      bool
}

// flush streams what buf holds, starting the answer on first use. It
// reports false when the client has gone.
func (w *chunkWriter) flush() bool {
	if w.out == nil {
		w.c.Header("Content-Type", w.contentType)
		w.out = w.c.Writer
		if w.gz {
			w.c.Header("Content-Encoding", "gzip")
			w.zw = gzipWriters.Get().(*gzip.Writer)
			w.zw.Reset(w.c.Writer)
			w.out = w.zw
		}
		w.c.Status(http.StatusOK)
	}
	_, err := w.out.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.failed = true
		w.release()
		return false
	}
	return true
}

// finish writes the rest: the whole answer with a Content-Length when it
// never streamed, else the last piece and the end of the gzip stream.
func (w *chunkWriter) finish() {
	if w.out == nil {
		w.c.Data(http.StatusOK, w.contentType, w.buf)
		return
	}
	if w.flush() && w.zw != nil {
		_ = w.zw.Close()
	}
	w.release()
}

// release returns the gzip writer to its pool.
func (w *chunkWriter) release() {
	if w.zw != nil {
		w.zw.Reset(nil)
		gzipWriters.Put(w.zw)
		w.zw = nil
	}
}

// marshal encodes v without HTML escaping (BMLT clients show the text as is).
func marshal(v any) ([]byte, error) {
	if ms, ok := v.([]map[string]string); ok {
		// GetSearchResults' usual answer, up to thousands of meetings:
		// written by hand, the same bytes without reflection.
		return appendStringMaps(make([]byte, 0, 1024*len(ms)+2), ms), nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, meeting.Wrap(meeting.KindInternal, "httpapi.marshal", err)
	}
	return []byte(strings.TrimRight(b.String(), "\n")), nil
}

// bmltRoot returns this server's BMLT root URL (root_server_uri).
func (s *Server) bmltRoot(c *gin.Context) string { return s.baseURL(c.Request) + "/bmlt" }

// bmltSwitchers are the switchers this server answers, in the order its
// refusal of another names them.
var bmltSwitchers = []string{"GetSearchResults", "GetFormats", "GetServiceBodies", "GetFieldKeys", "GetServerInfo"}

// bmltRefusal is an answer BMLT servers give with Laravel's abort(status,
// message): the body {"message": message}, not the common error body, so
// that BMLT clients read it as they read BMLT's.
type bmltRefusal struct {
	status  int
	message string
}

// bmlt dispatches on the switcher parameter; another switcher is refused
// with 422, as BMLT servers refuse it.
func (s *Server) bmlt(c *gin.Context) (any, error) {
	q := c.Request.URL.Query()
	switch sw := q.Get("switcher"); sw {
	case "GetSearchResults":
		return s.bmltSearch(c)
	case "GetFormats":
		return s.bmltFormats(c)
	case "GetServiceBodies":
		return s.bmltServiceBodies(c)
	case "GetServerInfo":
		return bmlt.ServerInfo(), nil
	case "GetFieldKeys":
		return bmlt.FieldKeys, nil
	default:
		return bmltRefusal{status: http.StatusUnprocessableEntity,
			message: "Invalid data format or endpoint name. Valid endpoint names for the json and jsonp data formats are: " +
				strings.Join(bmltSwitchers, ", ") + "."}, nil
	}
}

// bmltFinder is the store GetSearchResults reads with Find: the FeedStore
// when it has Find (postgres.MeetingStore does), else Config.Store.
func (s *Server) bmltFinder() (interface {
	Find(context.Context, meeting.Filter) (meeting.Page, error)
}, error) {
	if f, ok := s.cfg.Feeds.(interface {
		Find(context.Context, meeting.Filter) (meeting.Page, error)
	}); ok {
		return f, nil
	}
	if s.cfg.Store != nil {
		return s.cfg.Store, nil
	}
	return nil, meeting.Errorf(meeting.KindUnavailable, "httpapi.bmltFinder", "no meeting store configured")
}

// bmltSearch answers GetSearchResults: a JSON array of meetings, or
// {"meetings":[…],"formats":[…]} with get_used_formats, or {"formats":[…]}
// with get_formats_only. Parameters are read as BMLT reads them
// (bmlt.ParseRequest): those it answers with an empty result give one
// here too; unknown or repeated sort_keys and data_field_key, and a
// page_size above bmlt.MaxPageSize, are a 400. The store is asked only for
// what the search can use: the constraints it applies exactly
// (bmlt.Search.Narrow, the services' sources, the point and radius), and
// no more meetings than decide the answer (bmlt.Runner).
func (s *Server) bmltSearch(c *gin.Context) (any, error) {
	search, ok, err := bmlt.ParseRequest(c.Request.URL.Query())
	if err != nil {
		return nil, err
	}
	shape := func(r bmlt.Result) any {
		switch {
		case search.FormatsOnly:
			return bmltSearchAnswer{formats: r.Formats}
		case search.UsedFormats:
			return bmltSearchAnswer{meetings: &r.Meetings, formats: r.Formats}
		}
		return bmltSearchAnswer{meetings: &r.Meetings}
	}
	empty := bmlt.Result{Formats: []bmlt.Format{}}
	if !ok {
		return shape(empty), nil
	}
	ctx := c.Request.Context()
	f, ok := search.Narrow(meeting.Filter{Now: s.now()})
	if !ok {
		return shape(empty), nil
	}
	// The service bodies (one query over every meeting when not cached)
	// are needed only to find the sources of the bodies asked for, and
	// the bodies below those left out with recursive=1.
	var bodies []bmlt.ServiceBody
	if search.Services != nil || (search.NotServices != nil && search.Recursive) {
		sb, err := s.bmltBodies(ctx)
		if err != nil {
			return nil, err
		}
		bodies = sb.bodies
		if search.Services != nil {
			if f.Sources = bmltSources(sb, search); len(f.Sources) == 0 {
				return shape(empty), nil
			}
		}
	}
	if search.Geo() {
		f.Point, f.HasPoint, f.RadiusKM = orb.Point{search.Lng, search.Lat}, true, bmlt.WholeEarthKM
		if r := search.RadiusKM(); r > 0 {
			// BMLT's 111.111 km per degree is a little short of the sphere
			// PostGIS uses; the margin keeps every meeting the search will
			// accept.
			f.RadiusKM = min(r*1.01+0.1, bmlt.WholeEarthKM)
		}
	}
	finder, err := s.bmltFinder()
	if err != nil {
		return nil, err
	}
	run := search.NewRunner(f, bodies, s.bmltRoot(c))
	for f, more := run.Next(); more; f, more = run.Next() {
		page, err := finder.Find(ctx, f)
		if err != nil {
			return nil, err
		}
		run.Add(page)
	}
	return shape(run.Result()), nil
}

// bmltSources returns the sources of the service bodies search asks for
// (with recursive=1 and their descendants): the store keeps those
// meetings, and the search then keeps those of the bodies asked for.
func bmltSources(sb *bmltAreas, search bmlt.Search) []string {
	selected := search.Services
	if search.Recursive {
		selected = bmlt.Descendants(sb.bodies, selected)
	}
	var out []string
	for _, a := range sb.areas {
		for i := 1; i <= len(a); i++ {
			if selected[bmlt.ServiceBodyID(a[0], a[1:i]...)] && !slices.Contains(out, a[0]) {
				out = append(out, a[0])
			}
		}
	}
	return out
}

// bmltServiceBodies answers GetServiceBodies: every service body, or those
// named by services[] (with recursive=1 their descendants, with parents=1
// their ancestors).
func (s *Server) bmltServiceBodies(c *gin.Context) (any, error) {
	sb, err := s.bmltBodies(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return bmlt.SelectServiceBodies(sb.bodies, c.Request.URL.Query()), nil
}

// bmltFormats answers GetFormats: the formats the public meetings use
// (all of them with show_all=1), in each language asked for, from the
// catalogue and the set of formats in use, both built once per data
// version.
func (s *Server) bmltFormats(c *gin.Context) (any, error) {
	fq := bmlt.ParseFormats(c.Request.URL.Query())
	out := []bmlt.Format{}
	if len(fq.Langs) == 0 {
		return out, nil
	}
	var used map[string]bool
	if !fq.ShowAll {
		var err error
		if used, err = s.bmltUsedFormats(c.Request.Context()); err != nil {
			return nil, err
		}
	}
	version, known := s.dataVersion()
	root := s.bmltRoot(c)
	for _, lang := range fq.Langs {
		out = append(out, fq.Select(s.bmltCache.catalog(version, known, lang), used, root)...)
	}
	return out, nil
}

// bmltUsedFormats returns the key_strings of the formats public meetings
// use (bmlt.FormatKeys of every meeting with a BMLT form), read with one
// pass over them once per data version (each time when the version is
// not known).
func (s *Server) bmltUsedFormats(ctx context.Context) (map[string]bool, error) {
	store, err := s.feeds()
	if err != nil {
		return nil, err
	}
	build := func(ctx context.Context) (map[string]bool, error) {
		used := map[string]bool{}
		err := store.Each(ctx, meeting.Filter{Now: s.now()}, func(r *meeting.Result) error {
			if !r.ByAppointment && r.Start.Valid() {
				for _, k := range bmlt.FormatKeys(&r.Meeting) {
					used[k] = true
				}
			}
			return nil
		})
		return used, err
	}
	version, known := s.dataVersion()
	if !known {
		return build(ctx)
	}
	return cachedBuild(ctx, &s.bmltCache, version, func(c *bmltCache) **bmltBuild[map[string]bool] { return &c.used }, build)
}

// dataVersion returns Config.DataVersion's answer; ok is false when there
// is none.
func (s *Server) dataVersion() (version string, ok bool) {
	if s.cfg.DataVersion == nil {
		return "", false
	}
	return s.cfg.DataVersion()
}

// bmltBodies returns the areas meetings are published for and the service
// bodies they make, built once per data version (each time when the
// version is not known).
func (s *Server) bmltBodies(ctx context.Context) (*bmltAreas, error) {
	store, err := s.feeds()
	if err != nil {
		return nil, err
	}
	build := func(ctx context.Context) (*bmltAreas, error) {
		areas, err := store.Areas(ctx)
		if err != nil {
			return nil, err
		}
		return &bmltAreas{areas: areas, bodies: bmlt.ServiceBodies(areas)}, nil
	}
	version, known := s.dataVersion()
	if !known {
		return build(ctx)
	}
	return s.bmltCache.bodies(ctx, version, build)
}

// bmltAreas are the places public meetings are published for
// (FeedStore.Areas) and the service bodies they make.
type bmltAreas struct {
	areas  [][]string
	bodies []bmlt.ServiceBody
}

// bmltCache keeps, for one data version, the BMLT answers that change only
// with the data: the areas and service bodies (one store query over every
// meeting), the formats in use (one pass over every meeting) and the
// format catalogues. The zero value is empty.
type bmltCache struct {
	mu      sync.Mutex
	version string
	areas   *bmltBuild[*bmltAreas]
	used    *bmltBuild[map[string]bool]
	formats map[string][]bmlt.Format // by language
}

// bmltBuild is one build of a cached value, which requests of the same
// version wait for rather than build again.
type bmltBuild[T any] struct {
	done chan struct{} // closed when val and err are set
	val  T
	err  error
}

// reset empties the cache when version is not the one it holds; c.mu is
// held.
func (c *bmltCache) reset(version string) {
	if c.version != version {
		c.version, c.areas, c.used, c.formats = version, nil, nil, nil
	}
}

// bodies returns the areas of version, built with build by the first
// request to ask; the others wait for it (see cachedBuild).
func (c *bmltCache) bodies(ctx context.Context, version string, build func(context.Context) (*bmltAreas, error)) (*bmltAreas, error) {
	return cachedBuild(ctx, c, version, func(c *bmltCache) **bmltBuild[*bmltAreas] { return &c.areas }, build)
}

// cachedBuild returns the value of version in the slot of c, built with
// build by the first request to ask; the others wait for it. A failed
// build is not kept: the next request (or a waiting one) builds again. It
// fails with KindUnavailable when ctx ends while waiting.
func cachedBuild[T any](ctx context.Context, c *bmltCache, version string, slot func(*bmltCache) **bmltBuild[T],
	build func(context.Context) (T, error)) (T, error) {
	for {
		c.mu.Lock()
		c.reset(version)
		p := slot(c)
		b := *p
		if b == nil {
			b = &bmltBuild[T]{done: make(chan struct{})}
			*p = b
			c.mu.Unlock()
			b.val, b.err = build(ctx)
			if b.err != nil {
				c.mu.Lock()
				if *slot(c) == b {
					*slot(c) = nil
				}
				c.mu.Unlock()
			}
			close(b.done)
			return b.val, b.err
		}
		c.mu.Unlock()
		select {
		case <-b.done:
		case <-ctx.Done():
			var zero T
			return zero, meeting.Wrap(meeting.KindUnavailable, "httpapi.bmltCache", ctx.Err())
		}
		if b.err == nil {
			return b.val, nil
		}
	}
}

// catalog returns the format catalogue in lang, kept for version when the
// version is known.
func (c *bmltCache) catalog(version string, known bool, lang string) []bmlt.Format {
	if !known {
		return bmlt.Catalog(lang)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset(version)
	if f, ok := c.formats[lang]; ok {
		return f
	}
	if c.formats == nil {
		c.formats = map[string][]bmlt.Format{}
	}
	c.formats[lang] = bmlt.Catalog(lang)
	return c.formats[lang]
}
