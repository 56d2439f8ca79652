package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// SourceLister lists the import sources and their last runs for
// GET /v1/sources. postgres.ImportStore implements it.
type SourceLister interface {
	Sources(ctx context.Context) ([]meeting.SourceStatus, error)
}

// MaxSourceProblems is how many problems of a source's last run
// GET /v1/sources shows; problems_total counts them all.
const MaxSourceProblems = 100

// SourceListJSON is the body of GET /v1/sources.
type SourceListJSON struct {
	Sources []SourceJSON `json:"sources"`
}

// SourceJSON is one import source. Location is shown without its query
// string or credentials (feeds may be shared with a key), and a local path
// as its file name only; to anyone but an admin, a URL is shown as its
// scheme and host alone (a published spreadsheet's id is in its path). RefreshSeconds is null for a source imported only
// on demand. LastRun is null when the source never ran.
type SourceJSON struct {
	Name           string   `json:"name"`
	Format         string   `json:"format"`
	Program        string   `json:"program"`
	TimeZone       string   `json:"timezone"`
	OnlineTimeZone string   `json:"online_timezone"`
	Location       string   `json:"location"`
	RefreshSeconds *int64   `json:"refresh_seconds"`
	LastRun        *RunJSON `json:"last_run"`
}

// RunJSON is the outcome of one import run: status ok, failed, held_back
// or not_modified; counts; and the first problems (rejected and flagged
// records) without the record excerpts, which may carry contact details.
type RunJSON struct {
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	DurationMS int64     `json:"duration_ms"`
	meeting.ImportCounts
	HeldBack string `json:"held_back"`
	// Error says in plain words why a failed run failed ("the feed could
	// not be reached", "the feed answered 404 (not found)"), naming no
	// host, address, path or URL; ErrorDetail, shown to admins only, is
	// the error itself.
	Error         string        `json:"error"`
	ErrorDetail   string        `json:"error_detail,omitempty"`
	Problems      []ProblemJSON `json:"problems"`
	ProblemsTotal int           `json:"problems_total"`
}

// ProblemJSON is one rejected or flagged record of an import: its 1-based
// position in the input (0 when unknown), its id, the field at fault and why.
type ProblemJSON struct {
	Record     int    `json:"record"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Severity   string `json:"severity"`
	Field      string `json:"field"`
	Reason     string `json:"reason"`
}

// listSources answers GET /v1/sources: every import source with its last
// run. Without a SourceLister the list is empty. An admin's key (optional
// on this route) shows the run errors in full and the whole locations.
func (s *Server) listSources(c *gin.Context) error {
	out := SourceListJSON{Sources: []SourceJSON{}}
	admin := principal(c).IsAdmin()
	if s.cfg.Sources != nil {
		srcs, err := s.cfg.Sources.Sources(c.Request.Context())
		if err != nil {
			return err
		}
		for _, st := range srcs {
			out.Sources = append(out.Sources, NewSourceJSON(st, admin))
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// NewSourceJSON converts a source and its last run for the API: for an
// admin with the run's error in full and the location's path, for anyone
// else with neither (see SourceJSON and RunJSON).
func NewSourceJSON(st meeting.SourceStatus, admin bool) SourceJSON {
	j := SourceJSON{Name: st.Source.Name, Format: string(st.Source.Format), Program: string(st.Source.Program),
		TimeZone: st.Source.TimeZone, OnlineTimeZone: st.Source.OnlineTimeZone, Location: publicLocation(st.Source.Location, admin)}
	if st.Source.Refresh > 0 {
		secs := int64(st.Source.Refresh / time.Second)
		j.RefreshSeconds = &secs
	}
	if r := st.LastRun; r != nil {
		run := &RunJSON{Status: string(r.Status), StartedAt: r.StartedAt.UTC(), FinishedAt: r.StartedAt.Add(r.Duration).UTC(),
			DurationMS: r.Duration.Milliseconds(), ImportCounts: r.ImportCounts, HeldBack: r.HeldBack, Error: r.PublicError, Problems: []ProblemJSON{}, ProblemsTotal: max(r.ProblemsTotal, len(r.Problems))}
		if r.Error != "" && run.Error == "" {
			// A run recorded before public reasons were kept.
			run.Error = "the import failed"
		}
		if admin {
			run.ErrorDetail = r.Error
		}
		for i, p := range r.Problems {
			if i == MaxSourceProblems {
				break
			}
			run.Problems = append(run.Problems, ProblemJSON{Record: p.Record, ExternalID: p.ExternalID, Name: p.Name,
				Severity: string(p.Severity), Field: p.Field, Reason: p.Reason})
		}
		j.LastRun = run
	}
	return j
}

// publicLocation shows a URL without query, fragment or credentials (and,
// unless withPath, without its path), and a local path as its file name.
func publicLocation(loc string, withPath bool) string {
	if !meeting.IsURL(loc) {
		return filepath.Base(loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	if !withPath {
		u.Path, u.RawPath = "", ""
	}
	return u.String()
}
