// Package ingest runs imports: one run fetches a source (an http(s) feed
// with timeouts, a size limit, gzip and ETag / If-Modified-Since, or a local
// file), parses it with the pure importers through their one dispatch
// (importers.Parse), decides each meeting's time zone, and hands the meetings to a meeting.ImportStore that applies them in one
// transaction keyed by (source, external id). The outcome is a
// meeting.ImportReport: counts of
// inserted, updated, restored, unchanged, removed, rejected and flagged
// meetings, and every problem with its record and reason.
//
// Points come first. Each point is checked against the stated country
// and, in the US, state (pointContradiction); one that contradicts them is
// dropped. A meeting held at a place with an address but no point is then
// placed, approximately, at the centre of its postal code, else of its
// city, from the run's own listings and then every source's
// (Importer.Places). One that is still without a point is geocoded from
// its address when a geocoder is configured (Importer.Geocoder: a cache,
// one request a second, a cap per run), approximately unless the
// geocoder found the door.
//
// A meeting's zone comes from the first of these rules that applies: the
// record's own zone; a zone its text names ("8pm Eastern", "EST/EDT",
// "UK time", "CET"; see zoneMentions); the source's default
// (Source.OnlineTimeZone for an online meeting when set, else
// Source.TimeZone); the zone at its point, only when the point is a place
// people go to (never an online meeting's, never an approximate one).
// When the text or the point disagrees with the zone chosen, the meeting
// is flagged with both; when no rule applies it keeps no zone and is
// flagged (a wrong clock is worse than none).
//
// Bad records never vanish: the importers reject or flag them with a
// reason, and the report carries each one. An input that is not the named
// format fails the run and changes nothing. A feed that comes back empty,
// or would remove more than half of a source's live meetings at once, is
// held back (nothing changes) unless the run is forced.
//
// The package also reads the sources file (ParseConfig) and re-imports
// configured sources on their schedule (Importer.Schedule). It does no SQL
// itself: the nouns of an import (meeting.Source, meeting.Format,
// meeting.ImportReport, meeting.ImportStore) live in the domain package,
// and internal/postgres implements the store. Nothing but cmd imports
// this package.
package ingest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/importers"
	"github.com/meetingfinder/meetingfinder/importers/bmlt"
	"github.com/meetingfinder/meetingfinder/importers/csv"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Options adjust one run.
type Options struct {
	// Force applies a feed the safety valve would hold back, and fetches
	// without the last run's validators.
	Force bool
}

// Importer runs imports against a Store. The zero value is not usable:
// Store is required; the other fields have defaults.
type Importer struct {
	Store meeting.ImportStore
	// Client fetches http(s) sources; nil means NewClient(DefaultTimeout),
	// which connects to public addresses only.
	Client *http.Client
	// LocalClient fetches the sources marked local; nil means
	// NewLocalClient(DefaultTimeout).
	LocalClient *http.Client
	// MaxSize limits the bytes read from a source; 0 means DefaultMaxSize.
	MaxSize int64
	// Zones infers a zone from a point; nil means the offline tzf finder.
	Zones ZoneFinder
	// Places gives the centres of the places of every source's listings,
	// where meetings with an address and no point are placed (after the
	// run's own listings); nil means the run's own only.
	Places meeting.CentreFinder
	// Geocoder, when set, places the meetings held at a place with an
	// address and no point that no centroid places (see
	// geocodeMeetings); nil means imports stay offline.
	Geocoder meeting.Geocoder
	// GeocodeCache keeps the geocoder's answers across runs, so that a
	// re-import asks again for nothing; nil asks every run.
	GeocodeCache meeting.GeocodeCache
	// GeocodeMax is how many addresses one run may send to the geocoder;
	// 0 means DefaultGeocodeMax, a negative number none (the cache still
	// answers).
	GeocodeMax int
	// GeocodeLimiter spaces the geocoder's requests; nil means one every
	// GeocodeInterval, across every Importer of the process that names
	// none.
	GeocodeLimiter Limiter
	// Logger gets one line per run (source, status, counts, duration),
	// never a record's content; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Locker, when set, makes Schedule run each source once across the
	// instances that share the Locker's database (see Schedule); nil means
	// this is the only instance.
	Locker Locker
}

// Run imports src once and returns its report, whatever the outcome: a
// failure is a report with Status failed and Error set (see
// Report.Failed). The run is recorded in the Store; a failure to record
// it is added to Report.Error without changing the status.
func (im *Importer) Run(ctx context.Context, src meeting.Source, opts Options) *meeting.ImportReport {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	log := im.logger()
	start := now()
	rep := &meeting.ImportReport{Source: src.Name, Format: src.Format, StartedAt: start.UTC(), Problems: []meeting.Problem{}}
	validators := im.run(ctx, src, opts, rep)
	rep.Duration = now().Sub(start)
	rep.DurationMS = rep.Duration.Milliseconds()
	rep.ProblemsTotal = len(rep.Problems)
	if src.Check() == nil {
		// Record with a context that outlives a cancelled run, so that
		// the run's failure is on file.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if err := im.Store.RecordRun(rctx, src, rep, validators); err != nil {
			msg := "recording the run failed: " + err.Error()
			if rep.Error != "" {
				msg = rep.Error + "; " + msg
			}
			rep.Error = msg
		}
		cancel()
	}
	attrs := []slog.Attr{slog.String("source", src.Name), slog.String("format", string(src.Format)),
		slog.String("status", string(rep.Status)), slog.Duration("duration", rep.Duration),
		slog.Int("parsed", rep.Parsed), slog.Int("inserted", rep.Inserted), slog.Int("updated", rep.Updated),
		slog.Int("restored", rep.Restored), slog.Int("unchanged", rep.Unchanged), slog.Int("removed", rep.Removed),
		slog.Int("rejected", rep.Rejected), slog.Int("flagged", rep.Flagged)}
	level := slog.LevelInfo
	if rep.Failed() {
		level = slog.LevelWarn
		// Error texts come from our own code and never quote a record.
		attrs = append(attrs, slog.String("error", rep.Error), slog.String("held_back", rep.HeldBack))
	}
	log.LogAttrs(ctx, level, "import", attrs...)
	return rep
}

// run does the work of Run and returns the validators to save (nil to
// keep the old ones).
func (im *Importer) run(ctx context.Context, src meeting.Source, opts Options, rep *meeting.ImportReport) *meeting.CacheValidators {
	fail := func(err error) *meeting.CacheValidators {
		rep.Status = meeting.ImportFailed
		rep.Error = err.Error()
		rep.PublicError = PublicReason(src.Format, err)
		return nil
	}
	if err := src.Check(); err != nil {
		return fail(err)
	}
	var prev meeting.CacheValidators
	if !opts.Force {
		v, err := im.Store.Validators(ctx, src)
		if err != nil {
			return fail(err)
		}
		prev = v
	}
	ms, probs, fetched, err := im.read(ctx, src, prev)
	if err != nil {
		return fail(err)
	}
	if fetched.NotModified {
		rep.Status = meeting.ImportNotModified
		return nil
	}
	ms, dup := dedupe(ms, src.Name)
	probs = append(probs, dup...)
	res, err := im.resolve(ctx, src, ms, im.GeocodeMax)
	if err != nil {
		return fail(err)
	}
	rep.Zones, rep.Points = res.Zones, res.Points
	probs = append(probs, res.Problems...)
	rep.Problems = probs
	for _, p := range probs {
		if p.Severity == meeting.Rejected {
			rep.Rejected++
		} else {
			rep.Flagged++
		}
	}
	rep.Parsed = len(ms)
	out, err := im.Store.Apply(ctx, src.Name, ms, opts.Force)
	if err != nil {
		return fail(err)
	}
	rep.Inserted, rep.Updated, rep.Restored, rep.Unchanged, rep.Removed = out.Inserted, out.Updated, out.Restored, out.Unchanged, out.Removed
	for _, id := range out.Conflicts {
		rep.Rejected++
		rep.Problems = append(rep.Problems, meeting.Problem{ExternalID: id, Severity: meeting.Rejected, Field: "external_id",
			Reason: "a meeting managed by an organization already has this source and id; left as it is"})
	}
	if out.HeldBack != "" {
		rep.Status = meeting.ImportHeldBack
		rep.HeldBack = out.HeldBack
		return nil
	}
	rep.Status = meeting.ImportOK
	return &fetched.Validators
}

// resolve gives ms their points, then their zones, by the rules of a run
// (see the package comment), sending at most geocodeMax addresses to the
// geocoder (as Importer.GeocodeMax).
func (im *Importer) resolve(ctx context.Context, src meeting.Source, ms []meeting.Meeting, geocodeMax int) (meeting.Resolution, error) {
	var res meeting.Resolution
	zones := newCachedZones(im.zones())
	pprobs, contradicted := checkPoints(ms, zones)
	res.Problems = append(res.Problems, pprobs...)
	cprobs, centred, err := placeAtCentroids(ctx, ms, im.Places, zones)
	if err != nil {
		return res, err
	}
	res.Problems = append(res.Problems, cprobs...)
	geo, err := im.geocodeMeetings(ctx, ms, zones, geocodeMax, im.logger())
	if err != nil {
		return res, err
	}
	res.Problems = append(res.Problems, geo.probs...)
	zprobs, zcounts := fillZones(ms, src, zones, im.clock())
	res.Problems = append(res.Problems, zprobs...)
	res.Zones = zcounts
	res.Points = meeting.PointCounts{Contradicted: contradicted, Centroid: centred, Geocoded: geo.geocoded, GeocodePending: geo.pending}
	for i := range ms {
		if !ms[i].Location.HasPoint {
			res.Points.None++
		}
	}
	return res, nil
}

// UploadGeocodeMax is how many addresses one Resolve (an organization's
// upload, answered while its request waits) may send to the geocoder: at
// one a second, about ten seconds at most. The geocoder's cache answers
// for the rest; addresses neither answers are counted as pending.
const UploadGeocodeMax = 10

var _ meeting.Resolver = (*Importer)(nil)

// Warm builds the offline zone finder now, when im uses it (Zones nil):
// building it takes a moment and some memory, which otherwise the first
// run or Resolve pays on its first lookup (tests with tight time limits
// call it first).
func (im *Importer) Warm() {
	if im.Zones == nil {
		defaultZones.Zone(0, 0)
	}
}

// Resolve implements meeting.Resolver with the rules of Run, for meetings
// that come by another way than an import of src (an organization's
// upload; src names its defaults): points checked against the address,
// centroids, the geocoder when configured (at most UploadGeocodeMax new
// requests, and never more than GeocodeMax), then zones. It does not need
// Store. Errors are those of the CentreFinder and the geocode cache.
func (im *Importer) Resolve(ctx context.Context, src meeting.Source, ms []meeting.Meeting) (meeting.Resolution, error) {
	max := UploadGeocodeMax
	if im.GeocodeMax < 0 || im.GeocodeMax > 0 && im.GeocodeMax < max {
		max = im.GeocodeMax
	}
	return im.resolve(ctx, src, ms, max)
}

// client returns the HTTP client for src: LocalClient for a source marked
// local, else Client.
func (im *Importer) client(src meeting.Source) *http.Client {
	if !src.Local {
		if im.Client == nil {
			return defaultClient
		}
		return im.Client
	}
	if im.LocalClient == nil {
		return defaultLocalClient
	}
	return im.LocalClient
}

// The clients of an Importer that names none; one each, so that their
// connections are reused across runs.
var (
	defaultClient      = NewClient(DefaultTimeout)
	defaultLocalClient = NewLocalClient(DefaultTimeout)
)

// logger returns im.Logger, or slog.Default() when it is nil.
func (im *Importer) logger() *slog.Logger {
	if im.Logger == nil {
		return slog.Default()
	}
	return im.Logger
}

// clock returns the current time by im.Now.
func (im *Importer) clock() time.Time {
	if im.Now != nil {
		return im.Now()
	}
	return time.Now()
}

func (im *Importer) zones() ZoneFinder {
	if im.Zones != nil {
		return im.Zones
	}
	return defaultZones
}

// read fetches and parses src.
func (im *Importer) read(ctx context.Context, src meeting.Source, prev meeting.CacheValidators) ([]meeting.Meeting, []meeting.Problem, Fetched, error) {
	iopts := meeting.ImportOptions{Source: src.Name, Program: src.Program}
	if src.Format == meeting.FormatBMLT && meeting.IsURL(src.Location) && !strings.Contains(strings.ToLower(src.Location), "switcher=") {
		return im.readBMLTServer(ctx, src, prev)
	}
	f, err := Fetch(ctx, im.client(src), src.Location, prev, im.MaxSize)
	if err != nil || f.NotModified {
		return nil, nil, f, err
	}
	opts := importers.Options{ImportOptions: iopts}
	if src.Mapping != "" {
		mp, err := readMapping(src.Mapping)
		if err != nil {
			return nil, nil, f, err
		}
		opts.Mapping = mp
	}
	ms, probs, err := importers.Parse(bytes.NewReader(f.Body), src.Format, opts)
	if err != nil {
		return nil, nil, f, err
	}
	return ms, probs, f, nil
}

// readMapping reads a spreadsheet mapping file.
func readMapping(path string) (*csv.Mapping, error) {
	mf, err := os.Open(path)
	if err != nil {
		return nil, public(&meeting.Error{Kind: meeting.KindInvalid, Op: "ingest.Run", Message: "cannot read the mapping file", Err: err}, "the mapping file could not be read")
	}
	defer mf.Close()
	return csv.ParseMapping(mf)
}

// readBMLTServer imports a live BMLT root server: GetSearchResults first
// (conditional on the last run's validators, so an unchanged server costs
// one request), then the catalog the parser needs (GetServerInfo,
// GetServiceBodies, GetFormats).
func (im *Importer) readBMLTServer(ctx context.Context, src meeting.Source, prev meeting.CacheValidators) ([]meeting.Meeting, []meeting.Problem, Fetched, error) {
	const op = "ingest.Run"
	urls, err := bmlt.SearchURLs(src.Location)
	if err != nil {
		return nil, nil, Fetched{}, err
	}
	search, err := Fetch(ctx, im.client(src), urls.SearchResults, prev, im.MaxSize)
	if err != nil || search.NotModified {
		return nil, nil, search, wrapStep(op, "GetSearchResults", err)
	}
	var cat bmlt.Catalog
	info, err := Fetch(ctx, im.client(src), urls.ServerInfo, meeting.CacheValidators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServerInfo", err)
	}
	si, err := bmlt.ParseServerInfo(bytes.NewReader(info.Body))
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServerInfo", err)
	}
	cat.DefaultPoint = si.DefaultPoint
	bodies, err := Fetch(ctx, im.client(src), urls.ServiceBodies, meeting.CacheValidators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServiceBodies", err)
	}
	if cat.ServiceBodies, err = bmlt.ParseServiceBodies(bytes.NewReader(bodies.Body)); err != nil {
		return nil, nil, search, wrapStep(op, "GetServiceBodies", err)
	}
	formats, err := Fetch(ctx, im.client(src), urls.Formats, meeting.CacheValidators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetFormats", err)
	}
	if cat.Formats, err = bmlt.ParseFormats(bytes.NewReader(formats.Body)); err != nil {
		return nil, nil, search, wrapStep(op, "GetFormats", err)
	}
	ms, probs, err := importers.Parse(bytes.NewReader(search.Body), meeting.FormatBMLT,
		importers.Options{ImportOptions: meeting.ImportOptions{Source: src.Name, Program: src.Program}, Catalog: cat})
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetSearchResults", err)
	}
	return ms, probs, search, nil
}

// wrapStep names the BMLT request that failed, keeping err's kind.
func wrapStep(op, step string, err error) error {
	if err == nil {
		return nil
	}
	return &meeting.Error{Kind: meeting.ErrorKind(err), Op: op, Message: step, Err: err}
}

// dedupe stamps every meeting with source and drops later meetings that
// repeat an external id (the importers already reject those; this guards
// the store's unique key), returning a Rejected problem for each.
func dedupe(ms []meeting.Meeting, source string) ([]meeting.Meeting, []meeting.Problem) {
	seen := make(map[string]struct{}, len(ms))
	var probs []meeting.Problem
	out := ms[:0]
	for _, m := range ms {
		m.Source = source
		if _, dup := seen[m.ExternalID]; dup || m.ExternalID == "" {
			probs = append(probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Rejected, Field: "external_id",
				Reason: "missing or repeated id; only the first meeting with an id is kept"})
			continue
		}
		seen[m.ExternalID] = struct{}{}
		out = append(out, m)
	}
	return out, probs
}
