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

// RecordShape tallies, over the records of one input, those that lack what
// makes them meetings in the format's own fields: a schedule (a day or a
// time) and a place (an address, a point or a way to join). A file of
// another shape read as a format (a directory's JSON as a Meeting Guide
// feed) yields records with a name and little else; stored, they would
// be meetings "by appointment" and inactive, their schedules lost. Err
// tells such a file from a feed.
type RecordShape struct {
	Records    int
	NoSchedule int
	NoPlace    int
	Neither    int
}

// Add counts one record by whether it has a schedule and a place.
func (s *RecordShape) Add(schedule, place bool) {
	s.Records++
	if !schedule {
		s.NoSchedule++
	}
	if !place {
		s.NoPlace++
	}
	if !schedule && !place {
		s.Neither++
	}
}

// MinShapeRecords is how many records an input needs before a majority
// without a schedule, or without a place, fails it: a small upload may be
// all meetings by appointment. A majority with neither fails any input.
const MinShapeRecords = 10

// Err returns a KindInvalid *Error when most records lack a schedule and a
// place (or, in an input of at least MinShapeRecords, most lack one of
// them), or nil. what names the input ("a Meeting Guide feed"), and
// scheduleFields and placeFields the format's fields, for the message.
func (s RecordShape) Err(op, what, scheduleFields, placeFields string) error {
	half := s.Records / 2
	switch {
	case s.Records == 0:
		return nil
	case s.Neither > half:
		return Errorf(KindInvalid, op, "not %s: %d of %d records have neither a schedule (%s) nor a place (%s); is it another format?",
			what, s.Neither, s.Records, scheduleFields, placeFields)
	case s.Records >= MinShapeRecords && s.NoSchedule > half:
		return Errorf(KindInvalid, op, "not %s: %d of %d records have no schedule (%s); is it another format?",
			what, s.NoSchedule, s.Records, scheduleFields)
	case s.Records >= MinShapeRecords && s.NoPlace > half:
		return Errorf(KindInvalid, op, "not %s: %d of %d records have no place (%s); is it another format?",
			what, s.NoPlace, s.Records, placeFields)
	}
	return nil
}
