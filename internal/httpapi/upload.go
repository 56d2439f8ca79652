package httpapi

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/importers"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// uploadRoute is the bulk upload's route, which has a time limit of its
// own (Config.UploadTimeout).
const uploadRoute = "/v1/org/uploads"

// MaxUploadMeetings bounds the meetings one upload may hold.
const MaxUploadMeetings = 5000

// UploadReportJSON is the report of a bulk upload: how many meetings the
// file held (one per day of a multi-day listing), how many were inserted
// or updated, the meetings by the rule that gave them their zone and by
// their point (as an import's report counts them), and every record
// rejected or flagged, with the reason.
type UploadReportJSON struct {
	Format   string              `json:"format"`
	Parsed   int                 `json:"parsed"`
	Inserted int                 `json:"inserted"`
	Updated  int                 `json:"updated"`
	Rejected int                 `json:"rejected"`
	Flagged  int                 `json:"flagged"`
	Zones    meeting.ZoneCounts  `json:"zones"`
	Points   meeting.PointCounts `json:"points"`
	Problems []meeting.Problem   `json:"problems"`
}

// uploadListings serves POST /v1/org/uploads: a Meeting Guide JSON feed or
// a CSV/TSV spreadsheet (format=meetingguide|csv, or from the Content-Type)
// parsed by the same importers as feeds, given their points and zones by
// the rules imports follow (Config.Resolver: a point that contradicts the
// address dropped, an address without a point placed at a centroid or
// geocoded, the zone from the record, its text, the timezone or
// online_timezone parameter, then a door's point), then inserted or
// updated (matched by the records' ids, per organization) as the
// organization's listings. A meeting that ends without a zone is rejected:
// a listing needs one. Listings missing from the file are kept.
func (s *Server) uploadListings(c *gin.Context) error {
	const op = "httpapi.uploadListings"
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	p := principal(c)
	if !p.IsOrg() {
		return meeting.Errorf(meeting.KindForbidden, op, "only an organization's key can upload listings")
	}
	bad := meeting.FieldErrors{}
	format := meeting.Format(c.Query("format"))
	if format == "" {
		mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
		switch mt {
		case "application/json":
			format = meeting.FormatMeetingGuide
		case "text/csv", "text/tab-separated-values":
			format = meeting.FormatCSV
		}
	}
	if format != meeting.FormatMeetingGuide && format != meeting.FormatCSV {
		bad.Add("format", "must be meetingguide or csv (or send Content-Type application/json or text/csv)")
	}
	program := meeting.Program(c.Query("program"))
	if program != "" && !program.Valid() {
		bad.Add("program", fmt.Sprintf("%q is not a program", program))
	}
	zone, onlineZone := c.Query("timezone"), c.Query("online_timezone")
	for name, z := range map[string]string{"timezone": zone, "online_timezone": onlineZone} {
		if z != "" {
			if _, err := time.LoadLocation(z); err != nil || z == "Local" {
				bad.Add(name, fmt.Sprintf("%q is not an IANA time zone", z))
			}
		}
	}
	if err := bad.Err(op, "some query parameters are not valid"); err != nil {
		return err
	}
	b, err := readBody(c)
	if err != nil {
		return err
	}
	opts := meeting.ImportOptions{Source: meeting.OrgSource(p.OrgID), Program: program}
	ms, problems, err := importers.Parse(bytes.NewReader(b), format, importers.Options{ImportOptions: opts})
	if err != nil {
		return err
	}
	if len(ms) > MaxUploadMeetings {
		return meeting.Errorf(meeting.KindTooLarge, op, "the file holds %d meetings; upload at most %d at once", len(ms), MaxUploadMeetings)
	}
	rep := UploadReportJSON{Format: string(format), Parsed: len(ms)}
	reject := func(m *meeting.Meeting, field, reason string) {
		problems = append(problems, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Rejected, Field: field, Reason: reason})
	}
	unique := ms[:0]
	seen := map[string]bool{}
	for _, m := range ms {
		m.Source, m.OrgID = opts.Source, p.OrgID
		if seen[m.ExternalID] {
			reject(&m, "id", "the file lists this id more than once")
			continue
		}
		seen[m.ExternalID] = true
		unique = append(unique, m)
	}
	ms = unique
	if s.cfg.Resolver != nil {
		src := meeting.Source{Name: opts.Source, Program: program, TimeZone: zone, OnlineTimeZone: onlineZone}
		res, err := s.cfg.Resolver.Resolve(c.Request.Context(), src, ms)
		if err != nil {
			return err
		}
		rep.Zones, rep.Points = res.Zones, res.Points
		problems = append(problems, res.Problems...)
	} else {
		for i := range ms {
			if ms[i].TimeZone == "" {
				ms[i].TimeZone = zone
			}
		}
	}
	keep := ms[:0]
	noZone := map[string]bool{}
	for _, m := range ms {
		if m.TimeZone == "" {
			// A listing needs a zone; the rules found none.
			noZone[m.ExternalID] = true
			reject(&m, "timezone", "is required, and the record, its text and the upload give none (an online meeting's point is never used); "+
				"send timezone, or online_timezone for online meetings")
			continue
		}
		if err := meeting.ValidateListing(&m); err != nil {
			if e, ok := err.(*meeting.Error); ok && len(e.Fields) > 0 {
				for f, r := range e.Fields {
					reject(&m, f, r)
				}
			} else {
				reject(&m, "", err.Error())
			}
			continue
		}
		keep = append(keep, m)
	}
	if len(keep) > 0 {
		out, err := s.cfg.Listings.Upload(c.Request.Context(), p, keep)
		if err != nil {
			return err
		}
		rep.Inserted, rep.Updated = out.Inserted, out.Updated
	}
	// The rules' own note on a meeting rejected for its zone says it again.
	rep.Problems = slices.DeleteFunc(problems, func(pr meeting.Problem) bool {
		return pr.Severity == meeting.Flagged && pr.Field == "timezone" && pr.Record == 0 && noZone[pr.ExternalID] &&
			strings.HasPrefix(pr.Reason, "no time zone")
	})
	if rep.Problems == nil {
		rep.Problems = []meeting.Problem{}
	}
	for _, pr := range rep.Problems {
		if pr.Severity == meeting.Rejected {
			rep.Rejected++
		} else {
			rep.Flagged++
		}
	}
	c.JSON(http.StatusOK, rep)
	return nil
}
