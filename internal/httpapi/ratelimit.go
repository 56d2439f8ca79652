package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
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
)

// Default body limits.
const (
	DefaultMaxBodyBytes   = 64 << 10
	DefaultMaxUploadBytes = 4 << 20
)

// limiter is an in-memory token bucket per key (an API key's prefix or a
// client address). Idle buckets are swept now and then so memory stays
// bounded by the number of recently active clients.
type limiter struct {
	mu        sync.Mutex
	perSec    float64
	burst     float64
	buckets   map[string]*bucket
	now       func() time.Time
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(r, def Rate, now func() time.Time) *limiter {
	if r.PerMinute <= 0 || r.Burst <= 0 {
		r = def
	}
	return &limiter{perSec: r.PerMinute / 60, burst: float64(r.Burst), buckets: map[string]*bucket{}, now: now}
}

// allow takes a token from key's bucket; when there is none it returns
// false and how long until there is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > time.Minute {
		full := time.Duration(l.burst / l.perSec * float64(time.Second))
		for k, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+d*l.perSec)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
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

// limitAddr limits requests per client address (gin's ClientIP, which
// trusts forwarding headers only from Config.TrustedProxies).
func (s *Server) limitAddr(l *limiter) gin.HandlerFunc {
	return s.handleMiddleware(func(c *gin.Context) error {
		if ok, wait := l.allow(c.ClientIP()); !ok {
			return rateLimited(c, wait)
		}
		return nil
	})
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
