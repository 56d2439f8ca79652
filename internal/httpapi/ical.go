package httpapi

import (
	"context"
	"io"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	opts := ical.Options{Name: m.Name, Host: hostOnly(c.Request.Host), Now: s.now()}
	return s.writeFeed(c, "httpapi.getMeetingICS", calendarType, nil, func(w io.Writer) error {
		return ical.Encode(w, []meeting.Meeting{*m}, opts)
	})
}

// listMeetingsICS serves GET /v1/meetings.ics: the meetings GET
// /v1/meetings would list, as one calendar. Without limit or cursor it
// holds every match, streamed after a first pass that collects the zones
// (the VTIMEZONEs come first); with them, one page, and a Link header
// points at the next.
func (s *Server) listMeetingsICS(c *gin.Context) error {
	src, err := s.readFeedSource(c)
	if err != nil {
		return err
	}
	now := s.now()
	opts := ical.Options{Name: "Meetings", Host: hostOnly(c.Request.Host), Now: now}
	// UIDs name the host; the VTIMEZONEs run to two years from now;
	// today and upcoming change at whole minutes.
	extra := []string{opts.Host, strconv.Itoa(now.Year())}
	if src.f.Today || src.f.UpcomingHours > 0 {
		extra = append(extra, minuteKey(now))
	}
	return s.writeFeed(c, "httpapi.listMeetingsICS", calendarType, src.key(c, extra...), func(w io.Writer) error {
		ctx := c.Request.Context()
		zones := ical.NewZones(now)
		if err := src.each(ctx, func(r *meeting.Result) error { zones.Add(&r.Meeting); return nil }); err != nil {
			return err
		}
		enc, err := ical.NewEncoder(w, zones, opts)
		if err != nil {
			return err
		}
		if err := src.each(ctx, func(r *meeting.Result) error { return enc.Encode(&r.Meeting) }); err != nil {
			return err
		}
		return enc.Close()
	})
}

// hostOnly strips the port from a Host header value.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// minuteKey is the feedKey part of answers that change at whole minutes.
func minuteKey(now time.Time) string { return now.UTC().Truncate(time.Minute).Format(time.RFC3339) }

// feedSource is what a /v1/meetings feed (GeoJSON, iCalendar) lists: the
// request's filter and either every match, read through FeedStore.Each,
// or, when limit or cursor is given, one page of them.
type feedSource struct {
	f     meeting.Filter
	query url.Values
	store FeedStore        // the whole result; nil when paged
	page  []meeting.Result // the page, when paged
}

// readFeedSource reads the /v1/meetings filters of the request. With
// limit or cursor it reads the page at once (and sets a Link header to
// the next page, rel="next"); without, it only checks that there is a
// FeedStore, so that nothing is read before a 304 may answer.
func (s *Server) readFeedSource(c *gin.Context) (*feedSource, error) {
	q := c.Request.URL.Query()
	f, err := ParseFilter(q, s.now())
	if err != nil {
		return nil, err
	}
	src := &feedSource{f: f, query: q}
	if !q.Has("limit") && !q.Has("cursor") {
		src.store, err = s.feeds()
		return src, err
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
	src.page = page.Results
	return src, nil
}

// each calls fn with every result src lists, in order.
func (src *feedSource) each(ctx context.Context, fn func(*meeting.Result) error) error {
	if src.store != nil {
		return src.store.Each(ctx, src.f, fn)
	}
	for i := range src.page {
		if err := fn(&src.page[i]); err != nil {
			return err
		}
	}
	return nil
}

// key returns the feedKey of src's answer: the route, the query and
// extra. A page and a text query get none (nil): a page is small enough
// for a hash ETag, and text matches follow the search index, which is
// refreshed seconds after the data version changes. So does an upcoming
// window that is not a whole number of minutes, whose matches change
// between minutes.
func (src *feedSource) key(c *gin.Context, extra ...string) feedKey {
	if src.store == nil || strings.TrimSpace(src.f.Q) != "" {
		return nil
	}
	if h := src.f.UpcomingHours * 60; h != math.Trunc(h) {
		return nil
	}
	return append(feedKey{c.FullPath(), src.query.Encode()}, extra...)
}
