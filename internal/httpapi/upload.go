package httpapi

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/importers"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// MaxUploadMeetings bounds the meetings one upload may hold.
const MaxUploadMeetings = 5000

// UploadReportJSON is the report of a bulk upload: how many meetings the
// file held (one per day of a multi-day listing), how many were inserted
// or updated, and every record rejected or flagged, with the reason.
type UploadReportJSON struct {
	Format   string            `json:"format"`
	Parsed   int               `json:"parsed"`
	Inserted int               `json:"inserted"`
	Updated  int               `json:"updated"`
	Rejected int               `json:"rejected"`
	Flagged  int               `json:"flagged"`
	Problems []meeting.Problem `json:"problems"`
}

// uploadListings serves POST /v1/org/uploads: a Meeting Guide JSON feed or
// a CSV/TSV spreadsheet (format=meetingguide|csv, or from the Content-Type)
// parsed by the same importers as feeds, then inserted or updated (matched
// by the records' ids, per organization) as the organization's listings.
// Records without a time zone take the timezone parameter, else they are
// rejected. Listings missing from the file are kept.
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
	zone := c.Query("timezone")
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
			bad.Add("timezone", fmt.Sprintf("%q is not an IANA time zone", zone))
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
	keep := ms[:0]
	seen := map[string]bool{}
	for _, m := range ms {
		if m.TimeZone == "" {
			m.TimeZone = zone
		}
		m.Source, m.OrgID = opts.Source, p.OrgID
		reject := func(field, reason string) {
			problems = append(problems, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Rejected, Field: field, Reason: reason})
		}
		if seen[m.ExternalID] {
			reject("id", "the file lists this id more than once")
			continue
		}
		seen[m.ExternalID] = true
		if err := meeting.ValidateListing(&m); err != nil {
			if e, ok := err.(*meeting.Error); ok && len(e.Fields) > 0 {
				for f, r := range e.Fields {
					reject(f, r)
				}
			} else {
				reject("", err.Error())
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
	rep.Problems = problems
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
