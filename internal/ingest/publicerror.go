package ingest

import (
	"context"
	"errors"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// publicError is an error with its public reason: what anyone may be told
// about it (GET /v1/sources shows it to everyone), without the host
// names, addresses, paths and URLs that the error itself names. Its text
// is the error's own.
type publicError struct {
	err    error
	reason string
}

// Error returns the error's own text, with its details.
func (e *publicError) Error() string { return e.err.Error() }

// Unwrap returns the error itself.
func (e *publicError) Unwrap() error { return e.err }

// public gives err its public reason.
func public(err error, reason string) error { return &publicError{err: err, reason: reason} }

// PublicReason says in plain words, and without naming hosts, addresses,
// paths or URLs (which can be secret: a published spreadsheet's id, a key
// in a query), why a run of a source of format failed: "the feed could not
// be reached", "the feed answered 404 (not found)", "the file is not
// valid JSON", … It is what GET /v1/sources shows to anyone; the error
// itself is kept for admins and the logs.
func PublicReason(format meeting.Format, err error) string {
	var pe *publicError
	if errors.As(err, &pe) {
		return pe.reason
	}
	if errors.Is(err, context.Canceled) {
		return "the import was interrupted"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the import took too long"
	}
	var me *meeting.Error
	errors.As(err, &me)
	switch meeting.ErrorKind(err) {
	case meeting.KindInvalid:
		if me != nil && me.Op == "meeting.Source" {
			return "the source's settings are not valid"
		}
		if strings.Contains(err.Error(), "mapping") && format == meeting.FormatCSV {
			return "the spreadsheet does not match its mapping"
		}
		if strings.Contains(err.Error(), "invalid JSON") {
			return "the file is not valid JSON"
		}
		switch format {
		case meeting.FormatMeetingGuide:
			return "the file is not a Meeting Guide feed"
		case meeting.FormatBMLT:
			return "the answer is not a BMLT response"
		case meeting.FormatCSV, meeting.FormatNAWS:
			return "the file could not be read as a spreadsheet of meetings"
		}
		return "the file could not be read"
	case meeting.KindTooLarge:
		return "the feed is larger than the import's size limit"
	case meeting.KindUnavailable:
		return "the import could not be saved: the database was unavailable"
	}
	return "the import failed on our side"
}
