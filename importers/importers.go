// Package importers is the one way into the formats meetingfinder reads:
// Parse takes the bytes of a named format (meeting.Format) and hands them
// to that format's importer, with an explicit switch, so that feeds
// (internal/ingest) and organizations' uploads (internal/httpapi) read
// every format by the same rules.
//
// The importers themselves live beside this package, one per format:
// importers/meetingguide (Meeting Guide JSON), importers/csv (spreadsheets),
// importers/bmlt (BMLT GetSearchResults and NAWS exports), with the shared
// record toolkit in importers/record. All of them are pure: bytes in,
// meetings and per-record problems out, no network and no database.
package importers

import (
	"io"

	"github.com/meetingfinder/meetingfinder/importers/bmlt"
	"github.com/meetingfinder/meetingfinder/importers/csv"
	"github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Options are the settings of one import. ImportOptions apply to every
// format; the rest only to the format named.
type Options struct {
	meeting.ImportOptions
	// Mapping adapts a spreadsheet's layout (FormatCSV only); nil means
	// header-named columns. See csv.ParseMapping.
	Mapping *csv.Mapping
	// Catalog is what a BMLT server says besides its meetings: formats,
	// service bodies and default point (FormatBMLT only); the zero value
	// reads a saved GetSearchResults file on its own.
	Catalog bmlt.Catalog
}

// Parse reads r as format f. It returns the meetings (one per day of a
// multi-day listing) and a Problem for every record rejected or flagged.
// Input that is not the named format, and an unknown format, are a
// KindInvalid *meeting.Error and nothing else.
func Parse(r io.Reader, f meeting.Format, opts Options) ([]meeting.Meeting, []meeting.Problem, error) {
	switch f {
	case meeting.FormatMeetingGuide:
		return meetingguide.Parse(r, meetingguide.Options{ImportOptions: opts.ImportOptions})
	case meeting.FormatCSV:
		return csv.Parse(r, csv.Options{ImportOptions: opts.ImportOptions, Mapping: opts.Mapping})
	case meeting.FormatBMLT:
		return bmlt.Parse(r, opts.Catalog, bmlt.Options{ImportOptions: opts.ImportOptions})
	case meeting.FormatNAWS:
		return bmlt.ParseNAWS(r, bmlt.Options{ImportOptions: opts.ImportOptions})
	default:
		return nil, nil, meeting.Errorf(meeting.KindInvalid, "importers.Parse", "unknown format %q (want one of %s)", f, meeting.FormatList())
	}
}
