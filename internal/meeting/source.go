package meeting

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Format names the kind of input a source publishes.
type Format string

// The formats an import reads.
const (
	// FormatMeetingGuide is a Meeting Guide JSON feed (importers/meetingguide).
	FormatMeetingGuide Format = "meetingguide"
	// FormatBMLT is a BMLT root server URL, or a saved GetSearchResults
	// JSON file (importers/bmlt).
	FormatBMLT Format = "bmlt"
	// FormatCSV is a spreadsheet, optionally with a mapping file (importers/csv).
	FormatCSV Format = "csv"
	// FormatNAWS is a BMLT NAWS export CSV (bmlt.ParseNAWS).
	FormatNAWS Format = "naws"
)

// Formats lists every format, in the order the command line shows them.
var Formats = []Format{FormatMeetingGuide, FormatBMLT, FormatCSV, FormatNAWS}

// Valid reports whether f is one of Formats.
func (f Format) Valid() bool {
	for _, g := range Formats {
		if f == g {
			return true
		}
	}
	return false
}

// DefaultRefresh is how often serve re-imports a configured source that
// does not say.
const DefaultRefresh = 6 * time.Hour

// MinRefresh is the shortest refresh interval a sources file may ask for.
const MinRefresh = time.Minute

// Source is one feed or file meetings are imported from. Name goes into
// every meeting's Source and keys the meetings with their external ids;
// Location is an http(s) URL or a local path; Program and TimeZone are the
// defaults for records that do not give their own (empty Program = the
// importer's default; empty TimeZone = inferred from the meeting's point);
// OnlineTimeZone, when set, is the default zone of online meetings instead
// of TimeZone (feeds that list online meetings on another clock than their
// rooms); Mapping is the path of a CSV mapping file; Refresh is how often
// serve re-imports it (0 = only on demand). internal/ingest decides each
// meeting's zone from these (see its package comment). Local allows a URL
// on this machine or the local network (loopback, private and link-local
// addresses), which imports otherwise refuse to connect to.
type Source struct {
	Name           string
	Location       string
	Format         Format
	Program        Program
	TimeZone       string
	OnlineTimeZone string
	Mapping        string
	Refresh        time.Duration
	Local          bool
}

// sourceName is what a source name may look like: it is stored in every
// meeting and shown in the API.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Check returns a KindInvalid *meeting.Error naming every bad field of s, or nil.
func (s Source) Check() error {
	f := FieldErrors{}
	if !sourceName.MatchString(s.Name) {
		f.Add("name", fmt.Sprintf("%q is not a source name (lower-case letters, digits, '.', '_' and '-', at most 63)", s.Name))
	}
	if strings.TrimSpace(s.Location) == "" {
		f.Add("location", "is required (an http(s) URL or a path)")
	}
	if !s.Format.Valid() {
		f.Add("format", fmt.Sprintf("%q is not a format (want one of %s)", s.Format, FormatList()))
	}
	if s.Program != "" && !s.Program.Valid() {
		f.Add("program", fmt.Sprintf("%q is not a program", s.Program))
	}
	for _, z := range [...]struct{ field, name string }{{"timezone", s.TimeZone}, {"online_timezone", s.OnlineTimeZone}} {
		if z.name != "" {
			if _, err := time.LoadLocation(z.name); err != nil || z.name == "Local" {
				f.Add(z.field, fmt.Sprintf("%q is not an IANA time zone", z.name))
			}
		}
	}
	if s.Mapping != "" && s.Format != FormatCSV {
		f.Add("mapping", "is only for the csv format")
	}
	return f.Err("meeting.Source", fmt.Sprintf("source %q is not valid", s.Name))
}

// FormatList names every format, comma-separated, for messages.
func FormatList() string {
	s := make([]string, len(Formats))
	for i, f := range Formats {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// IsURL reports whether location is an http or https URL rather than a path.
func IsURL(location string) bool {
	l := strings.ToLower(strings.TrimSpace(location))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
