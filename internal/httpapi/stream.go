package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// How the whole-feed answers (the Meeting Guide feed, /v1/meetings.geojson
// and /v1/meetings.ics, and their paged and single-meeting forms) are
// written:
//
//   - Streamed. An encoder writes each meeting as FeedStore.Each yields it
//     into a feedWriter, which holds back the first holdBytes of the body
//     (so that an error before then is still a proper error answer) and
//     then streams: no Content-Length, chunked, flushed as it goes. An
//     error after the first byte cannot change the status any more: it is
//     logged and the connection is cut (http.ErrAbortHandler), so that the
//     client sees a failed transfer rather than a short feed.
//   - Compressed with gzip (at gzip.BestSpeed) when the request's
//     Accept-Encoding allows it, with Vary: Accept-Encoding either way.
//   - Validated by an ETag. When Config.DataVersion knows the version of
//     the public data, the ETag is a hash of that version, feedEncoding,
//     the route and whatever else the body depends on (feedKey), known
//     before anything is read: a matching If-None-Match is answered 304
//     without asking the store. Without a version, or for answers that
//     depend on more than the version (a text query, which follows the
//     search index; a page), a body that fits in holdBytes gets a hash of
//     itself as ETag, as before, and a larger one is streamed without an
//     ETag (nothing to validate against, so never a wrong 304).
//
// The ETag of a gzip answer ends in "-gz": the two encodings are
// different representations.

// holdBytes is how much of a body is held before it is streamed: small
// answers keep a Content-Length and a hash ETag, and errors before then
// are ordinary error answers.
const holdBytes = 1 << 20

// feedEncoding names the current output of the feed encoders. Change it
// when an encoder's output changes, so that version ETags change with it.
const feedEncoding = "feeds-1"

// feedCacheControl lets shared caches keep a feed for five minutes.
const feedCacheControl = "public, max-age=300"

// feedKey is what a whole-feed body depends on besides the data: the
// route, the query parameters that shape it, and anything else (the host
// in iCalendar UIDs, the year of the VTIMEZONEs, the minute of next_start)
// in parts. A nil feedKey means the body depends on more than can be
// named up front, and gets no version ETag.
type feedKey []string

// gzipWriters recycles gzip writers: each holds some hundreds of
// kilobytes of compressor state.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// acceptsGzip reports whether an Accept-Encoding header value allows gzip
// (listed, or "*", with a q-value other than 0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// versionETag returns the ETag of a feed answer at data version v with
// key, for the gzip encoding or not.
func versionETag(v string, key feedKey, gz bool) string {
	h := sha256.New()
	for _, p := range append([]string{feedEncoding, v}, key...) {
		// Length-prefixed, so that no two lists of parts hash alike.
		io.WriteString(h, strconv.Itoa(len(p))+":"+p+";")
	}
	return etagOf(h.Sum(nil), "v", gz)
}

// etagOf formats a strong ETag from a hash, with a prefix saying what was
// hashed.
func etagOf(sum []byte, prefix string, gz bool) string {
	tag := prefix + hex.EncodeToString(sum[:16])
	if gz {
		tag += "-gz"
	}
	return `"` + tag + `"`
}

// feedWriter is the body of one feed answer under way (see above). It is
// an io.Writer for the encoders; finish ends the answer.
type feedWriter struct {
	c           *gin.Context
	contentType string
	etag        string // the version ETag; "" without one
	gz          bool
	held        bytes.Buffer
	out         *bufio.Writer // nil until the body streams
	zw          *gzip.Writer
}

// startFeed prepares the answer of a feed with key (nil: no version ETag)
// and reports whether the request's If-None-Match already names its
// version ETag, in which case it has answered 304 and nothing more is to
// be done.
func (s *Server) startFeed(c *gin.Context, contentType string, key feedKey) (*feedWriter, bool) {
	w := &feedWriter{c: c, contentType: contentType, gz: acceptsGzip(c.Request.Header.Get("Accept-Encoding"))}
	h := c.Writer.Header()
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", feedCacheControl)
	if key != nil && s.cfg.DataVersion != nil {
		if v, ok := s.cfg.DataVersion(); ok {
			w.etag = versionETag(v, key, w.gz)
			h.Set("ETag", w.etag)
			if etagMatches(c.Request.Header.Get("If-None-Match"), w.etag) {
				c.Status(http.StatusNotModified)
				return nil, true
			}
		}
	}
	return w, false
}

// Write holds p, or streams it once holdBytes have been held.
func (w *feedWriter) Write(p []byte) (int, error) {
	if w.out != nil {
		return w.body().Write(p)
	}
	w.held.Write(p)
	if w.held.Len() >= holdBytes {
		if err := w.stream(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// body is where streamed bytes go: through gzip or straight to the buffer.
func (w *feedWriter) body() io.Writer {
	if w.zw != nil {
		return w.zw
	}
	return w.out
}

// stream sends the headers (status 200, no Content-Length) and the held
// bytes; from now on the body streams.
func (w *feedWriter) stream() error {
	h := w.c.Writer.Header()
	h.Set("Content-Type", w.contentType)
	w.out = bufio.NewWriterSize(w.c.Writer, 32<<10)
	if w.gz {
		h.Set("Content-Encoding", "gzip")
		w.zw = gzipWriters.Get().(*gzip.Writer)
		w.zw.Reset(w.out)
	}
	w.c.Status(http.StatusOK)
	_, err := w.body().Write(w.held.Bytes())
	w.held = bytes.Buffer{}
	return err
}

// finish ends the answer: a held body is written whole (with a hash ETag
// when it has no version ETag, and 304 when If-None-Match names that), a
// streamed one is flushed.
func (w *feedWriter) finish() error {
	if w.out == nil {
		return w.writeHeld()
	}
	if w.zw != nil {
		err := w.zw.Close()
		w.zw.Reset(nil)
		gzipWriters.Put(w.zw)
		w.zw = nil
		if err != nil {
			return err
		}
	}
	return w.out.Flush()
}

// writeHeld writes the held body as one answer with a Content-Length.
func (w *feedWriter) writeHeld() error {
	body := w.held.Bytes()
	if w.etag == "" {
		sum := sha256.Sum256(body)
		tag := etagOf(sum[:], "", w.gz)
		w.c.Header("ETag", tag)
		if etagMatches(w.c.Request.Header.Get("If-None-Match"), tag) {
			w.c.Status(http.StatusNotModified)
			return nil
		}
	}
	if w.gz {
		var zbuf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&zbuf)
		_, err := zw.Write(body)
		if err == nil {
			err = zw.Close()
		}
		zw.Reset(nil)
		gzipWriters.Put(zw)
		if err != nil {
			return err
		}
		w.c.Header("Content-Encoding", "gzip")
		body = zbuf.Bytes()
	}
	w.c.Data(http.StatusOK, w.contentType, body)
	return nil
}

// fail handles err from the encoders or the store: before the body
// streams it is returned, to be written as an error answer; after, it is
// logged and the connection is cut.
func (s *Server) fail(w *feedWriter, op string, err error) error {
	if w.out == nil {
		var me *meeting.Error
		if errors.As(err, &me) {
			return err
		}
		return meeting.Wrap(meeting.KindInternal, op, err)
	}
	if w.zw != nil {
		w.zw.Reset(nil)
		gzipWriters.Put(w.zw)
		w.zw = nil
	}
	s.log.LogAttrs(w.c.Request.Context(), slog.LevelError, "feed cut short",
		slog.String("route", w.c.FullPath()), slog.String("error", err.Error()))
	panic(http.ErrAbortHandler)
}

// writeFeed runs encode, which writes a whole body to the io.Writer it is
// given, as the answer of a feed with key (nil: no version ETag; see
// startFeed). encode is not run when a 304 answers. On the whole-feed
// routes it first takes one of the feed slots (Config.MaxFeeds), and
// answers 503 when none comes free soon.
func (s *Server) writeFeed(c *gin.Context, op, contentType string, key feedKey, encode func(io.Writer) error) error {
	w, done := s.startFeed(c, contentType, key)
	if done {
		return nil
	}
	if wholeFeeds[c.FullPath()] {
		release, err := s.feedSlots.take(c.Request.Context())
		if err != nil {
			return err
		}
		defer release()
	}
	if err := encode(w); err != nil {
		return s.fail(w, op, err)
	}
	if err := w.finish(); err != nil {
		return s.fail(w, op, err)
	}
	return nil
}
