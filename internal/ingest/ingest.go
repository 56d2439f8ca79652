// Package ingest runs imports: one run fetches a source (an http(s) feed
// with timeouts, a size limit, gzip and ETag / If-Modified-Since, or a local
// file), parses it with the pure importers (importers/meetingguide,
// importers/csv, importers/bmlt), fills in missing time zones (the
// source's default, else the zone at the meeting's point, else flagged),
// and hands the meetings to a Store that applies them in one transaction
// keyed by (source, external id). The outcome is a Report: counts of
// inserted, updated, restored, unchanged, removed, rejected and flagged
// meetings, and every problem with its record and reason.
//
// Bad records never vanish: the importers reject or flag them with a
// reason, and the report carries each one. An input that is not the named
// format fails the run and changes nothing. A feed that comes back empty,
// or would remove more than half of a source's live meetings at once, is
// held back (nothing changes) unless the run is forced.
//
// The package also reads the sources file (ParseConfig) and re-imports
// configured sources on their schedule (Importer.Schedule). It does no SQL
// itself: the Store interface is implemented by internal/postgres.
package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/importers/bmlt"
	mfcsv "github.com/meetingfinder/meetingfinder/importers/csv"
	"github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Status is the outcome of one import run.
type Status string

// The outcomes of a run.
const (
	// StatusOK: the feed was applied.
	StatusOK Status = "ok"
	// StatusFailed: nothing changed; Report.Error says why.
	StatusFailed Status = "failed"
	// StatusHeldBack: the safety valve refused to apply the feed (empty,
	// or losing more than half its meetings); nothing changed;
	// Report.HeldBack says why. Force applies it.
	StatusHeldBack Status = "held_back"
	// StatusNotModified: the server answered 304 to the last run's
	// validators; nothing to do.
	StatusNotModified Status = "not_modified"
)

// Outcome is what Store.Apply did. Restored counts meetings removed by an
// earlier run that came back; Unchanged those whose content was the same.
// HeldBack is non-empty, and nothing was written, when the safety valve
// refused the change. Conflicts lists external ids that belong to meetings
// managed by an organization under the same source name; they are not
// touched.
type Outcome struct {
	Inserted, Updated, Restored, Unchanged, Removed int
	HeldBack                                        string
	Conflicts                                       []string
}

// Store applies imports and keeps the record of sources and runs.
// internal/postgres implements it. Errors are *meeting.Error.
type Store interface {
	// Validators returns the cache validators saved by the source's last
	// applied run; zero when there are none or when src's settings differ
	// from those of that run (a new location, program or zone must be
	// fetched and applied again).
	Validators(ctx context.Context, src Source) (Validators, error)
	// Apply makes ms (all of one source, external ids unique) the source's
	// imported meetings in one transaction: new ones inserted, changed ones
	// updated, removed ones from earlier runs restored, and live ones
	// missing from ms removed recoverably. Unless force is set it writes
	// nothing and sets Outcome.HeldBack when ms is empty while the source
	// has live meetings, or when more than half of them would be removed.
	Apply(ctx context.Context, source string, ms []meeting.Meeting, force bool) (Outcome, error)
	// RecordRun saves the source's settings and the run's report; when v is
	// not nil it also saves v as the validators for the next fetch.
	RecordRun(ctx context.Context, src Source, rep *Report, v *Validators) error
	// Sources returns every registered source with its last run.
	Sources(ctx context.Context) ([]SourceStatus, error)
	// RegisterSources saves the settings of srcs (adding new ones).
	RegisterSources(ctx context.Context, srcs []Source) error
}

// SourceStatus is a registered source and the report of its last run (nil
// when it never ran). LastRun.Problems may be cut short; ProblemsTotal
// counts them all.
type SourceStatus struct {
	Source  Source
	LastRun *Report
}

// Report is the outcome of one import run.
type Report struct {
	Source    string    `json:"source"`
	Format    Format    `json:"format"`
	Status    Status    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	// Duration is how long the run took.
	Duration time.Duration `json:"-"`
	// DurationMS is Duration in milliseconds, for JSON.
	DurationMS int64 `json:"duration_ms"`
	// Parsed counts the meetings the importer produced (one per day of a
	// multi-day listing), after rejections.
	Parsed    int `json:"parsed"`
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Restored  int `json:"restored"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	// Rejected and Flagged count the problems of each severity.
	Rejected int    `json:"rejected"`
	Flagged  int    `json:"flagged"`
	HeldBack string `json:"held_back,omitempty"`
	Error    string `json:"error,omitempty"`
	// Problems lists every rejected and flagged record (a stored report
	// may keep only the first ones); ProblemsTotal counts them all.
	Problems      []meeting.Problem `json:"problems"`
	ProblemsTotal int               `json:"problems_total"`
}

// Failed reports whether the run did not apply the feed: it failed or was
// held back. A not-modified run did not fail.
func (r *Report) Failed() bool { return r.Status == StatusFailed || r.Status == StatusHeldBack }

// WriteText writes the report for people: a summary line, the counts, then
// each problem ("record N (id) rejected: field: reason" and the record
// excerpt).
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "import %s (%s): %s in %s\n", r.Source, r.Format, r.Status, r.Duration.Round(time.Millisecond))
	if r.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", r.Error)
	}
	if r.HeldBack != "" {
		fmt.Fprintf(&b, "  held back: %s\n  nothing was changed; re-run with --force to apply it anyway\n", r.HeldBack)
	}
	if r.Status != StatusNotModified && r.Status != StatusFailed {
		fmt.Fprintf(&b, "  parsed %d, inserted %d, updated %d, restored %d, unchanged %d, removed %d, rejected %d, flagged %d\n",
			r.Parsed, r.Inserted, r.Updated, r.Restored, r.Unchanged, r.Removed, r.Rejected, r.Flagged)
	} else if r.Status == StatusNotModified {
		fmt.Fprintf(&b, "  the source is unchanged since the last import: nothing to do\n")
	}
	for _, p := range r.Problems {
		if p.Record == 0 && p.ExternalID != "" {
			fmt.Fprintf(&b, "  meeting %s %s: %s: %s\n", p.ExternalID, p.Severity, p.Field, p.Reason)
		} else {
			fmt.Fprintf(&b, "  %s\n", p)
		}
		if p.Raw != "" {
			fmt.Fprintf(&b, "      %s\n", p.Raw)
		}
	}
	if len(r.Problems) < r.ProblemsTotal {
		fmt.Fprintf(&b, "  … and %d more problems\n", r.ProblemsTotal-len(r.Problems))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Options adjust one run.
type Options struct {
	// Force applies a feed the safety valve would hold back, and fetches
	// without the last run's validators.
	Force bool
}

// Importer runs imports against a Store. The zero value is not usable:
// Store is required; the other fields have defaults.
type Importer struct {
	Store Store
	// Client fetches http(s) sources; nil means NewClient(DefaultTimeout).
	Client *http.Client
	// MaxSize limits the bytes read from a source; 0 means DefaultMaxSize.
	MaxSize int64
	// Zones infers a zone from a point; nil means the offline tzf finder.
	Zones ZoneFinder
	// Logger gets one line per run (source, status, counts, duration),
	// never a record's content; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Run imports src once and returns its report, whatever the outcome: a
// failure is a report with Status failed and Error set (see
// Report.Failed). The run is recorded in the Store; a failure to record
// it is added to Report.Error without changing the status.
func (im *Importer) Run(ctx context.Context, src Source, opts Options) *Report {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	log := im.Logger
	if log == nil {
		log = slog.Default()
	}
	start := now()
	rep := &Report{Source: src.Name, Format: src.Format, StartedAt: start.UTC(), Problems: []meeting.Problem{}}
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
func (im *Importer) run(ctx context.Context, src Source, opts Options, rep *Report) *Validators {
	fail := func(err error) *Validators {
		rep.Status = StatusFailed
		rep.Error = err.Error()
		return nil
	}
	if err := src.Check(); err != nil {
		return fail(err)
	}
	var prev Validators
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
		rep.Status = StatusNotModified
		return nil
	}
	ms, dup := dedupe(ms, src.Name)
	probs = append(probs, dup...)
	probs = append(probs, fillZones(ms, src.TimeZone, im.zones())...)
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
		rep.Status = StatusHeldBack
		rep.HeldBack = out.HeldBack
		return nil
	}
	rep.Status = StatusOK
	return &fetched.Validators
}

func (im *Importer) zones() ZoneFinder {
	if im.Zones != nil {
		return im.Zones
	}
	return defaultZones
}

// read fetches and parses src.
func (im *Importer) read(ctx context.Context, src Source, prev Validators) ([]meeting.Meeting, []meeting.Problem, Fetched, error) {
	iopts := meeting.ImportOptions{Source: src.Name, Program: src.Program}
	if src.Format == FormatBMLT && IsURL(src.Location) && !strings.Contains(strings.ToLower(src.Location), "switcher=") {
		return im.readBMLTServer(ctx, src, prev)
	}
	f, err := Fetch(ctx, im.Client, src.Location, prev, im.MaxSize)
	if err != nil || f.NotModified {
		return nil, nil, f, err
	}
	var ms []meeting.Meeting
	var probs []meeting.Problem
	r := bytes.NewReader(f.Body)
	switch src.Format {
	case FormatMeetingGuide:
		ms, probs, err = meetingguide.Parse(r, meetingguide.Options{ImportOptions: iopts})
	case FormatBMLT:
		ms, probs, err = bmlt.Parse(r, bmlt.Catalog{}, bmlt.Options{ImportOptions: iopts})
	case FormatNAWS:
		ms, probs, err = bmlt.ParseNAWS(r, bmlt.Options{ImportOptions: iopts})
	case FormatCSV:
		opts := mfcsv.Options{ImportOptions: iopts}
		if src.Mapping != "" {
			mf, err := os.Open(src.Mapping)
			if err != nil {
				return nil, nil, f, &meeting.Error{Kind: meeting.KindInvalid, Op: "ingest.Run", Message: "cannot read the mapping file", Err: err}
			}
			mp, err := mfcsv.ParseMapping(mf)
			mf.Close()
			if err != nil {
				return nil, nil, f, err
			}
			opts.Mapping = mp
		}
		ms, probs, err = mfcsv.Parse(r, opts)
	default:
		err = meeting.Errorf(meeting.KindInvalid, "ingest.Run", "unknown format %q", src.Format)
	}
	if err != nil {
		return nil, nil, f, err
	}
	return ms, probs, f, nil
}

// readBMLTServer imports a live BMLT root server: GetSearchResults first
// (conditional on the last run's validators, so an unchanged server costs
// one request), then the catalog the parser needs (GetServerInfo,
// GetServiceBodies, GetFormats).
func (im *Importer) readBMLTServer(ctx context.Context, src Source, prev Validators) ([]meeting.Meeting, []meeting.Problem, Fetched, error) {
	const op = "ingest.Run"
	urls, err := bmlt.SearchURLs(src.Location)
	if err != nil {
		return nil, nil, Fetched{}, err
	}
	search, err := Fetch(ctx, im.Client, urls.SearchResults, prev, im.MaxSize)
	if err != nil || search.NotModified {
		return nil, nil, search, wrapStep(op, "GetSearchResults", err)
	}
	var cat bmlt.Catalog
	info, err := Fetch(ctx, im.Client, urls.ServerInfo, Validators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServerInfo", err)
	}
	si, err := bmlt.ParseServerInfo(bytes.NewReader(info.Body))
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServerInfo", err)
	}
	cat.DefaultPoint = si.DefaultPoint
	bodies, err := Fetch(ctx, im.Client, urls.ServiceBodies, Validators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetServiceBodies", err)
	}
	if cat.ServiceBodies, err = bmlt.ParseServiceBodies(bytes.NewReader(bodies.Body)); err != nil {
		return nil, nil, search, wrapStep(op, "GetServiceBodies", err)
	}
	formats, err := Fetch(ctx, im.Client, urls.Formats, Validators{}, im.MaxSize)
	if err != nil {
		return nil, nil, search, wrapStep(op, "GetFormats", err)
	}
	if cat.Formats, err = bmlt.ParseFormats(bytes.NewReader(formats.Body)); err != nil {
		return nil, nil, search, wrapStep(op, "GetFormats", err)
	}
	ms, probs, err := bmlt.Parse(bytes.NewReader(search.Body), cat, bmlt.Options{ImportOptions: meeting.ImportOptions{Source: src.Name, Program: src.Program}})
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
