package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// principalKey is the gin context key of the authenticated caller.
const principalKey = "meetingfinder.principal"

// authenticate requires "Authorization: Bearer <key>" with a valid key,
// limits the key's request rate, and stores the caller for principal. A
// missing or bad key is 401 with WWW-Authenticate; the key never reaches a
// log or an error message.
func (s *Server) authenticate(keys *limiter) gin.HandlerFunc {
	return s.handleMiddleware(func(c *gin.Context) error {
		const op = "httpapi.authenticate"
		c.Header("WWW-Authenticate", `Bearer realm="meetingfinder"`)
		scheme, key, ok := strings.Cut(c.GetHeader("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			return meeting.Errorf(meeting.KindUnauthorized, op, "send your API key as Authorization: Bearer <key>")
		}
		if s.cfg.Orgs == nil {
			return meeting.Errorf(meeting.KindUnavailable, op, "no key store is configured")
		}
		p, err := s.cfg.Orgs.Authenticate(c.Request.Context(), strings.TrimSpace(key))
		if err != nil {
			return err
		}
		c.Writer.Header().Del("WWW-Authenticate")
		if ok, wait := keys.allow(p.KeyPrefix); !ok {
			return rateLimited(c, wait)
		}
		c.Set(principalKey, *p)
		return nil
	})
}

// optionalAuth authenticates the caller as authenticate does when the
// request has an Authorization header (a bad key is still 401), and lets
// anonymous requests through as they are, for public routes that show an
// admin more.
func (s *Server) optionalAuth(keys *limiter) gin.HandlerFunc {
	auth := s.authenticate(keys)
	return func(c *gin.Context) {
		if c.GetHeader("Authorization") == "" {
			c.Next()
			return
		}
		auth(c)
	}
}

// requireAdmin lets only admin keys through (403 for organizations' keys).
func (s *Server) requireAdmin() gin.HandlerFunc {
	return s.handleMiddleware(func(c *gin.Context) error {
		if !principal(c).IsAdmin() {
			return meeting.Errorf(meeting.KindForbidden, "httpapi.requireAdmin", "this route needs an admin key")
		}
		return nil
	})
}

// principal returns the caller authenticate stored (the zero Principal,
// which may do nothing, when there is none).
func principal(c *gin.Context) meeting.Principal {
	if v, ok := c.Get(principalKey); ok {
		if p, ok := v.(meeting.Principal); ok {
			return p
		}
	}
	return meeting.Principal{}
}
