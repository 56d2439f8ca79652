package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/importers"
	mfcsv "github.com/meetingfinder/meetingfinder/importers/csv"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/sharedtest"
)

// sharedFeed is one real listing of ../shared/data, parsed.
type sharedFeed struct {
	rel      string
	meetings []meeting.Meeting
}

// sharedFeeds parses every meeting list of ../shared/data (skipping the
// test when it is absent), as the whole-import test in shared_test.go
// does, without a database.
func sharedFeeds(t *testing.T) []sharedFeed {
	t.Helper()
	root := sharedtest.Data(t)
	mappings := map[string]string{"baltimore.csv": "baltimore.mapping.json", "nyintergroup-import.tsv": "nyintergroup.mapping.json",
		"tsml-export-2014.tsv": "tsml-export-2014.mapping.json"}
	var out []sharedFeed
	for _, sub := range []string{"meetingguide", "bmlt", "csv"} {
		files, _ := filepath.Glob(filepath.Join(root, sub, "*"))
		for _, path := range files {
			rel, _ := filepath.Rel(root, path)
			name := filepath.Base(path)
			var format meeting.Format
			switch {
			case sub == "meetingguide":
				format = meeting.FormatMeetingGuide
			case sub == "bmlt" && strings.HasSuffix(name, ".csv"):
				format = meeting.FormatNAWS
			case sub == "bmlt":
				format = meeting.FormatBMLT
			default:
				format = meeting.FormatCSV
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			opts := importers.Options{ImportOptions: meeting.ImportOptions{Source: "shared"}}
			if m := mappings[name]; m != "" {
				f, err := os.Open(filepath.Join("..", "..", "importers", "csv", "testdata", m))
				if err != nil {
					t.Fatal(err)
				}
				opts.Mapping, err = mfcsv.ParseMapping(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			ms, _, err := importers.Parse(bytes.NewReader(data), format, opts)
			if err != nil {
				continue // not a meeting list; shared_test.go checks it fails cleanly
			}
			out = append(out, sharedFeed{rel: rel, meetings: ms})
		}
	}
	if len(out) == 0 {
		t.Skipf("../shared/data not present: no meeting lists under %s", root)
	}
	return out
}

// noPoint counts the meetings of ms without a point.
func noPoint(ms []meeting.Meeting) int {
	n := 0
	for i := range ms {
		if !ms[i].Location.HasPoint {
			n++
		}
	}
	return n
}

// oldZone is the zone the importer gave before the zone rules: the
// record's, else the zone at any point.
func oldZone(m meeting.Meeting, zones ZoneFinder) string {
	if m.TimeZone != "" {
		return m.TimeZone
	}
	if m.Location.HasPoint {
		return zones.Zone(m.Location.Lng(), m.Location.Lat())
	}
	return ""
}

// TestSharedFidelity checks the points of every real listing against
// their addresses and decides their zones with the real point finder and
// no source default: every meeting has a zone or a flag, and the log says
// how many points were dropped, how many meetings each rule gave a zone,
// and how many zones changed from the rule of before (record, else any
// point).
func TestSharedFidelity(t *testing.T) {
	for _, f := range sharedFeeds(t) {
		t.Run(f.rel, func(t *testing.T) {
			ms := append([]meeting.Meeting(nil), f.meetings...)
			zones := newCachedZones(defaultZones)
			pprobs, dropped := checkPoints(ms, zones)
			for _, p := range pprobs {
				t.Logf("point dropped: %s: %s", p.ExternalID, p.Reason)
			}
			_, centred, err := placeAtCentroids(context.Background(), ms, nil, zones)
			if err != nil {
				t.Fatal(err)
			}
			probs, counts := fillZones(ms, meeting.Source{Name: "shared"}, zones, time.Now())
			flagged := map[string]bool{}
			for _, p := range probs {
				if strings.HasPrefix(p.Reason, "no time zone") {
					flagged[p.ExternalID] = true
				}
			}
			changed, conflicts := 0, 0
			for _, p := range probs {
				if strings.HasPrefix(p.Reason, "zones disagree") {
					conflicts++
				}
			}
			for i, m := range ms {
				if m.TimeZone == "" && !flagged[m.ExternalID] {
					t.Errorf("%s has no zone and no flag", m.ExternalID)
				}
				if old := oldZone(f.meetings[i], defaultZones); old != m.TimeZone {
					changed++
				}
			}
			t.Logf("%d meetings: zone from record %d, text %d, source %d, point %d, none %d; %d changed from before, %d zone conflicts flagged; %d points dropped as contradicting the address; %d placed at a centroid of the feed's own places; %d without a point",
				len(ms), counts.Record, counts.Text, counts.Source, counts.Point, counts.None, changed, conflicts, dropped, centred, noPoint(ms))
			if counts.Conflicts != conflicts || counts.Record+counts.Text+counts.Source+counts.Point+counts.None != len(ms) {
				t.Errorf("counts %+v do not add up to %d meetings and %d conflicts", counts, len(ms), conflicts)
			}
		})
	}
}
