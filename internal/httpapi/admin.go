package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// RejectInput is the body of POST /v1/admin/submissions/{id}/reject.
type RejectInput struct {
	Reason string `json:"reason"`
}

// listSubmissions serves GET /v1/admin/submissions: organizations'
// listings waiting for moderation (status=pending, the default) or in
// another state.
func (s *Server) listSubmissions(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	st, err := listingStatus(c, meeting.StatusPending)
	if err != nil {
		return err
	}
	return s.writeListings(c, st)
}

// approveSubmission serves POST /v1/admin/submissions/{id}/approve.
func (s *Server) approveSubmission(c *gin.Context) error {
	return s.moderate(c, meeting.StatusPublished, "")
}

// rejectSubmission serves POST /v1/admin/submissions/{id}/reject; the
// reason is shown to the organization.
func (s *Server) rejectSubmission(c *gin.Context) error {
	const op = "httpapi.rejectSubmission"
	in, err := decodeBody[RejectInput](c, op)
	if err != nil {
		return err
	}
	return s.moderate(c, meeting.StatusRejected, in.Reason)
}

// moderate sets the state of the listing named by the path.
func (s *Server) moderate(c *gin.Context, st meeting.Status, reason string) error {
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.Moderate(c.Request.Context(), principal(c), id, st, reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}
