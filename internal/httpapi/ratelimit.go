package httpapi

import (
	"container/list"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Rate is a token-bucket limit: PerMinute requests a minute on average,
// with bursts of up to Burst. The zero Rate means the route's default.
type Rate struct {
	PerMinute float64
	Burst     int
}

// The default limits and body sizes.
var (
	// DefaultKeyRate limits each API key.
	DefaultKeyRate = Rate{PerMinute: 120, Burst: 60}
	// DefaultAddrRate limits each client address on the routes that need a
	// key, before the key is checked (so guessing keys costs time).
	DefaultAddrRate = Rate{PerMinute: 300, Burst: 100}
	// DefaultChangeRequestRate limits public change requests per client
	// address: 10 an hour, 3 at once.
	DefaultChangeRequestRate = Rate{PerMinute: 10.0 / 60, Burst: 3}
	// DefaultPublicRate limits each client address on the public routes:
	// 600 requests a minute, 100 at once. The finder page makes a few
	// requests a keystroke at most; an app or a site that shows meetings
	// to many people should read the whole feed and cache it.
	DefaultPublicRate = Rate{PerMinute: 600, Burst: 100}
)

// NoLimit as Config.PublicRate turns the public limit off (for benchmarks
// and load tests).
var NoLimit = Rate{PerMinute: -1}

// Default body limits.
const (
	DefaultMaxBodyBytes   = 64 << 10
	DefaultMaxUploadBytes = 4 << 20
)

// maxBuckets is the most buckets a limiter keeps. A flood from many
// addresses (an IPv6 /48 holds 65,536 /64s) cannot grow the map past it:
// the least recently used bucket is dropped to make room. At about 150
// bytes a bucket, a full limiter holds some 10 MB.
const maxBuckets = 1 << 16

// limiter is an in-memory token bucket per key (an API key's prefix or a
// client address). Buckets are kept in the order they were last used, so
// idle ones (full again, so dropping them changes nothing) are swept from
// the old end, and at maxBuckets the oldest is dropped: memory stays
// bounded whatever the number of clients. A nil limiter allows everything.
type limiter struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	max     int
	buckets map[string]*list.Element // of *bucket
	lru     list.List                // most recently used at the front
	now     func() time.Time
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

func newLimiter(r, def Rate, now func() time.Time) *limiter {
	if r.PerMinute <= 0 || r.Burst <= 0 {
		r = def
	}
	return &limiter{perSec: r.PerMinute / 60, burst: float64(r.Burst), max: maxBuckets, buckets: map[string]*list.Element{}, now: now}
}

// allow takes a token from key's bucket; when there is none it returns
// false and how long until there is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// A bucket unused for this long is full again: forgetting it changes
	// nothing.
	full := time.Duration(l.burst / l.perSec * float64(time.Second))
	// Drop idle buckets from the old end and, when a new key finds the
	// map full, the least recently used one.
	_, known := l.buckets[key]
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		b := e.Value.(*bucket)
		idle := now.Sub(b.at) > full
		crowded := !known && len(l.buckets) >= l.max
		if !idle && !crowded {
			break
		}
		if b.key == key {
			known = false
		}
		l.lru.Remove(e)
		delete(l.buckets, b.key)
	}
	e, ok := l.buckets[key]
	if !ok {
		e = l.lru.PushFront(&bucket{key: key, tokens: l.burst, at: now})
		l.buckets[key] = e
	} else {
		l.lru.MoveToFront(e)
	}
	b := e.Value.(*bucket)
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+d*l.perSec)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
}

// len returns how many buckets l holds.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// rateLimited returns the 429 error for a client that must wait, setting
// Retry-After (whole seconds, rounded up).
func rateLimited(c *gin.Context, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	return meeting.Errorf(meeting.KindRateLimited, "httpapi.rateLimit", "too many requests; retry in %d seconds", secs)
}

// limitAddr limits requests per client address: addrKey of gin's
// ClientIP, which believes forwarding headers only from
// Config.TrustedProxies (the nearest hop that is not a trusted proxy).
// A nil l limits nothing.
func (s *Server) limitAddr(l *limiter) gin.HandlerFunc {
	return s.handleMiddleware(func(c *gin.Context) error {
		if ok, wait := l.allow(addrKey(c.ClientIP())); !ok {
			return rateLimited(c, wait)
		}
		return nil
	})
}

// addrKey returns the rate-limit key of a client address: an IPv4
// address (also one mapped into IPv6) as it is, an IPv6 address's /64,
// which is one subscriber's network: hopping between the addresses in it
// does not escape the limit. Anything else is used as it is.
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// parseTrusted reads Config.TrustedProxies (addresses or CIDR prefixes,
// as gin takes them) into prefixes; entries that are neither are skipped
// (gin's SetTrustedProxies reports them).
func parseTrusted(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, t := range list {
		t = strings.TrimSpace(t)
		if p, err := netip.ParsePrefix(t); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(t); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// fromTrustedProxy reports whether r came straight from one of
// Config.TrustedProxies, whose forwarding headers (X-Forwarded-Proto) are
// then believed.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.trusted) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// limitBody caps the request body at n bytes: a larger Content-Length is
// refused at once, and reading past n fails with *http.MaxBytesError, which
// bodyError turns into KindTooLarge.
func (s *Server) limitBody(n int64) gin.HandlerFunc {
	return s.handleMiddleware(func(c *gin.Context) error {
		if c.Request.ContentLength > n {
			return tooLarge(n)
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		return nil
	})
}

func tooLarge(n int64) error {
	return meeting.Errorf(meeting.KindTooLarge, "httpapi.limitBody", "the request body is larger than %d bytes", n)
}

// bodyError turns an error from reading a request body into a too-large or
// invalid error.
func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge(mb.Limit)
	}
	return meeting.Errorf(meeting.KindInvalid, "httpapi.readBody", "the request body could not be read")
}

// handleMiddleware adapts a middleware that returns an error: a non-nil
// error is written and the chain stops.
func (s *Server) handleMiddleware(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.writeError(c, err)
			return
		}
		c.Next()
	}
}
