package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// DefaultMaxSize is the largest input an import reads (after
// decompression) unless told otherwise.
const DefaultMaxSize = 50 << 20

// DefaultTimeout bounds one HTTP request of an import, body included.
const DefaultTimeout = 60 * time.Second

// Fetched is the result of Fetch. When NotModified is true the server
// answered 304 to the validators given and Body is nil.
type Fetched struct {
	Body        []byte
	Validators  meeting.CacheValidators
	NotModified bool
}

// NewClient returns the HTTP client imports use by default, for sources on
// the public internet: the whole request bounded by timeout, connecting
// within 10 seconds, following at most MaxRedirects redirects and none
// from https to http, and connecting only to public addresses (checked on
// the resolved address of every connection, redirects included, so DNS
// cannot dodge it; see publicDialer).
func NewClient(timeout time.Duration) *http.Client {
	d := newPublicDialer()
	return newClient(timeout, d.DialContext, d.proxy)
}

// NewLocalClient is NewClient for sources marked local (a feed on this
// machine or the local network): it connects to any address.
func NewLocalClient(timeout time.Duration) *http.Client {
	return newClient(timeout, (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext, http.ProxyFromEnvironment)
}

func newClient(timeout time.Duration, dial func(ctx context.Context, network, addr string) (net.Conn, error), proxy func(*http.Request) (*url.URL, error)) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dial,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Timeout: timeout, Transport: tr, CheckRedirect: checkRedirect}
}

// Fetch reads the document at location: an http(s) URL or a local path.
// For a URL it sends prev as If-None-Match / If-Modified-Since and reports
// a 304 as NotModified; it asks for gzip and decodes it. Input that is
// gzip-compressed (a .gz file, a server sending a gzip file) is
// decompressed whatever its name. At most maxSize bytes are read, before
// and after decompression (0 means DefaultMaxSize).
//
// A nil client means NewClient(0): public addresses only.
//
// Errors are *meeting.Error: KindTooLarge over the limit, KindNotFound for
// a missing file or a 404/410, KindForbidden for an address that is not
// public (ErrNotPublic) or a redirect from https to http
// (ErrInsecureRedirect), KindUnavailable for network failures, timeouts,
// redirect loops (ErrTooManyRedirects) and other HTTP statuses,
// KindInvalid for broken gzip.
func Fetch(ctx context.Context, client *http.Client, location string, prev meeting.CacheValidators, maxSize int64) (Fetched, error) {
	const op = "ingest.Fetch"
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if !meeting.IsURL(location) {
		f, err := os.Open(location)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return Fetched{}, public(meeting.Errorf(meeting.KindNotFound, op, "no file %s", location), "the file could not be found")
			}
			return Fetched{}, public(&meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "cannot read " + location, Err: err}, "the file could not be read")
		}
		defer f.Close()
		body, err := readLimited(op, f, maxSize)
		if err != nil {
			return Fetched{}, err
		}
		return Fetched{Body: body}, nil
	}
	if client == nil {
		client = NewClient(0)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
	if err != nil {
		return Fetched{}, public(&meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "not a usable URL", Err: err}, "the source's location is not a usable URL")
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", "meetingfinder-import/1 (+https://github.com/meetingfinder/meetingfinder)")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		kind, msg, pub := meeting.KindUnavailable, "the request failed", "the feed could not be reached"
		var ne net.Error
		switch {
		case errors.Is(err, ErrNotPublic):
			kind, msg = meeting.KindForbidden, "refused to connect: the feed's address is not on the public internet (a source on this machine or network must be marked local)"
			pub = "the feed's address is not on the public internet, and the source is not marked local"
		case errors.Is(err, ErrTooManyRedirects):
			msg = fmt.Sprintf("the feed redirected more than %d times (a redirect loop?)", MaxRedirects)
			pub = msg
		case errors.Is(err, ErrInsecureRedirect):
			kind, msg = meeting.KindForbidden, "refused a redirect from https to http"
			pub = "the feed redirected from https to http, which is refused"
		case errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded):
			msg, pub = "the server did not answer in time", "the feed did not answer in time"
		case errors.Is(err, context.Canceled):
			pub = "the import was interrupted"
		}
		return Fetched{}, public(&meeting.Error{Kind: kind, Op: op, Message: msg, Err: redact(err)}, pub)
	}
	defer resp.Body.Close()
	v := meeting.CacheValidators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return Fetched{Validators: prev, NotModified: true}, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return Fetched{}, public(meeting.Errorf(meeting.KindNotFound, op, "the server answered %s", resp.Status), answered(resp.StatusCode))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return Fetched{}, public(meeting.Errorf(meeting.KindUnavailable, op, "the server answered %s", resp.Status), answered(resp.StatusCode))
	}
	if resp.ContentLength > maxSize {
		return Fetched{}, tooLarge(op, maxSize)
	}
	body, err := readLimited(op, resp.Body, maxSize)
	if err != nil {
		return Fetched{}, err
	}
	return Fetched{Body: body, Validators: v}, nil
}

// readLimited reads r whole, decompressing gzip, and fails when the input
// or its decompressed form exceeds max bytes.
func readLimited(op string, r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return nil, public(&meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "the server did not send the whole document in time", Err: redact(err)},
				"the feed did not send the whole document in time")
		}
		return nil, public(&meeting.Error{Kind: meeting.KindUnavailable, Op: op, Message: "reading the input failed", Err: redact(err)}, "the feed broke off while sending")
	}
	if int64(len(body)) > max {
		return nil, tooLarge(op, max)
	}
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, public(&meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the input looks gzip-compressed but is not valid gzip", Err: err}, "the file's compressed data is broken")
		}
		out, err := io.ReadAll(io.LimitReader(zr, max+1))
		if err != nil {
			return nil, public(&meeting.Error{Kind: meeting.KindInvalid, Op: op, Message: "the gzip-compressed input is broken", Err: err}, "the file's compressed data is broken")
		}
		if int64(len(out)) > max {
			return nil, tooLarge(op, max)
		}
		return out, nil
	}
	return body, nil
}

func tooLarge(op string, max int64) error {
	return public(meeting.Errorf(meeting.KindTooLarge, op, "the input is larger than the limit of %s (raise it with --max-size)", humanBytes(max)),
		"the feed is larger than the import's size limit")
}

// answered is the public reason of an HTTP status that is not a success.
func answered(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("the feed answered %d (%s)", code, strings.ToLower(text))
	}
	return fmt.Sprintf("the feed answered %d", code)
}

// humanBytes formats n as MB or KB.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// redact strips the URL (which may carry an access key) from a *url.Error,
// keeping only the cause.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
