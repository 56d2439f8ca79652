package httpapi

import (
	"bytes"
	"net"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/feed/ical"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// calendarType is the media type of iCalendar answers.
const calendarType = "text/calendar; charset=utf-8"

// getMeetingICS serves GET /v1/meetings/{id}.ics (dispatched by getMeeting):
// one meeting as a calendar with a weekly repeating event.
func (s *Server) getMeetingICS(c *gin.Context) error {
	raw := strings.TrimSuffix(c.Param("id"), ".ics")
	id, err := parseID("id", raw, "meeting")
	if err != nil {
		return err
	}
	m, err := s.cfg.Store.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return s.writeCalendar(c, []meeting.Meeting{*m}, m.Name)
}

// listMeetingsICS serves GET /v1/meetings.ics: the meetings GET
// /v1/meetings would list, as one calendar. Without limit or cursor it
// holds every match; with them, one page, and a Link header points at the
// next.
func (s *Server) listMeetingsICS(c *gin.Context) error {
	rs, err := s.wholeOrPage(c)
	if err != nil {
		return err
	}
	ms := make([]meeting.Meeting, len(rs))
	for i := range rs {
		ms[i] = rs[i].Meeting
	}
	return s.writeCalendar(c, ms, "Meetings")
}

func (s *Server) writeCalendar(c *gin.Context, ms []meeting.Meeting, name string) error {
	var buf bytes.Buffer
	if err := ical.Encode(&buf, ms, ical.Options{Name: name, Host: hostOnly(c.Request.Host), Now: s.now()}); err != nil {
		return meeting.Wrap(meeting.KindInternal, "httpapi.writeCalendar", err)
	}
	writeCached(c, calendarType, buf.Bytes())
	return nil
}

// hostOnly strips the port from a Host header value.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// wholeOrPage reads the /v1/meetings filters of the request and returns
// every matching meeting, or, when limit or cursor is given, one page of
// them (with a Link header to the next page, rel="next").
func (s *Server) wholeOrPage(c *gin.Context) ([]meeting.Result, error) {
	q := c.Request.URL.Query()
	f, err := ParseFilter(q, s.now())
	if err != nil {
		return nil, err
	}
	if !q.Has("limit") && !q.Has("cursor") {
		store, err := s.feeds()
		if err != nil {
			return nil, err
		}
		return store.All(c.Request.Context(), f)
	}
	page, err := s.cfg.Store.Find(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	if page.NextCursor != nil {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("cursor", EncodeCursor(page.NextCursor, f.HasPoint))
		c.Header("Link", "<"+c.Request.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}
	return page.Results, nil
}
