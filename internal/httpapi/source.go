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
// as its file name only. RefreshSeconds is null for a source imported only
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
	HeldBack      string        `json:"held_back"`
	Error         string        `json:"error"`
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
// run. Without a SourceLister the list is empty.
func (s *Server) listSources(c *gin.Context) error {
	out := SourceListJSON{Sources: []SourceJSON{}}
	if s.cfg.Sources != nil {
		srcs, err := s.cfg.Sources.Sources(c.Request.Context())
		if err != nil {
			return err
		}
		for _, st := range srcs {
			out.Sources = append(out.Sources, NewSourceJSON(st))
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// NewSourceJSON converts a source and its last run for the API.
func NewSourceJSON(st meeting.SourceStatus) SourceJSON {
	j := SourceJSON{Name: st.Source.Name, Format: string(st.Source.Format), Program: string(st.Source.Program),
		TimeZone: st.Source.TimeZone, OnlineTimeZone: st.Source.OnlineTimeZone, Location: publicLocation(st.Source.Location)}
	if st.Source.Refresh > 0 {
		secs := int64(st.Source.Refresh / time.Second)
		j.RefreshSeconds = &secs
	}
	if r := st.LastRun; r != nil {
		run := &RunJSON{Status: string(r.Status), StartedAt: r.StartedAt.UTC(), FinishedAt: r.StartedAt.Add(r.Duration).UTC(),
			DurationMS: r.Duration.Milliseconds(), ImportCounts: r.ImportCounts, HeldBack: r.HeldBack, Error: r.Error, Problems: []ProblemJSON{}, ProblemsTotal: max(r.ProblemsTotal, len(r.Problems))}
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

// publicLocation shows a URL without query, fragment or credentials, and a
// path as its file name.
func publicLocation(loc string) string {
	if !meeting.IsURL(loc) {
		return filepath.Base(loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}
