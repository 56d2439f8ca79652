package meeting

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"
)

// Default and maximum values for the nearby query.
const (
	DefaultRadiusKM = 25.0
	MaxRadiusKM     = 500.0
	DefaultLimit    = 25
	MaxLimit        = 200
)

// Filter selects public meetings. Zero values mean "no constraint". Times
// (StartAfter, StartBefore, Today, UpcomingHours) are read in each meeting's
// own time zone.
type Filter struct {
	// Q is free text ("serenity", "big book", a town); when set, results are
	// ranked by text relevance (combined with distance when HasPoint) and
	// only meetings matching every word are kept.
	Q           string
	Point       orb.Point // [lon, lat]; used when HasPoint
	HasPoint    bool
	RadiusKM    float64
	Days        []Weekday
	Today       bool     // the meeting's day is today in its own zone
	StartAfter  *Clock   // start at or after this local time
	StartBefore *Clock   // start before this local time
	Types       []string // all required
	Attendance  []Attendance
	Programs    []Program
	Sources     []string
	// IDs keeps only the meetings with these ids (any of them); nil or
	// empty means any id.
	IDs []int64
	// UpcomingHours keeps meetings in progress or whose next start is within
	// this many hours of Now.
	UpcomingHours float64
	Now           time.Time // the reference time for Today, UpcomingHours and NextStart; zero means now (OrNow)
	Limit         int
	Cursor        *Cursor
}

// OrNow returns t, or the current time when t is zero: the reference time
// of a query whose Filter.Now is not set (and of anything else that takes
// a zero time to mean "now").
func OrNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// Cursor marks where a page ended: the sort key of its last meeting. With a
// point the key is (DistanceM, ID); without one it is (Day, Start, ID). A
// text query (Filter.Q) pages by Offset, the number of results already
// shown, since relevance is no stable key across search backends; ID is
// then the last meeting shown.
type Cursor struct {
	Offset    int     `json:"o,omitempty"`
	DistanceM float64 `json:"d,omitempty"`
	Day       int     `json:"w,omitempty"`
	Start     int     `json:"t,omitempty"`
	ID        int64   `json:"i"`
}

// CursorAfter returns the cursor of the page that ends with r: its sort
// key (DistanceM, ID) when the query has a point, else (Day, Start, ID),
// with a meeting by appointment sorting as day 7 at 00:00, after Saturday.
func CursorAfter(r *Result, hasPoint bool) *Cursor {
	c := &Cursor{ID: r.ID}
	switch {
	case hasPoint:
		c.DistanceM = r.DistanceM
	case r.ByAppointment:
		c.Day, c.Start = 7, 0
	default:
		c.Day, c.Start = int(r.Day), int(r.Start)
	}
	return c
}

// HasWords reports whether q holds a word a text index searches for: a
// letter or a digit. A Filter whose Q has none is not a text query.
func HasWords(q string) bool {
	return strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// Result is one meeting found by a query, with its distance from the query
// point (when there is one) and the start of its current or next occurrence.
// Every store sets DistanceM and HasDistance for every result of a query
// with a point, doors or not: the distance orders the results and keys
// the cursor. What is published as a distance is WalkingDistance.
type Result struct {
	Meeting
	DistanceM   float64
	HasDistance bool
	NextStart   time.Time // zero when the meeting has no schedule or zone
	InProgress  bool
}

// WalkingDistance returns the distance to show for r: DistanceM when the
// query had a point and the meeting has a door (Meeting.HasDoor), else
// false. An online or approximate meeting's point is a locality, not a
// place to walk to: "4 m away" would send someone to a locked door.
func (r *Result) WalkingDistance() (float64, bool) {
	if !r.HasDistance || !r.HasDoor() {
		return 0, false
	}
	return r.DistanceM, true
}

// Page is one page of results and the cursor of the next page (nil on the last).
type Page struct {
	Results    []Result
	NextCursor *Cursor
}

// Store keeps meetings. Implementations translate their own errors into
// *Error kinds: a missing meeting is KindNotFound, a dead database
// KindUnavailable.
type Store interface {
	// Find returns one page of public meetings matching f.
	Find(ctx context.Context, f Filter) (Page, error)
	// Get returns the public meeting with the given id.
	Get(ctx context.Context, id int64) (*Meeting, error)
}
