package ingest

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"US": "US", "USA": "US", "U.S.A.": "US", "United States": "US", "united states of america": "US",
		"UK": "GB", "GB": "GB", "United Kingdom": "GB", "Scotland": "GB", "England": "GB", "Wales": "GB", "Northern Ireland": "GB",
		"CA": "CA", "Canada": "CA", "Ireland": "IE", "Deutschland": "DE", "Germany": "DE", "Italy": "IT", "South Africa": "ZA",
		"Mars": "", "": "", "us": "US", "ca": "",
	} {
		if got := countryCode(in); got != want {
			t.Errorf("countryCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := countryByRegionName("CA"); got != "" {
		t.Errorf("the region CA names country %q, want none (California)", got)
	}
	if got := countryByRegionName("Scotland"); got != "GB" {
		t.Errorf("the region Scotland names %q, want GB", got)
	}
}

// TestPointContradiction runs the check on the real offline boundaries.
func TestPointContradiction(t *testing.T) {
	var (
		glasgow  = orb.Point{-4.2518, 55.8642}
		houston  = orb.Point{-95.3698, 29.7604}
		palermo  = orb.Point{13.3615, 38.1157}
		la       = orb.Point{-118.2437, 34.0522}
		brooklyn = orb.Point{-73.9442, 40.6782}
		windsor  = orb.Point{-83.0364, 42.3149} // Windsor, Ontario, across the river from Detroit
		detroit  = orb.Point{-83.0458, 42.3314}
		perth    = orb.Point{115.8605, -31.9505}
		kingston = orb.Point{-76.4860, 44.2312} // Ontario
	)
	zones := newCachedZones(defaultZones)
	for _, tc := range []struct {
		name            string
		country, region string
		at              orb.Point
		contradicts     bool
		reasonHas       string
	}{
		{"Scotland at Glasgow", "Scotland", "", glasgow, false, ""},
		{"Scotland in Texas", "Scotland", "", houston, true, "America/Chicago (US), but the address says Scotland (GB)"},
		{"Scotland in Sicily", "United Kingdom", "", palermo, true, "Europe/Rome"},
		{"Scotland as the region, in Texas", "", "Scotland", houston, true, "(GB)"},
		{"USA, New York, in Brooklyn", "USA", "NY", brooklyn, false, ""},
		{"USA, New York, in Los Angeles", "USA", "New York", la, true, "but the address says New York (NY)"},
		{"no country, NY, in Los Angeles (a US point)", "", "NY", la, true, "(NY)"},
		{"no country, WA, in Perth", "", "WA", perth, false, ""},
		{"Canada at Windsor, a point just over the border", "Canada", "ON", detroit, false, ""},
		{"Canada at Windsor", "CA", "ON", windsor, false, ""},
		{"Canada in Texas", "CA", "ON", houston, true, "(CA)"},
		{"CA with California: not checked", "CA", "CA", la, false, ""},
		{"Ontario in Kingston", "Canada", "Ontario", kingston, false, ""},
		{"a country it cannot read", "Atlantis", "", houston, false, ""},
		{"no country, no region", "", "", palermo, false, ""},
		{"a US state, the point just over its line", "US", "NY", orb.Point{-73.52, 41.20}, false, ""}, // Connecticut side
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := meeting.Meeting{ExternalID: "x", Location: meeting.Location{Country: tc.country, Region: tc.region, Point: tc.at, HasPoint: true}}
			reason := pointContradiction(&m, zones)
			if (reason != "") != tc.contradicts || !strings.Contains(reason, tc.reasonHas) {
				t.Errorf("reason %q, want contradiction %v with %q", reason, tc.contradicts, tc.reasonHas)
			}
		})
	}

	ms := []meeting.Meeting{
		{ExternalID: "a", Location: meeting.Location{Country: "Scotland", City: "Glasgow", Point: houston, HasPoint: true}},
		{ExternalID: "b", Location: meeting.Location{Country: "Scotland", City: "Glasgow", Point: glasgow, HasPoint: true}},
		{ExternalID: "c", Location: meeting.Location{Country: "Scotland", City: "Glasgow"}},
	}
	probs, n := checkPoints(ms, zones)
	if n != 1 || len(probs) != 1 || probs[0].ExternalID != "a" || probs[0].Field != "location" || probs[0].Severity != meeting.Flagged {
		t.Fatalf("checkPoints: %d dropped, problems %+v; want a's point dropped and flagged", n, probs)
	}
	if ms[0].Location.HasPoint || ms[0].Location.City != "Glasgow" || !ms[1].Location.HasPoint {
		t.Errorf("after the check: %+v", ms)
	}
}
