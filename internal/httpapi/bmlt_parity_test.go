package httpapi_test

// The assertions of BMLT's own feature tests (bmlt-enabled/bmlt-server,
// src/tests/Feature/Get*Test.php) about shapes and parameters, re-expressed
// against our API. Those that depend on BMLT's admin features (logins,
// unpublished meetings, aggregator mode, server settings) have no
// counterpart here.

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	mgimport "github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
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
// GetSearchResults: the BMLT address fields are filled from it (the
// country as its code, as imports store it), and a locality gets its town
// and state.
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
			"location_province": "PA", "location_postal_code_1": "19094", "location_nation": "US"},
		{"meeting_name": "Online Locality", "location_street": "", "location_municipality": "San Jose",
			"location_province": "CA", "location_postal_code_1": "", "location_nation": "US"},
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

// TestBMLTServerInfo follows GetServerInfoTest: a list of one object whose
// settings are JSON booleans, the rest strings, and JSONP.
func TestBMLTServerInfo(t *testing.T) {
	e := newFeedEnv(t)
	var info []map[string]any
	e.bmltGet(t, bmltJSON+"switcher=GetServerInfo", &info)
	if len(info) != 1 {
		t.Fatalf("GetServerInfo: %d objects, want 1", len(info))
	}
	for _, k := range []string{"auto_geocoding_enabled", "county_auto_geocoding_enabled", "zip_auto_geocoding_enabled",
		"default_closed_status", "aggregator_mode_enabled"} {
		if v, ok := info[0][k].(bool); !ok || v {
			t.Errorf("%s = %#v, want false", k, info[0][k])
		}
	}
	for _, k := range []string{"version", "versionInt", "langs", "nativeLang", "centerLongitude", "centerLatitude", "centerZoom",
		"defaultDuration", "regionBias", "charSet", "distanceUnits", "semanticAdmin", "changesPerMeeting",
		"meeting_states_and_provinces", "meeting_counties_and_sub_provinces", "available_keys", "google_api_key",
		"dbVersion", "dbPrefix", "phpVersion", "commit"} {
		if _, ok := info[0][k].(string); !ok {
			t.Errorf("%s = %#v, want a string", k, info[0][k])
		}
	}
	if info[0]["langs"] != "en,es" || info[0]["versionInt"] != "4000000" {
		t.Errorf("langs %v, versionInt %v", info[0]["langs"], info[0]["versionInt"])
	}
	keys := strings.Split(info[0]["available_keys"].(string), ",")
	if len(keys) != len(bmlt.FieldKeys)+2 || !slices.Contains(keys, "root_server_uri") || !slices.Contains(keys, "format_shared_id_list") ||
		slices.Contains(keys, "contact_email_1") {
		t.Errorf("available_keys %v: want GetFieldKeys' keys, root_server_uri and format_shared_id_list", keys)
	}
	r := e.do(t, "/bmlt/client_interface/jsonp/?switcher=GetServerInfo&callback=asdf")
	if !strings.HasPrefix(string(r.body), "/**/asdf([") || !strings.HasSuffix(string(r.body), "]);") ||
		r.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("JSONP: %s %.60s", r.header.Get("Content-Type"), r.body)
	}
}

// TestBMLTFieldKeys follows GetFieldKeysTest: exactly BMLT's keys and
// descriptions, in its order; no contact, distance or other keys.
func TestBMLTFieldKeys(t *testing.T) {
	e := newFeedEnv(t)
	var got []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFieldKeys", &got)
	want := []map[string]string{
		{"key": "id_bigint", "description": "ID"}, {"key": "worldid_mixed", "description": "World ID"},
		{"key": "service_body_bigint", "description": "Service Body ID"}, {"key": "weekday_tinyint", "description": "Weekday"},
		{"key": "venue_type", "description": "Venue Type"}, {"key": "start_time", "description": "Start Time"},
		{"key": "duration_time", "description": "Duration"}, {"key": "time_zone", "description": "Time Zone"},
		{"key": "formats", "description": "Formats"}, {"key": "lang_enum", "description": "Language"},
		{"key": "longitude", "description": "Longitude"}, {"key": "latitude", "description": "Latitude"},
		{"key": "meeting_name", "description": "Meeting Name"}, {"key": "location_text", "description": "Location Name"},
		{"key": "location_info", "description": "Additional Location Information"},
		{"key": "location_street", "description": "Street Address"}, {"key": "location_city_subsection", "description": "Borough"},
		{"key": "location_neighborhood", "description": "Neighborhood"}, {"key": "location_municipality", "description": "Town"},
		{"key": "location_sub_province", "description": "County"}, {"key": "location_province", "description": "State"},
		{"key": "location_postal_code_1", "description": "Zip Code"}, {"key": "location_nation", "description": "Nation"},
		{"key": "comments", "description": "Comments"}, {"key": "train_lines", "description": "Train Lines"},
		{"key": "bus_lines", "description": "Bus Lines"}, {"key": "phone_meeting_number", "description": "Phone Meeting Dial-in Number"},
		{"key": "virtual_meeting_link", "description": "Virtual Meeting Link"},
		{"key": "virtual_meeting_additional_info", "description": "Virtual Meeting Additional Info"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("GetFieldKeys (-want +got):\n%s", d)
	}
	r := e.do(t, "/bmlt/client_interface/jsonp/?switcher=GetFieldKeys&callback=asdf")
	if !strings.HasPrefix(string(r.body), "/**/asdf([") || !strings.HasSuffix(string(r.body), "]);") {
		t.Errorf("JSONP: %.60s", r.body)
	}
}

// TestBMLTObjectKeys follows GetSearchResultsTest's data_field_key and
// sensitive-field tests: a meeting object carries BMLT's keys, the
// distances and email_contact among them even without a point (""), the
// contact fields and admin_notes "" for anyone not logged in; each key
// alone in data_field_key gives objects of that key only.
func TestBMLTObjectKeys(t *testing.T) {
	e := newFeedEnv(t)
	var ms []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults", &ms)
	if len(ms) == 0 {
		t.Fatal("no meetings")
	}
	wantKeys := slices.Sorted(slices.Values(bmlt.ObjectKeys))
	for _, m := range ms {
		if d := cmp.Diff(wantKeys, slices.Sorted(maps.Keys(m))); d != "" {
			t.Fatalf("%s: keys (-want +got):\n%s", m["meeting_name"], d)
		}
		for _, k := range []string{"distance_in_km", "distance_in_miles", "email_contact", "contact_name_1", "contact_phone_1",
			"contact_email_1", "contact_name_2", "contact_phone_2", "contact_email_2", "admin_notes"} {
			if m[k] != "" {
				t.Errorf("%s: %s = %q, want \"\"", m["meeting_name"], k, m[k])
			}
		}
		if m["published"] != "1" || m["root_server_uri"] != "http://127.0.0.1:8080/bmlt" || m["lang_enum"] != "en" {
			t.Errorf("%s: published %q, root_server_uri %q, lang_enum %q", m["meeting_name"], m["published"], m["root_server_uri"], m["lang_enum"])
		}
	}
	for _, k := range bmlt.ObjectKeys {
		var one []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key="+k, &one)
		if len(one) != len(ms) || len(one[0]) != 1 {
			t.Errorf("data_field_key=%s: %d meetings, first %v", k, len(one), one[0])
		} else if _, ok := one[0][k]; !ok {
			t.Errorf("data_field_key=%s: %v", k, one[0])
		}
	}
	// distance_in_km or _miles asked for with a point and no width: every
	// meeting with a point, with its distance (testHasDistanceCalculation…).
	var near []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=meeting_name,distance_in_miles&long_val=-73.9857&lat_val=40.7484", &near)
	if len(near) != 4 || near[0]["distance_in_miles"] == "" {
		t.Errorf("distance from data_field_key: %v", near)
	}
	for _, m := range near {
		if m["meeting_name"] == "Downtown Big Book" && m["distance_in_miles"] != "0" {
			t.Errorf("on the dot: distance_in_miles %q, want 0", m["distance_in_miles"])
		}
	}
}

// bmltMeeting is an in-person meeting for the BMLT tests: name, weekday
// (0 = Sunday, as BMLT stores it), start "HH:MM" and a duration in minutes
// (0: none given), at a point near Greensboro (BMLT's test point), changed
// by mods.
func bmltMeeting(t *testing.T, name string, day int, start string, minutes int, mods ...func(*meeting.Meeting)) meeting.Meeting {
	t.Helper()
	c, err := meeting.ParseClock(start)
	if err != nil {
		t.Fatal(err)
	}
	end := meeting.NoClock
	if minutes > 0 {
		end = meeting.Clock((int(c) + minutes) % (24 * 60))
	}
	m := meeting.Meeting{Source: "bmlt-test", ExternalID: name, Name: name, Program: meeting.ProgramNA,
		Day: meeting.Weekday(day), Start: c, End: end, Types: []string{"O"}, Attendance: meeting.AttendanceInPerson,
		Location: meeting.Location{Address: "1 Main St", City: "Greensboro", Point: orb.Point{-79.793701171875, 36.065752051707}, HasPoint: true}}
	for _, f := range mods {
		f(&m)
	}
	return m
}

// town, state and types set a meeting's town, state or type codes.
func town(s string) func(*meeting.Meeting) { return func(m *meeting.Meeting) { m.Location.City = s } }
func state(s string) func(*meeting.Meeting) {
	return func(m *meeting.Meeting) { m.Location.Region = s }
}
func types(c ...string) func(*meeting.Meeting) { return func(m *meeting.Meeting) { m.Types = c } }

// bmltIDs returns the id_bigint of each meeting, in order.
func bmltIDs(ms []map[string]string) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m["id_bigint"])
	}
	return out
}

// idsOf returns the ids of the meetings named, as id_bigint strings.
func (e *feedEnv) idsOf(names ...string) []string {
	out := []string{}
	for _, n := range names {
		out = append(out, strconv.FormatInt(e.ids[n], 10))
	}
	return out
}

// TestBMLTSortOrders follows GetSearchResultsTest's sort_key and sort_keys
// tests, on the same meetings: BMLT's presets, the default order, several
// keys, and empty values last.
func TestBMLTSortOrders(t *testing.T) {
	e := newFeedEnvWith(t, []meeting.Meeting{
		bmltMeeting(t, "m1", 3, "01:00", 90, town("a"), state("a")),
		bmltMeeting(t, "m2", 3, "01:00", 60, town("z"), state("d")),
		bmltMeeting(t, "m3", 1, "19:00", 0, town("z"), state("f")),
		bmltMeeting(t, "m4", 1, "09:00", 0, town("a"), state("e")),
		bmltMeeting(t, "m5", 2, "23:59", 0, town("z"), state("b")),
		bmltMeeting(t, "m6", 2, "01:00", 0, town("a"), state("c")),
		bmltMeeting(t, "m7", 2, "01:00", 0, town(""), state("")),
	})
	for _, c := range []struct{ query, want string }{
		{"sort_key=weekday", "m4 m3 m6 m5 m7 m1 m2"}, // weekday, town, start; m7 has no town
		{"sort_key=time", "m4 m3 m6 m7 m5 m1 m2"},    // weekday, start, town
		{"sort_key=town", "m4 m6 m1 m3 m5 m2 m7"},    // town, weekday, start
		{"sort_key=state", "m1 m5 m6 m2 m4 m3 m7"},   // state, town, weekday, start
		{"sort_key=weekday_state", "m4 m3 m5 m6 m7 m1 m2"},
		{"sort_key=asdf", "m4 m3 m6 m7 m5 m2 m1"}, // the default: weekday, start, duration
		{"", "m4 m3 m6 m7 m5 m2 m1"},
		{"sort_keys=weekday_tinyint,start_time,location_municipality", "m4 m3 m6 m7 m5 m1 m2"},
		{"sort_keys=location_municipality", "m1 m4 m6 m2 m3 m5 m7"}, // empty last, then id
		{"sort_keys=location_province,meeting_name", "m1 m5 m6 m2 m4 m3 m7"},
	} {
		var got []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+c.query, &got)
		if d := cmp.Diff(e.idsOf(strings.Fields(c.want)...), bmltIDs(got)); d != "" {
			t.Errorf("%s: order (-want %s +got):\n%s", c.query, c.want, d)
		}
	}
}

// TestBMLTFormatOrder follows testFormatsOpenAtBeginning and
// testFormatsClosedAtBeginning: formats lists Open or Closed first, then
// the others by id; format_shared_id_list is in id order.
func TestBMLTFormatOrder(t *testing.T) {
	e := newFeedEnvWith(t, []meeting.Meeting{
		bmltMeeting(t, "open", 1, "19:00", 0, types("W", "O")),
		bmltMeeting(t, "closed", 1, "20:00", 0, types("ST", "C", "B")),
		bmltMeeting(t, "numbers", 1, "21:00", 0, types("B", "A", "11")),
	})
	var got []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=meeting_name,formats,format_shared_id_list", &got)
	want := []map[string]string{
		{"meeting_name": "open", "formats": "O,W", "format_shared_id_list": bmlt.FormatID("O") + "," + bmlt.FormatID("W")},
		{"meeting_name": "closed", "formats": "C,B,ST", "format_shared_id_list": bmlt.FormatID("B") + "," + bmlt.FormatID("C") + "," + bmlt.FormatID("ST")},
		{"meeting_name": "numbers", "formats": "11,A,B", "format_shared_id_list": bmlt.FormatID("11") + "," + bmlt.FormatID("A") + "," + bmlt.FormatID("B")},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("formats (-want +got):\n%s", d)
	}
}

// TestBMLTFormats follows GetFormatsTest: the formats in use unless
// show_all=1, key_strings, one or several languages (none known: []),
// format_ids to include or (negative) exclude, root_server_uri, JSONP.
func TestBMLTFormats(t *testing.T) {
	e := newFeedEnvWith(t, []meeting.Meeting{
		bmltMeeting(t, "m1", 1, "19:00", 0, types("O", "B")),
		bmltMeeting(t, "m2", 2, "19:00", 0, types("C")),
	})
	keysOf := func(fs []map[string]string) []string {
		out := []string{}
		for _, f := range fs {
			out = append(out, f["lang"]+":"+f["key_string"])
		}
		return out
	}
	O, C, B := bmlt.FormatID("O"), bmlt.FormatID("C"), bmlt.FormatID("B")
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"en:B", "en:C", "en:O"}},
		{"key_strings=O", []string{"en:O"}},
		{"key_strings[]=O&key_strings[]=C", []string{"en:C", "en:O"}},
		{"key_strings[]=TC&key_strings[]=VM&key_strings[]=HY", []string{}},
		{"lang_enum=es", []string{"es:B", "es:C", "es:O"}},
		{"lang_enum[]=es&lang_enum[]=en", []string{"es:B", "es:C", "es:O", "en:B", "en:C", "en:O"}},
		{"lang_enum=it", []string{}},
		{"lang_enum=es&key_strings=O", []string{"es:O"}},
		{"format_ids=" + O, []string{"en:O"}},
		{"format_ids[]=" + O + "&format_ids[]=" + C, []string{"en:C", "en:O"}},
		{"format_ids=" + O + ",%20" + C, []string{"en:C", "en:O"}},
		{"format_ids=-" + O, []string{"en:B", "en:C"}},
		{"format_ids[]=-" + O + "&format_ids[]=-" + C, []string{"en:B"}},
		{"format_ids=-" + O + ",%20-" + B, []string{"en:C"}},
		{"format_ids=999999", []string{}},
		{"format_ids=abc", []string{"en:B", "en:C", "en:O"}},
	} {
		var got []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetFormats&"+c.query, &got)
		if d := cmp.Diff(c.want, keysOf(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.query, d)
		}
	}
	var all, o []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&show_all=1", &all)
	if len(all) != len(meeting.Types)+2 {
		t.Errorf("show_all=1: %d formats, want the whole catalogue (%d)", len(all), len(meeting.Types)+2)
	}
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&key_strings=O", &o)
	want := []map[string]string{{"key_string": "O", "name_string": "Open", "description_string": "Open", "lang": "en", "id": O,
		"world_id": "OPEN", "format_type_enum": "O", "root_server_uri": "http://127.0.0.1:8080/bmlt"}}
	if d := cmp.Diff(want, o); d != "" {
		t.Errorf("the format object (-want +got):\n%s", d)
	}

	none := newFeedEnvWith(t, nil)
	r := none.do(t, "/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=asdf")
	if string(r.body) != "/**/asdf([]);" {
		t.Errorf("no meetings, JSONP: %s", r.body)
	}
	var sbs []map[string]string
	none.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &sbs)
	if sbs == nil || len(sbs) != 0 {
		t.Errorf("no meetings: service bodies %v", sbs)
	}
}

// inBody puts a meeting in a source and its regions: the service body of
// the most specific region, under the bodies of the others and the
// source.
func inBody(source string, regions ...string) func(*meeting.Meeting) {
	return func(m *meeting.Meeting) { m.Source, m.Location.Regions = source, regions }
}

// TestBMLTServiceBodies follows GetServiceBodiesTest and the services
// tests of GetSearchResultsTest over two sources (BMLT's zones), each with
// a region and an area below it: services[] to include, negative ids to
// exclude, recursive=1 and parents=1 for both.
func TestBMLTServiceBodies(t *testing.T) {
	e := newFeedEnvWith(t, []meeting.Meeting{
		bmltMeeting(t, "in marietta", 1, "19:00", 0, inBody("sezf", "ga", "marietta")),
		bmltMeeting(t, "in capital area", 2, "19:00", 0, inBody("nezf", "nc", "capital area")),
		bmltMeeting(t, "in nezf", 3, "19:00", 0, inBody("nezf")),
	})
	id := map[string]string{
		"sezf": bmlt.ServiceBodyID("sezf"), "ga": bmlt.ServiceBodyID("sezf", "ga"), "marietta": bmlt.ServiceBodyID("sezf", "ga", "marietta"),
		"nezf": bmlt.ServiceBodyID("nezf"), "nc": bmlt.ServiceBodyID("nezf", "nc"), "capital area": bmlt.ServiceBodyID("nezf", "nc", "capital area"),
	}
	q := func(s string) string {
		for _, name := range []string{"capital area", "marietta", "sezf", "nezf", "ga", "nc"} {
			s = strings.ReplaceAll(s, "{"+name+"}", id[name])
		}
		return s
	}
	var all []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &all)
	want := map[string]string{"id": id["marietta"], "parent_id": id["ga"], "name": "marietta", "description": "ga > marietta",
		"type": "AS", "url": "", "helpline": "", "world_id": ""}
	if len(all) != 6 || !slices.ContainsFunc(all, func(b map[string]string) bool { return cmp.Equal(want, b) }) {
		t.Errorf("GetServiceBodies: %v, want 6 bodies, one of them %v", all, want)
	}
	names := func(bs []map[string]string) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b["name"])
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct{ query, want string }{
		{"services={marietta}", "marietta"},
		{"services[]={capital area}&services[]={ga}", "capital area,ga"},
		{"services={capital area},%20{ga}", "capital area,ga"},
		{"services=-{marietta}", "capital area,ga,nc,nezf,sezf"},
		{"services[]=-{nc}&services[]=-{capital area}", "ga,marietta,nezf,sezf"},
		{"services={sezf}&recursive=1", "ga,marietta,sezf"},
		{"services={ga}&recursive=1", "ga,marietta"},
		{"services[]={ga}&services[]={nc}&recursive=1", "capital area,ga,marietta,nc"},
		{"services={marietta}&recursive=1", "marietta"},
		{"services={sezf}&parents=1", "sezf"},
		{"services={ga}&parents=1", "ga,sezf"},
		{"services={marietta}&parents=1", "ga,marietta,sezf"},
		{"services[]={marietta}&services[]={capital area}&parents=1", "capital area,ga,marietta,nc,nezf,sezf"},
		{"services[]=-{ga}&services[]=-{nc}&parents=1", "capital area,marietta"},
		{"services[]=-{ga}&services[]=-{nc}&recursive=1", "nezf,sezf"},
		{"services[]={ga}&services[]=-{nc}&recursive=1&parents=1", "ga,marietta,sezf"},
		{"services=abc", ""},
	} {
		var got []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies&"+q(c.query), &got)
		want := []string{}
		if c.want != "" {
			want = strings.Split(c.want, ",")
		}
		if d := cmp.Diff(want, names(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.query, d)
		}
	}

	for _, c := range []struct{ query, want string }{
		{"services={marietta}", "in marietta"},
		{"services=-{marietta}", "in capital area,in nezf"},
		{"services[]=-{ga}", "in marietta,in capital area,in nezf"},
		{"services[]=-{ga}&recursive=1", "in capital area,in nezf"},
		{"services[]=-{sezf}&recursive=1", "in capital area,in nezf"},
		{"services[]=-{sezf}&services[]=-{nezf}&recursive=1", ""},
		{"services[]={sezf}&recursive=1", "in marietta"},
		{"services={nezf}", "in nezf"},
		{"services[]={nezf}&services[]=-{capital area}&recursive=1", "in nezf"},
		{"services[]={nezf}&recursive=true", "in nezf"}, // BMLT: only recursive=1
	} {
		var got []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+q(c.query), &got)
		want := []string{}
		if c.want != "" {
			want = strings.Split(c.want, ",")
		}
		if d := cmp.Diff(want, bmltNames(got)); d != "" {
			t.Errorf("GetSearchResults %s (-want +got):\n%s", c.query, d)
		}
	}
	var named []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=service_body_bigint,service_body_name&services="+id["marietta"], &named)
	if d := cmp.Diff([]map[string]string{{"service_body_bigint": id["marietta"], "service_body_name": "marietta"}}, named); d != "" {
		t.Errorf("service_body_name (-want +got):\n%s", d)
	}
}

// at, venue, notes, zone and online change a BMLT test meeting: its
// point, attendance (with a join link when online or hybrid), location
// notes (location_info), time zone, or conference link.
func at(lat, lng float64) func(*meeting.Meeting) {
	return func(m *meeting.Meeting) { m.Location.Point, m.Location.HasPoint = orb.Point{lng, lat}, true }
}
func venue(a meeting.Attendance) func(*meeting.Meeting) {
	return func(m *meeting.Meeting) {
		m.Attendance = a
		if a == meeting.AttendanceOnline || a == meeting.AttendanceHybrid {
			m.Online.URL = "https://zoom.us/j/1"
		}
	}
}
func notes(s string) func(*meeting.Meeting) { return func(m *meeting.Meeting) { m.Location.Notes = s } }
func zone(s string) func(*meeting.Meeting)  { return func(m *meeting.Meeting) { m.TimeZone = s } }

// Points of BMLT's geographic tests: the search point, one 2.85 km
// (1.77 miles) away, one 10.03 km (6.23 miles) away.
var (
	onTheDot   = at(36.065752051707, -79.793701171875)
	within10km = at(36.0733691, -79.8240715)
	within10mi = at(36.0869819, -79.9023415)
)

// TestBMLTSearchParameters follows GetSearchResultsTest's parameter
// tests: each case builds BMLT's meetings (by default on Monday at 19:00
// for an hour, in person, Open) and checks which a query returns.
func TestBMLTSearchParameters(t *testing.T) {
	m := func(name string, mods ...func(*meeting.Meeting)) meeting.Meeting {
		return bmltMeeting(t, name, 1, "19:00", 60, mods...)
	}
	startAt := func(s string, minutes int) func(*meeting.Meeting) {
		return func(x *meeting.Meeting) {
			c, _ := meeting.ParseClock(s)
			x.Start, x.End = c, meeting.Clock((int(c)+minutes)%(24*60))
		}
	}
	day := func(d int) func(*meeting.Meeting) { return func(x *meeting.Meeting) { x.Day = meeting.Weekday(d) } }
	f1, f2 := bmlt.FormatID("A"), bmlt.FormatID("B") // two formats no other meeting has
	point := "&long_val=-79.793701171875&lat_val=36.065752051707"
	type tc struct {
		name  string
		ms    []meeting.Meeting
		query string // {name} is the id of the meeting named
		want  string // names, sorted
	}
	three := []meeting.Meeting{m("m1"), m("m2"), m("m3")}
	days := []meeting.Meeting{m("m1", day(5)), m("m2", day(3)), m("m3", day(1))}
	venues := []meeting.Meeting{m("m1"), m("m2", venue(meeting.AttendanceOnline)), m("m3", venue(meeting.AttendanceHybrid))}
	fmts := []meeting.Meeting{m("m1", types("A", "B")), m("m2", types("A")), m("m3", types())}
	geo := []meeting.Meeting{m("m1", onTheDot), m("m2", within10km), m("m3", within10mi)}
	cities := []meeting.Meeting{m("m1", town("Edmonds")), m("m2", town("Everett")), m("m3", town("Seattle"))}
	for _, c := range []tc{
		{"meeting_ids none", three[:1], "meeting_ids[]=999999", ""},
		{"meeting_ids one", three, "meeting_ids={m1}", "m1"},
		{"meeting_ids two", three, "meeting_ids[]={m1}&meeting_ids[]={m2}", "m1 m2"},
		{"meeting_ids exclude one", three[:2], "meeting_ids[]={m1}&meeting_ids[]=-{m2}", "m1"},
		{"meeting_ids string exclude one", three[:2], "meeting_ids={m1},-{m2}", "m1"},
		{"meeting_ids only excluded", three, "meeting_ids=-{m2}", "m1 m3"},
		{"weekdays none", days[:1], "weekdays=1", ""},
		{"weekdays one", days, "weekdays=6", "m1"},
		{"weekdays two", days, "weekdays[]=6&weekdays[]=4", "m1 m2"},
		{"weekdays two comma", days, "weekdays=6,4", "m1 m2"},
		{"weekdays exclude one", days[:2], "weekdays=-6", "m2"},
		{"weekdays exclude two", days, "weekdays[]=-6&weekdays[]=-4", "m3"},
		{"weekdays exclude two comma", days, "weekdays=-6,-4", "m3"},
		{"weekdays not numbers ignored", days, "weekdays=monday", "m1 m2 m3"},
		{"venue none", venues[1:2], "venue_types=1", ""},
		{"venue one", venues[:2], "venue_types=1", "m1"},
		{"venue two", venues, "venue_types[]=1&venue_types[]=2", "m1 m2"},
		{"venue exclude one", venues[:2], "venue_types=-1", "m2"},
		{"venue two comma", venues, "venue_types=1,2", "m1 m2"},
		{"venue comma with spaces", venues, "venue_types=1,%203", "m1 m3"},
		{"venue exclude two", venues, "venue_types[]=-1&venue_types[]=-2", "m3"},
		{"venue exclude two comma", venues, "venue_types=-1,-2", "m3"},
		{"services not numbers ignored", three, "services=abc", "m1 m2 m3"},
		{"formats none", fmts[1:2], "formats=" + bmlt.FormatID("W"), ""},
		{"formats one", fmts, "formats=" + f2, "m1"},
		{"formats AND", fmts, "formats[]=" + f1 + "&formats[]=" + f2, "m1"},
		{"formats OR", fmts, "formats[]=" + f1 + "&formats[]=" + f2 + "&formats_comparison_operator=OR", "m1 m2"},
		{"formats OR: anything but AND", fmts, "formats[]=" + f1 + "&formats[]=" + f2 + "&formats_comparison_operator=either", "m1 m2"},
		{"formats AND spelled lower case", fmts, "formats[]=" + f1 + "&formats[]=" + f2 + "&formats_comparison_operator=and", "m1"},
		{"formats exclude", fmts, "formats=-" + f2, "m2 m3"},
		{"formats exclude two", fmts, "formats[]=-" + f1 + "&formats[]=-" + f2, "m3"},
		{"formats exclude, and a parameter named with a comma", fmts, "formats=-" + f1 + "&formats,%20" + f2, "m3"},
		{"formats AND with commas", fmts, "formats=" + f1 + ",%20" + f2, "m1"},
		{"formats not numbers ignored", fmts, "formats=abc", "m1 m2 m3"},
		{"StartsAfterH", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "StartsAfterH=15", "m1"},
		{"StartsAfterH not after", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "StartsAfterH=16", ""},
		{"StartsAfterH and M", []meeting.Meeting{m("m1", startAt("16:15", 60))}, "StartsAfterH=16&StartsAfterM=14", "m1"},
		{"StartsAfterH and M not after", []meeting.Meeting{m("m1", startAt("16:15", 60))}, "StartsAfterH=16&StartsAfterM=15", ""},
		{"StartsAfterH=25 is 23", []meeting.Meeting{m("m1", startAt("23:30", 20)), m("m2", startAt("16:00", 60))}, "StartsAfterH=25", "m1"},
		{"StartsAfterH not a number", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "StartsAfterH=noon", "m1"},
		{"StartsBeforeH", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "StartsBeforeH=16", ""},
		{"StartsBeforeH later", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "StartsBeforeH=17", "m1"},
		{"StartsBeforeH and M", []meeting.Meeting{m("m1", startAt("16:15", 60))}, "StartsBeforeH=16&StartsBeforeM=15", ""},
		{"StartsBeforeH and M later", []meeting.Meeting{m("m1", startAt("16:15", 60))}, "StartsBeforeH=16&StartsBeforeM=16", "m1"},
		{"EndsBeforeH", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "EndsBeforeH=16", ""},
		{"EndsBeforeH later", []meeting.Meeting{m("m1", startAt("16:00", 60))}, "EndsBeforeH=17", "m1"},
		{"EndsBeforeH and M", []meeting.Meeting{m("m1", startAt("16:00", 75))}, "EndsBeforeH=17&EndsBeforeM=14", ""},
		{"EndsBeforeH and M later", []meeting.Meeting{m("m1", startAt("16:00", 75))}, "EndsBeforeH=17&EndsBeforeM=15", "m1"},
		{"MinDuration", []meeting.Meeting{m("m1", startAt("16:00", 90)), m("m2")}, "MinDurationH=1&MinDurationM=30", "m1"},
		{"MaxDuration", []meeting.Meeting{m("m1", startAt("16:00", 90)), m("m2")}, "MaxDurationH=1", "m2"},
		{"Min and MaxDuration", []meeting.Meeting{m("m1", startAt("16:00", 90)), m("m2"), m("m3", startAt("8:00", 30))},
			"MinDurationM=45&MaxDurationH=1&MaxDurationM=30", "m1 m2"},
		{"geo 1 mile", geo, "geo_width=1" + point, "m1"},
		{"geo 10 km", geo, "geo_width_km=10" + point, "m1 m2"},
		{"geo 10 miles", geo, "geo_width=10" + point, "m1 m2 m3"},
		{"geo auto radius, ties included", append(slices.Clone(geo), m("m4", within10mi)), "geo_width=-3" + point, "m1 m2 m3 m4"},
		{"geo auto radius 1", geo, "geo_width=-1" + point, "m1"},
		{"geo auto radius 2 in km", geo, "geo_width_km=-2" + point, "m1 m2"},
		{"geo auto radius more than there are", geo, "geo_width=-40" + point, "m1 m2 m3"},
		{"geo only long_val", geo, "long_val=-79.8240715", ""},
		{"geo only lat_val", geo, "lat_val=36.0733691", ""},
		{"geo empty geo_width", geo, "geo_width=&long_val=-79.8240715&lat_val=36.0733691", ""},
		{"geo_width_km swallowing long_val", geo, "geo_width_km=long_val=-79.8240715&lat_val=36.0733691", ""},
		{"geo point without a width", geo, point[1:], ""},
		{"geo sort by distance without a width", geo, "sort_results_by_distance=1" + point, ""},
		{"geo lat_val not a number", geo, "lat_val=north&long_val=-79.8&geo_width=5", ""},
		{"SearchString id", three, "SearchString={m1}", "m1"},
		{"SearchString ids", three, "SearchString={m1},{m2}", "m1 m2"},
		{"SearchString words", []meeting.Meeting{m("this-test-is-blah"), m("this-should-not-match")}, "SearchString=blah%20test", "this-test-is-blah"},
		{"SearchString words in another field", []meeting.Meeting{m("m1", notes("this test is blah")), m("m2", notes("this should not match"))},
			"SearchString=blah%20test", "m1"},
		{"SearchString too short", three, "SearchString=ab", "m1 m2 m3"},
		{"advanced_published=-1", three, "advanced_published=-1", ""},
		{"advanced_published=1", three, "advanced_published=1", "m1 m2 m3"},
		{"advanced_published=0", three, "advanced_published=0", "m1 m2 m3"},
		{"page_size not a number", three, "page_size=all", "m1 m2 m3"},
		{"meeting_key without a value", three[:1], "meeting_key=id_bigint", ""},
		{"meeting_key id_bigint", three[:2], "meeting_key=id_bigint&meeting_key_value={m1}", "m1"},
		{"meeting_key weekday", []meeting.Meeting{m("m1", day(6)), m("m2")}, "meeting_key=weekday_tinyint&meeting_key_value=7", "m1"},
		{"meeting_key venue_type", venues[:2], "meeting_key=venue_type&meeting_key_value=2", "m2"},
		{"meeting_key service_body_bigint", []meeting.Meeting{m("m1", inBody("a", "r")), m("m2", inBody("b"))},
			"meeting_key=service_body_bigint&meeting_key_value=" + bmlt.ServiceBodyID("a", "r"), "m1"},
		{"meeting_key start_time", []meeting.Meeting{m("m1", startAt("02:00", 60)), m("m2")}, "meeting_key=start_time&meeting_key_value=02:00:00", "m1"},
		{"meeting_key duration_time", []meeting.Meeting{m("m1", startAt("16:00", 120)), m("m2")}, "meeting_key=duration_time&meeting_key_value=02:00", "m1"},
		{"meeting_key time not a time", []meeting.Meeting{m("m1", startAt("02:00", 60)), m("m2")}, "meeting_key=start_time&meeting_key_value=blah", ""},
		{"meeting_key time of no numbers", []meeting.Meeting{m("m1", startAt("00:00", 60)), m("m2")}, "meeting_key=start_time&meeting_key_value=a:b", ""},
		{"meeting_key time with one number", []meeting.Meeting{m("m1", startAt("02:00", 60)), m("m2")}, "meeting_key=start_time&meeting_key_value=2:x", "m1"},
		{"meeting_key time_zone", []meeting.Meeting{m("m1", zone("America/Chicago")), m("m2", zone("America/New_York"))},
			"meeting_key=time_zone&meeting_key_value=America/Chicago", "m1"},
		{"meeting_key latitude matches nothing", geo, "meeting_key=latitude&meeting_key_value=36.065752051707", ""},
		{"meeting_key formats matches nothing", fmts, "meeting_key=formats&meeting_key_value=" + f1, ""},
		{"meeting_key data field", []meeting.Meeting{m("testvalue"), m("badtestvalue")}, "meeting_key=meeting_name&meeting_key_value=testvalue", "testvalue"},
		{"meeting_key long data field", []meeting.Meeting{m("m1", notes("testvalue")), m("m2", notes("badtestvalue"))},
			"meeting_key=location_info&meeting_key_value=testvalue", "m1"},
		{"meeting_key array", cities, "meeting_key=location_municipality&meeting_key_value[]=Edmonds&meeting_key_value[]=Everett", "m1 m2"},
		{"meeting_key array of one", cities, "meeting_key=location_municipality&meeting_key_value[]=Edmonds", "m1"},
		{"meeting_key array empty", cities, "meeting_key=location_municipality&meeting_key_value[]=", ""},
		{"meeting_key is not a comma list", cities, "meeting_key=location_municipality&meeting_key_value=Edmonds,Everett", ""},
		{"meeting_key ignores case", cities, "meeting_key=location_municipality&meeting_key_value=edmonds", "m1"},
		{"meeting_key weekday array", days, "meeting_key=weekday_tinyint&meeting_key_value[]=6&meeting_key_value[]=2", "m1 m3"},
		{"meeting_key unknown", three, "meeting_key=nope&meeting_key_value=1", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newFeedEnvWith(t, slices.Clone(c.ms))
			q := c.query
			for name, id := range e.ids {
				q = strings.ReplaceAll(q, "{"+name+"}", strconv.FormatInt(id, 10))
			}
			var got []map[string]string
			e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+q, &got)
			names := bmltNames(got)
			slices.Sort(names)
			if d := cmp.Diff(strings.Fields(c.want), names, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s (-want +got):\n%s", q, d)
			}
		})
	}
}

// TestBMLTSearchShapesAsBMLT follows the rest of GetSearchResultsTest:
// distances as BMLT computes them, the distance order, paging,
// get_used_formats and get_formats_only, JSONP with and without a
// callback, and the 422 of another switcher.
func TestBMLTSearchShapesAsBMLT(t *testing.T) {
	e := newFeedEnvWith(t, []meeting.Meeting{
		bmltMeeting(t, "m1", 1, "19:00", 0, within10km, types("A")),
		bmltMeeting(t, "m2", 1, "19:00", 0, onTheDot, types("A")),
		bmltMeeting(t, "m3", 1, "19:00", 0, within10mi, types("A")),
		bmltMeeting(t, "m4", 1, "19:00", 0, within10mi, types("A")),
	})
	point := "&long_val=-79.793701171875&lat_val=36.065752051707"
	var got []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&geo_width=-3&sort_results_by_distance=1"+point, &got)
	if d := cmp.Diff(e.idsOf("m2", "m1", "m3", "m4"), bmltIDs(got)); d != "" {
		t.Errorf("auto radius by distance (-want +got):\n%s", d)
	}
	for _, m := range got {
		km, mi := map[string]string{"m2": "0", "m1": "2.85", "m3": "10.03", "m4": "10.03"}, map[string]string{"m2": "0", "m1": "1.77", "m3": "6.23", "m4": "6.23"}
		name := m["meeting_name"]
		if name == "m2" && (m["distance_in_km"] != "0" || m["distance_in_miles"] != "0") ||
			!strings.HasPrefix(m["distance_in_km"], km[name]) || !strings.HasPrefix(m["distance_in_miles"], mi[name]) {
			t.Errorf("%s: distance_in_km %q, distance_in_miles %q; want %s…, %s…", name, m["distance_in_km"], m["distance_in_miles"], km[name], mi[name])
		}
		if m["duration_time"] != "01:00:00" {
			t.Errorf("%s: duration_time %q, want the default 01:00:00", name, m["duration_time"])
		}
	}
	var dist []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=id_bigint,distance_in_km&long_val=-79.793701171875&lat_val=36.065752051707", &dist)
	if len(dist) != 4 || len(dist[0]) != 2 {
		t.Errorf("distance_in_km from data_field_key: %v", dist)
	}

	for i, name := range []string{"m1", "m2", "m3", "m4", ""} {
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&sort_keys=id_bigint&page_size=1&page_num="+strconv.Itoa(i+1), &got)
		want := e.idsOf(name)
		if name == "" {
			want = []string{}
		}
		if d := cmp.Diff(want, bmltIDs(got)); d != "" {
			t.Errorf("page %d (-want +got):\n%s", i+1, d)
		}
	}
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&page_size=2", &got)
	if len(got) != 2 {
		t.Errorf("page_size=2: %d meetings", len(got))
	}

	var used bmltUsed
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&get_used_formats", &used)
	if len(used.Meetings) != 4 || len(used.Formats) != 1 || used.Formats[0]["id"] != bmlt.FormatID("A") ||
		used.Formats[0]["root_server_uri"] != "http://127.0.0.1:8080/bmlt" {
		t.Errorf("get_used_formats: %d meetings, formats %v", len(used.Meetings), used.Formats)
	}
	for _, q := range []string{"get_formats_only", "get_used_formats&get_formats_only"} {
		var only map[string][]map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+q, &only)
		if _, has := only["meetings"]; has || len(only["formats"]) != 1 || only["formats"][0]["id"] != bmlt.FormatID("A") {
			t.Errorf("%s: %v", q, only)
		}
	}

	for _, c := range []struct{ target, prefix, suffix string }{
		{"/bmlt/client_interface/jsonp/?switcher=GetSearchResults&callback=asdf", "/**/asdf([", "]);"},
		{"/bmlt/client_interface/jsonp/?switcher=GetSearchResults", "/**/callback([", "]);"},
		{"/bmlt/client_interface/jsonp/?switcher=GetServiceBodies", "/**/callback([", "]);"},
	} {
		r := e.do(t, c.target)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
			!strings.HasPrefix(string(r.body), c.prefix) || !strings.HasSuffix(string(r.body), c.suffix) {
			t.Errorf("GET %s: %d %s %.40s", c.target, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	for _, target := range []string{
		"/bmlt/client_interface/json/?switcher=GetNope",
		"/bmlt/client_interface/json/",
		"/bmlt/client_interface/jsonp/?switcher=GetNAWSDump&callback=cb",
	} {
		r := e.do(t, target)
		var body map[string]string
		if err := json.Unmarshal(r.body, &body); r.status != http.StatusUnprocessableEntity || err != nil ||
			!strings.HasPrefix(body["message"], "Invalid data format or endpoint name.") || len(body) != 1 {
			t.Errorf("GET %s: %d %s", target, r.status, r.body)
		}
	}
}

// TestBMLTParityOnPostgres runs BMLT requests over PostgreSQL (the store
// without the read model) and over the in-memory store with the same
// meetings: the same meetings and formats come back.
func TestBMLTParityOnPostgres(t *testing.T) {
	db := pgtest.New(t)
	ms := append(feedMeetings(),
		bmltMeeting(t, "m1", 1, "19:00", 0, within10km, types("A")),
		bmltMeeting(t, "m2", 1, "19:30", 0, onTheDot, types("A", "C")),
		bmltMeeting(t, "m3", 2, "19:00", 90, within10mi, types("B"), town("Edmonds")),
		bmltMeeting(t, "m4", 3, "07:00", 0, within10mi, types("B"), town("Everett")))
	for i := range ms {
		ms[i].GroupKey, ms[i].Status = ms[i].ExternalID, meeting.StatusPublished
	}
	pg := postgres.NewMeetingStore(db)
	if err := pg.InsertMeetings(context.Background(), slices.Clone(ms)); err != nil {
		t.Fatal(err)
	}
	mem := newFeedEnvWith(t, slices.Clone(ms))
	onPG := &feedEnv{srv: httpapi.New(httpapi.Config{Store: pg, Logger: quietLogger(), Now: func() time.Time { return feedNow }})}
	point := "&long_val=-79.793701171875&lat_val=36.065752051707"
	for _, q := range []string{
		"switcher=GetSearchResults",
		"switcher=GetSearchResults&geo_width=-3" + point,
		"switcher=GetSearchResults&geo_width=-2&sort_results_by_distance=1" + point,
		"switcher=GetSearchResults&geo_width_km=10" + point,
		"switcher=GetSearchResults&lat_val=40.75&long_val=-73.98&geo_width=-2&venue_types=-2",
		"switcher=GetSearchResults&meeting_key=location_municipality&meeting_key_value[]=Edmonds&meeting_key_value[]=everett",
		"switcher=GetSearchResults&services=-" + bmlt.ServiceBodyID("nyc-intergroup") + "&recursive=1",
		"switcher=GetSearchResults&sort_keys=location_municipality,meeting_name",
		"switcher=GetSearchResults&MinDurationH=1&MinDurationM=30&StartsAfterH=25",
		"switcher=GetSearchResults&get_used_formats&weekdays=2",
		"switcher=GetFormats",
		"switcher=GetFormats&lang_enum[]=es&lang_enum[]=en&format_ids=-" + bmlt.FormatID("A"),
		"switcher=GetServiceBodies&services=-" + bmlt.ServiceBodyID("nyc-intergroup", "Manhattan") + "&recursive=1",
	} {
		var a, b any
		mem.bmltGet(t, bmltJSON+q, &a)
		onPG.bmltGet(t, bmltJSON+q, &b)
		if d := cmp.Diff(withoutIDs(a), withoutIDs(b)); d != "" {
			t.Errorf("%s: (-memory +PostgreSQL):\n%s", q, d)
		}
	}
}

// withoutIDs drops the meeting ids (id_bigint), which differ between two
// stores, from a BMLT answer decoded as any.
func withoutIDs(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = withoutIDs(y)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, y := range x {
			if k != "id_bigint" {
				out[k] = withoutIDs(y)
			}
		}
		return out
	}
	return v
}
