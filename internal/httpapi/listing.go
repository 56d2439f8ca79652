package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// listingsConfigured reports KindUnavailable when the server has no
// listing store (a read-only deployment).
func (s *Server) listingsConfigured() error {
	if s.cfg.Listings == nil || s.cfg.ChangeRequests == nil {
		return meeting.Errorf(meeting.KindUnavailable, "httpapi", "listing management is not configured")
	}
	return nil
}

// listingID is the preamble of the handlers of one listing (or change
// request, as what says): the listing store must be configured and the
// path's id a positive integer.
func (s *Server) listingID(c *gin.Context, what string) (int64, error) {
	if err := s.listingsConfigured(); err != nil {
		return 0, err
	}
	return pathID(c, "id", what)
}

// listingStatus reads the optional status filter.
func listingStatus(c *gin.Context, def meeting.Status) (meeting.Status, error) {
	v := c.Query("status")
	if v == "" {
		return def, nil
	}
	st := meeting.Status(v)
	if st != meeting.StatusPending && st != meeting.StatusPublished && st != meeting.StatusRejected {
		return "", &meeting.Error{Kind: meeting.KindInvalid, Op: "httpapi.listingStatus", Message: "some query parameters are not valid",
			Fields: map[string]string{"status": "must be pending, published or rejected"}}
	}
	return st, nil
}

// listListings serves GET /v1/org/meetings.
func (s *Server) listListings(c *gin.Context) error {
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	st, err := listingStatus(c, "")
	if err != nil {
		return err
	}
	return s.writeListings(c, st)
}

// writeListings answers with the caller's listings in state st.
func (s *Server) writeListings(c *gin.Context, st meeting.Status) error {
	ls, err := s.cfg.Listings.Listings(c.Request.Context(), principal(c), st)
	if err != nil {
		return err
	}
	body := ListingListJSON{Listings: make([]ListingJSON, 0, len(ls))}
	for i := range ls {
		body.Listings = append(body.Listings, s.listingJSON(&ls[i]))
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// createListing serves POST /v1/org/meetings.
func (s *Server) createListing(c *gin.Context) error {
	const op = "httpapi.createListing"
	if err := s.listingsConfigured(); err != nil {
		return err
	}
	in, err := decodeBody[MeetingInput](c, op)
	if err != nil {
		return err
	}
	m, err := in.Meeting()
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.CreateListing(c.Request.Context(), principal(c), &m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// getListing serves GET /v1/org/meetings/{id}.
func (s *Server) getListing(c *gin.Context) error {
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.Listing(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// replaceListing serves PUT /v1/org/meetings/{id}: the body replaces the
// listing's whole content.
func (s *Server) replaceListing(c *gin.Context) error {
	const op = "httpapi.replaceListing"
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	in, err := decodeBody[MeetingInput](c, op)
	if err != nil {
		return err
	}
	m, err := in.Meeting()
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.ChangeListing(c.Request.Context(), principal(c), id, meeting.ActionReplace, "", replaceContent(m))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// patchListing serves PATCH /v1/org/meetings/{id}: a JSON merge patch over
// the listing's input shape, merged with the stored listing inside the
// store's transaction.
func (s *Server) patchListing(c *gin.Context) error {
	const op = "httpapi.patchListing"
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	patch, err := decodePatch(c, op)
	if err != nil {
		return err
	}
	l, err := s.cfg.Listings.ChangeListing(c.Request.Context(), principal(c), id, meeting.ActionPatch, "", func(m *meeting.Meeting) error {
		_, nm, err := applyPatch(op, m, patch)
		if err != nil {
			return err
		}
		*m = nm
		return nil
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.listingJSON(l))
	return nil
}

// deleteListing serves DELETE /v1/org/meetings/{id}.
func (s *Server) deleteListing(c *gin.Context) error {
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	if err := s.cfg.Listings.DeleteListing(c.Request.Context(), principal(c), id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, DeletedJSON{ID: id, Deleted: true})
	return nil
}

// listingHistory serves GET /v1/org/meetings/{id}/history.
func (s *Server) listingHistory(c *gin.Context) error {
	id, err := s.listingID(c, "meeting")
	if err != nil {
		return err
	}
	entries, err := s.cfg.Listings.History(c.Request.Context(), principal(c), id)
	if err != nil {
		return err
	}
	body := HistoryJSON{Entries: make([]AuditEntryJSON, 0, len(entries))}
	for _, e := range entries {
		j := AuditEntryJSON{ID: e.ID, Actor: e.Actor, Action: string(e.Action), Note: e.Note, At: e.At.UTC()}
		if e.Before != nil {
			l := s.listingJSON(&meeting.Listing{Meeting: *e.Before})
			j.Before = &l
		}
		if e.After != nil {
			l := s.listingJSON(&meeting.Listing{Meeting: *e.After})
			j.After = &l
		}
		body.Entries = append(body.Entries, j)
	}
	c.JSON(http.StatusOK, body)
	return nil
}
