package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// statusOf is the one table that turns error kinds into HTTP statuses.
var statusOf = map[meeting.Kind]int{
	meeting.KindInvalid:      http.StatusBadRequest,
	meeting.KindNotFound:     http.StatusNotFound,
	meeting.KindConflict:     http.StatusConflict,
	meeting.KindUnauthorized: http.StatusUnauthorized,
	meeting.KindForbidden:    http.StatusForbidden,
	meeting.KindRateLimited:  http.StatusTooManyRequests,
	meeting.KindTooLarge:     http.StatusRequestEntityTooLarge,
	meeting.KindUnavailable:  http.StatusServiceUnavailable,
	meeting.KindInternal:     http.StatusInternalServerError,
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code (the error kind), a
// message for people, and a reason per offending field for invalid input.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// publicMessage is shown for kinds whose details must stay in the logs.
var publicMessage = map[meeting.Kind]string{
	meeting.KindInternal:    "something went wrong on our side; please try again",
	meeting.KindUnavailable: "the service is temporarily unavailable; please try again shortly",
}

// writeError writes err as the JSON error body with the status of its kind.
// Internal and unavailable errors are logged with their cause and shown only
// as a generic message.
func (s *Server) writeError(c *gin.Context, err error) {
	kind := meeting.ErrorKind(err)
	status, ok := statusOf[kind]
	if !ok {
		kind, status = meeting.KindInternal, http.StatusInternalServerError
	}
	body := ErrorBody{Error: ErrorDetail{Code: string(kind)}}
	var e *meeting.Error
	var busy busyError
	if errors.As(err, &busy) {
		body.Error.Message = busy.err.Message
		c.Header("Retry-After", feedRetryAfter)
	} else if msg, hide := publicMessage[kind]; hide {
		body.Error.Message = msg
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("method", c.Request.Method), slog.String("route", c.FullPath()),
			slog.String("kind", string(kind)), slog.String("error", err.Error()))
	} else if errors.As(err, &e) {
		body.Error.Message = e.Message
		body.Error.Fields = e.Fields
	}
	if body.Error.Message == "" {
		body.Error.Message = http.StatusText(status)
	}
	if kind == meeting.KindRateLimited || kind == meeting.KindUnavailable {
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "5")
		}
	}
	c.AbortWithStatusJSON(status, body)
}

// handle adapts a handler that returns an error to gin: a non-nil error is
// written as the error body.
func (s *Server) handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.writeError(c, err)
		}
	}
}
