package meeting

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error so that every adapter can translate it once:
// the HTTP layer maps each kind to one status code.
type Kind string

// The error kinds used across the project.
const (
	KindInvalid      Kind = "invalid"      // the caller sent something wrong (400)
	KindNotFound     Kind = "not_found"    // the thing asked for does not exist (404)
	KindConflict     Kind = "conflict"     // the change clashes with current state (409)
	KindUnauthorized Kind = "unauthorized" // no or bad credentials (401)
	KindForbidden    Kind = "forbidden"    // credentials do not allow this (403)
	KindRateLimited  Kind = "rate_limited" // too many requests (429)
	KindTooLarge     Kind = "too_large"    // a request body over the limit (413)
	KindUnavailable  Kind = "unavailable"  // a dependency is down or slow (503)
	KindInternal     Kind = "internal"     // a bug or an unexpected failure (500)
)

// Error is the project's one error type. Op names the operation that failed
// ("postgres.Get"), Message is safe to show to API clients, Fields carries a
// reason per invalid input field, and Err is the underlying cause (never
// shown to clients).
type Error struct {
	Kind    Kind
	Op      string
	Message string
	Fields  map[string]string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString(string(e.Kind))
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, op, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of the given kind that wraps err. It returns nil
// when err is nil.
func Wrap(kind Kind, op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Op: op, Err: err}
}

// ErrorKind returns the kind of the first *Error in err's chain, KindInternal
// when there is none, and "" when err is nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err carries the given kind.
func IsKind(err error, kind Kind) bool { return ErrorKind(err) == kind }

// FieldErrors collects a reason per field; its Err method turns the
// collection into a KindInvalid *Error, or nil when it is empty.
type FieldErrors map[string]string

// Add records reason for field, keeping the first reason given. The map
// is made on first use, so a zero FieldErrors costs nothing when all is well.
func (f *FieldErrors) Add(field, reason string) {
	if *f == nil {
		*f = FieldErrors{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = reason
	}
}

// Err returns a KindInvalid *Error listing every field, or nil when empty.
func (f FieldErrors) Err(op, message string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Op: op, Message: message, Fields: map[string]string(f)}
}
