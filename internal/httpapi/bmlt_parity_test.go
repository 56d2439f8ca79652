package httpapi_test

// The assertions of BMLT's own feature tests (bmlt-enabled/bmlt-server,
// src/tests/Feature/Get*Test.php) about shapes and parameters, re-expressed
// against our API. Those that depend on BMLT's admin features (logins,
// unpublished meetings, aggregator mode, server settings) have no
// counterpart here.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	mgimport "github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/sharedtest"
)

// TestBMLTRepeatedSlashes: a root server configured as "https://HOST/bmlt/"
// makes clients ask for "/bmlt//client_interface/…", which BMLT answers
// (testMultipleLeadingSlashes).
func TestBMLTRepeatedSlashes(t *testing.T) {
	e := newFeedEnv(t)
	for _, target := range []string{
		"/bmlt//client_interface/json/?switcher=GetSearchResults&weekdays=2",
		"/bmlt///client_interface/json/?switcher=GetSearchResults&weekdays=2",
		"//bmlt/client_interface//json/?switcher=GetSearchResults&weekdays=2",
	} {
		var got []map[string]string
		e.bmltGet(t, target, &got)
		if d := cmp.Diff([]string{"Downtown Big Book"}, bmltNames(got)); d != "" {
			t.Errorf("GET %s (-want +got):\n%s", target, d)
		}
	}
	r := e.do(t, "/bmlt//client_interface/jsonp/?switcher=GetServerInfo&callback=cb")
	if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "/**/cb([") {
		t.Errorf("JSONP with a repeated slash: %d %.100s", r.status, r.body)
	}
}

// TestBMLTAddressFromFormattedAddress imports a Meeting Guide feed that
// gives only formatted_address and reads the meetings through
// GetSearchResults: the BMLT address fields are filled from it, and a
// locality gets its town and state.
func TestBMLTAddressFromFormattedAddress(t *testing.T) {
	feed := `[
	{"slug": "a", "name": "Street Address", "day": 1, "time": "19:00", "types": ["O"],
	 "formatted_address": "1937 West MacDade Boulevard, Woodlyn, PA 19094, USA", "latitude": 39.87, "longitude": -75.34},
	{"slug": "b", "name": "Online Locality", "day": 2, "time": "07:00", "conference_url": "https://zoom.us/j/1",
	 "formatted_address": "San Jose, CA, USA"},
	{"slug": "c", "name": "Unclear", "day": 3, "time": "08:00",
	 "formatted_address": "325 Cherry St. Philadelphia, PA 19106", "latitude": 39.95, "longitude": -75.14}
	]`
	ms, _, err := mgimport.Parse(strings.NewReader(feed), mgimport.Options{ImportOptions: meeting.ImportOptions{Source: "mg"}})
	if err != nil || len(ms) != 3 {
		t.Fatalf("Parse: %d meetings, %v", len(ms), err)
	}
	e := newFeedEnvWith(t, ms)
	var got []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=meeting_name,location_street,location_municipality,"+
		"location_province,location_postal_code_1,location_nation", &got)
	want := []map[string]string{
		{"meeting_name": "Street Address", "location_street": "1937 West MacDade Boulevard", "location_municipality": "Woodlyn",
			"location_province": "PA", "location_postal_code_1": "19094", "location_nation": "USA"},
		{"meeting_name": "Online Locality", "location_street": "", "location_municipality": "San Jose",
			"location_province": "CA", "location_postal_code_1": "", "location_nation": "USA"},
		// The town is not told apart from the street: left empty.
		{"meeting_name": "Unclear", "location_street": "", "location_municipality": "",
			"location_province": "PA", "location_postal_code_1": "19106", "location_nation": ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("address fields (-want +got):\n%s", d)
	}
}

// TestBMLTAddressOfRealFeeds imports the real Meeting Guide feeds that give
// only formatted_address and checks that nearly every meeting has a town
// (location_municipality) through GetSearchResults.
func TestBMLTAddressOfRealFeeds(t *testing.T) {
	dir := filepath.Join(sharedtest.Data(t), "meetingguide")
	for _, name := range []string{"aasepia.json", "aasanjose.test.json", "nepa-tsml-cache.json"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Skipf("../shared/data: %v", err)
			}
			defer f.Close()
			ms, _, err := mgimport.Parse(f, mgimport.Options{ImportOptions: meeting.ImportOptions{Source: name}})
			if err != nil {
				t.Fatal(err)
			}
			e := newFeedEnvWith(t, ms)
			var got []map[string]string
			e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=location_municipality,location_province", &got)
			empty := 0
			for _, m := range got {
				if m["location_municipality"] == "" || m["location_province"] == "" {
					empty++
				}
			}
			t.Logf("%s: %d of %d meetings without a town or state", name, empty, len(got))
			if len(got) == 0 || empty*100 > len(got) {
				t.Errorf("%d of %d meetings without a town or state, want under 1%%", empty, len(got))
			}
		})
	}
}
