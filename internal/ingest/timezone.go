package ingest

import (
	"strings"
	"sync"
	"time"

	"github.com/ringsaturn/tzf"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ZoneFinder names the IANA time zone at a point ([lon, lat]); "" when it
// does not know one. Implementations must be safe for concurrent use.
type ZoneFinder interface {
	Zone(lng, lat float64) string
}

// tzfFinder is ZoneFinder on github.com/ringsaturn/tzf's default (lite,
// offline) boundary data, built on first use: building it takes a moment
// and some memory, so imports that never need it never pay for it.
type tzfFinder struct {
	once sync.Once
	f    tzf.F
	err  error
}

// defaultZones is shared by every Importer that does not bring its own.
var defaultZones = &tzfFinder{}

// Zone implements ZoneFinder. Zones of the ocean ("Etc/GMT+5") are not
// meeting places and yield "".
func (t *tzfFinder) Zone(lng, lat float64) string {
	t.once.Do(func() { t.f, t.err = tzf.NewDefaultFinder() })
	if t.err != nil {
		return ""
	}
	z := t.f.GetTimezoneName(lng, lat)
	if strings.HasPrefix(z, "Etc/") {
		return ""
	}
	return z
}

// zoneCache remembers which zone names time.LoadLocation accepts.
type zoneCache map[string]bool

func (c zoneCache) valid(z string) bool {
	ok, seen := c[z]
	if !seen {
		_, err := time.LoadLocation(z)
		ok = err == nil && z != "" && z != "Local"
		c[z] = ok
	}
	return ok
}

// fillZones gives every meeting without a zone one, in this order: the
// source's default zone, else the zone at the meeting's point (an
// approximate locality point is good enough for a zone). A meeting left
// without a zone is kept and gets a Flagged problem (Record 0: the
// importers do not say which record a meeting came from). It returns the
// problems added.
func fillZones(ms []meeting.Meeting, def string, zones ZoneFinder) []meeting.Problem {
	var probs []meeting.Problem
	cache := zoneCache{}
	for i := range ms {
		m := &ms[i]
		if m.TimeZone != "" {
			continue
		}
		if def != "" {
			m.TimeZone = def
			continue
		}
		if m.Location.HasPoint && zones != nil {
			if z := zones.Zone(m.Location.Lng(), m.Location.Lat()); z != "" && cache.valid(z) {
				m.TimeZone = z
				continue
			}
		}
		probs = append(probs, meeting.Problem{ExternalID: m.ExternalID, Name: m.Name, Severity: meeting.Flagged,
			Field: "timezone", Reason: "no time zone: the record gives none and it has no point to infer one from; give the source a default with --timezone"})
	}
	return probs
}
