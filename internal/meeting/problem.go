package meeting

import "fmt"

// Severity says what an importer did with a record that had a problem.
type Severity string

// The severities of an import problem.
const (
	// Rejected records are not stored.
	Rejected Severity = "rejected"
	// Flagged records are stored, with the problem noted (an unknown type
	// code kept verbatim, a location that is not a real point, a missing zone).
	Flagged Severity = "flagged"
)

// Problem explains what was wrong with one record of an import. Record is
// the record's position in the input (1-based: array index + 1, or the line
// number of a CSV row), ExternalID its id when known, Field the field at
// fault (API names: "day", "start_time", "location.lat", "types", …), and
// Raw a short excerpt of the record for the report (never logged).
type Problem struct {
	Record     int      `json:"record"`
	ExternalID string   `json:"external_id,omitempty"`
	Name       string   `json:"name,omitempty"`
	Severity   Severity `json:"severity"`
	Field      string   `json:"field,omitempty"`
	Reason     string   `json:"reason"`
	Raw        string   `json:"raw,omitempty"`
}

// String formats the problem for a human-readable report.
func (p Problem) String() string {
	id := p.ExternalID
	if id == "" {
		id = "-"
	}
	if p.Field != "" {
		return fmt.Sprintf("record %d (%s) %s: %s: %s", p.Record, id, p.Severity, p.Field, p.Reason)
	}
	return fmt.Sprintf("record %d (%s) %s: %s", p.Record, id, p.Severity, p.Reason)
}

// ImportOptions are the settings every importer takes.
type ImportOptions struct {
	// Source names the publisher; it goes into Meeting.Source.
	Source string
	// Program is the program of meetings whose record does not say.
	Program Program
}
