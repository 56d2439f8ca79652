package meeting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// CacheValidators are the HTTP cache validators of a fetched document, sent back
// on the next fetch so that an unchanged feed costs a 304 and no work.
type CacheValidators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// ImportStatus is the outcome of one import run.
type ImportStatus string

// The outcomes of a run.
const (
	// ImportOK: the feed was applied.
	ImportOK ImportStatus = "ok"
	// ImportFailed: nothing changed; ImportReport.Error says why.
	ImportFailed ImportStatus = "failed"
	// ImportHeldBack: the safety valve refused to apply the feed (empty,
	// or losing more than half its meetings); nothing changed;
	// ImportReport.HeldBack says why. Force applies it.
	ImportHeldBack ImportStatus = "held_back"
	// ImportNotModified: the server answered 304 to the last run's
	// validators; nothing to do.
	ImportNotModified ImportStatus = "not_modified"
)

// ImportOutcome is what ImportStore.Apply did. Restored counts meetings removed by an
// earlier run that came back; Unchanged those whose content was the same.
// HeldBack is non-empty, and nothing was written, when the safety valve
// refused the change. Conflicts lists external ids that belong to meetings
// managed by an organization under the same source name; they are not
// touched.
type ImportOutcome struct {
	Inserted, Updated, Restored, Unchanged, Removed int
	HeldBack                                        string
	Conflicts                                       []string
}

// ImportStore applies imports and keeps the record of sources and runs.
// internal/postgres implements it and internal/ingest uses it. Errors are *Error.
type ImportStore interface {
	// Validators returns the cache validators saved by the source's last
	// applied run; zero when there are none or when src's settings differ
	// from those of that run (a new location, program or zone must be
	// fetched and applied again).
	Validators(ctx context.Context, src Source) (CacheValidators, error)
	// Apply makes ms (all of one source, external ids unique) the source's
	// imported meetings in one transaction: new ones inserted, changed ones
	// updated, removed ones from earlier runs restored, and live ones
	// missing from ms removed recoverably. Unless force is set it writes
	// nothing and sets ImportOutcome.HeldBack when ms is empty while the source
	// has live meetings, or when more than half of them would be removed.
	Apply(ctx context.Context, source string, ms []Meeting, force bool) (ImportOutcome, error)
	// RecordRun saves the source's settings and the run's report; when v is
	// not nil it also saves v as the validators for the next fetch.
	RecordRun(ctx context.Context, src Source, rep *ImportReport, v *CacheValidators) error
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
	LastRun *ImportReport
}

// ImportCounts are the counts of an import run, shared by the report and
// the API's view of it (httpapi.RunJSON).
type ImportCounts struct {
	// Parsed counts the meetings the importer produced (one per day of a
	// multi-day listing), after rejections.
	Parsed    int `json:"parsed"`
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Restored  int `json:"restored"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	// Rejected and Flagged count the problems of each severity.
	Rejected int `json:"rejected"`
	Flagged  int `json:"flagged"`
	// Zones counts the parsed meetings by where their time zone came from.
	Zones ZoneCounts `json:"zones"`
	// Points counts the parsed meetings by where their point came from.
	Points PointCounts `json:"points"`
}

// ZoneCounts count the meetings of a run by the rule that gave them their
// time zone, in the order the rules are tried (internal/ingest): the
// record's own, one its text names, the source's default (its online
// default for online meetings), the zone at the point of a meeting held
// at a place, or none (flagged). Conflicts counts the meetings flagged
// because the text or the point disagreed with the zone chosen.
type ZoneCounts struct {
	Record    int `json:"record"`
	Text      int `json:"text"`
	Source    int `json:"source"`
	Point     int `json:"point"`
	None      int `json:"none"`
	Conflicts int `json:"conflicts"`
}

// PointCounts count the meetings of a run by their point: None are stored
// without one (the record gave none, or an unusable one: 0,0, a BMLT
// default, a point contradicting the address); Contradicted had theirs
// dropped for contradicting the stated country or state; Centroid were
// placed at the centre of the listings' own places for their postal code
// or city (approximate); Geocoded were placed by the geocoder from their
// address (none while imports run offline); GeocodePending have an
// address the geocoder was not asked about in this run (the run's cap
// was reached, or the geocoder failed), left for a later run.
type PointCounts struct {
	None           int `json:"none"`
	Contradicted   int `json:"contradicted"`
	Centroid       int `json:"centroid"`
	Geocoded       int `json:"geocoded"`
	GeocodePending int `json:"geocode_pending"`
}

// ImportReport is the outcome of one import run.
type ImportReport struct {
	Source    string       `json:"source"`
	Format    Format       `json:"format"`
	Status    ImportStatus `json:"status"`
	StartedAt time.Time    `json:"started_at"`
	// Duration is how long the run took.
	Duration time.Duration `json:"-"`
	// DurationMS is Duration in milliseconds, for JSON.
	DurationMS int64 `json:"duration_ms"`
	ImportCounts
	HeldBack string `json:"held_back,omitempty"`
	// Error says why a failed run failed, in full: hosts, addresses and
	// paths included, for the operator (the command's report, the logs,
	// admins). PublicError says it for anyone, naming none of those.
	Error       string `json:"error,omitempty"`
	PublicError string `json:"public_error,omitempty"`
	// Problems lists every rejected and flagged record (a stored report
	// may keep only the first ones); ProblemsTotal counts them all.
	Problems      []Problem `json:"problems"`
	ProblemsTotal int       `json:"problems_total"`
}

// Failed reports whether the run did not apply the feed: it failed or was
// held back. A not-modified run did not fail.
func (r *ImportReport) Failed() bool { return r.Status == ImportFailed || r.Status == ImportHeldBack }

// WriteText writes the report for people: a summary line, the counts, then
// each problem ("record N (id) rejected: field: reason" and the record
// excerpt).
func (r *ImportReport) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "import %s (%s): %s in %s\n", r.Source, r.Format, r.Status, r.Duration.Round(time.Millisecond))
	if r.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", r.Error)
	}
	if r.HeldBack != "" {
		fmt.Fprintf(&b, "  held back: %s\n  nothing was changed; re-run with --force to apply it anyway\n", r.HeldBack)
	}
	if r.Status != ImportNotModified && r.Status != ImportFailed {
		fmt.Fprintf(&b, "  parsed %d, inserted %d, updated %d, restored %d, unchanged %d, removed %d, rejected %d, flagged %d\n",
			r.Parsed, r.Inserted, r.Updated, r.Restored, r.Unchanged, r.Removed, r.Rejected, r.Flagged)
		z, p := r.Zones, r.Points
		fmt.Fprintf(&b, "  zones from the record %d, its text %d, the source's default %d, the point %d, none %d (%d disagreeing)\n",
			z.Record, z.Text, z.Source, z.Point, z.None, z.Conflicts)
		fmt.Fprintf(&b, "  points: %d meetings without one (%d dropped as contradicting the address), %d at a centroid, %d geocoded\n",
			p.None, p.Contradicted, p.Centroid, p.Geocoded)
		if p.GeocodePending > 0 {
			fmt.Fprintf(&b, "  %d meetings wait to be geocoded: this run's cap was reached or the geocoder failed; the next run asks\n", p.GeocodePending)
		}
	} else if r.Status == ImportNotModified {
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
func (r *ImportReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Resolution is what the import rules decided about the points and zones
// of a batch of meetings (see Resolver): the meetings counted by the rule
// that gave each its zone and by their point, and the problems flagged on
// the way.
type Resolution struct {
	Zones    ZoneCounts
	Points   PointCounts
	Problems []Problem
}

// Resolver gives meetings their points and zones by the rules imports
// follow (internal/ingest), for meetings that come by another way, an
// organization's upload: a point is checked against the stated country and
// state and dropped when it contradicts them; a meeting at a place with an
// address and no point is placed at a centroid of the listings' places, or
// geocoded; its zone is the record's, else one its text names, else src's
// default (src.OnlineTimeZone for an online meeting when set, else
// src.TimeZone), else the zone at its point when that is a door. It
// changes ms in place. Errors are *Error; a dead backend is
// KindUnavailable.
type Resolver interface {
	Resolve(ctx context.Context, src Source, ms []Meeting) (Resolution, error)
}
