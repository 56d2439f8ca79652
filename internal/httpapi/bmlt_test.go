package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
)

const bmltJSON = "/bmlt/client_interface/json/?"

// bmltGet fetches target and decodes the JSON body into v, after checking
// that every value in it (at any depth) is a string: BMLT clients such as
// crouton break on numbers and nulls.
func (e *feedEnv) bmltGet(t *testing.T, target string, v any) {
	t.Helper()
	r := e.do(t, target)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET %s: no CORS header", target)
	}
	var raw any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("GET %s: not JSON: %v: %s", target, err, r.body)
	}
	checkStringsOnly(t, target, "", raw)
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
	}
}

// bmltBooleans are the keys BMLT sends as JSON booleans (GetServerInfo's
// settings); every other value is a string.
var bmltBooleans = map[string]bool{"auto_geocoding_enabled": true, "county_auto_geocoding_enabled": true,
	"zip_auto_geocoding_enabled": true, "default_closed_status": true, "aggregator_mode_enabled": true}

func checkStringsOnly(t *testing.T, target, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case string:
	case bool:
		if i := strings.LastIndexByte(path, '.'); i < 0 || !bmltBooleans[path[i+1:]] {
			t.Errorf("GET %s: %s is %v, want a string", target, path, v)
		}
	case []any:
		for i, y := range x {
			checkStringsOnly(t, target, path+"["+strconv.Itoa(i)+"]", y)
		}
	case map[string]any:
		for k, y := range x {
			checkStringsOnly(t, target, path+"."+k, y)
		}
	default:
		t.Errorf("GET %s: %s is %v (%T), want a string", target, path, v, v)
	}
}

type bmltUsed struct {
	Meetings []map[string]string `json:"meetings"`
	Formats  []map[string]string `json:"formats"`
}

func bmltNames(ms []map[string]string) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m["meeting_name"])
	}
	return out
}

// requiredMeetingKeys are the keys every BMLT meeting object must carry.
var requiredMeetingKeys = []string{"id_bigint", "service_body_bigint", "weekday_tinyint", "start_time", "duration_time",
	"time_zone", "venue_type", "formats", "format_shared_id_list", "meeting_name", "comments", "location_text",
	"location_street", "location_municipality", "location_province", "location_postal_code_1", "location_nation",
	"latitude", "longitude", "virtual_meeting_link", "phone_meeting_number", "virtual_meeting_additional_info"}

// TestBMLTCroutonTable sends the request crouton's table mode sends
// (JSONP, get_used_formats, services[] with recursive) and checks the
// meeting objects against the service bodies and formats.
func TestBMLTCroutonTable(t *testing.T) {
	e := newFeedEnv(t)
	var bodies []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &bodies)
	bodyIDs := map[string]map[string]string{}
	for _, b := range bodies {
		bodyIDs[b["id"]] = b
	}
	nycID := bmlt.ServiceBodyID("nyc-intergroup")
	if bodyIDs[nycID]["name"] != "nyc-intergroup" || bodyIDs[nycID]["parent_id"] != "0" {
		t.Fatalf("no top-level service body %s for the source nyc-intergroup in %v", nycID, bodies)
	}
	manhattan := bmlt.ServiceBodyID("nyc-intergroup", "Manhattan")
	if bodyIDs[manhattan]["parent_id"] != nycID || bodyIDs[bmlt.ServiceBodyID("nyc-intergroup", "Manhattan", "Downtown")]["parent_id"] != manhattan {
		t.Errorf("regions are not children of their source: %v", bodies)
	}

	target := "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en&services[]=" + nycID +
		"&recursive=1&sort_keys=start_time&callback=jsonp_1712345678901_4242"
	r := e.do(t, target)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("JSONP: status %d, Content-Type %q: %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	body := string(r.body)
	const pre, post = "/**/jsonp_1712345678901_4242(", ");"
	if !strings.HasPrefix(body, pre) || !strings.HasSuffix(body, post) {
		t.Fatalf("JSONP body is not /**/NAME(json);: %.200s", body)
	}
	var raw any
	if err := json.Unmarshal([]byte(body[len(pre):len(body)-len(post)]), &raw); err != nil {
		t.Fatalf("JSONP payload: %v", err)
	}
	checkStringsOnly(t, target, "", raw)
	var got bmltUsed
	_ = json.Unmarshal([]byte(body[len(pre):len(body)-len(post)]), &got)
	// Sorted by start_time; the meeting by appointment has no BMLT form.
	if d := cmp.Diff([]string{"Sunrise Online", "Harbor Hybrid", "Downtown Big Book"}, bmltNames(got.Meetings)); d != "" {
		t.Errorf("meetings (-want +got):\n%s", d)
	}
	formatsByKey := map[string]map[string]string{}
	for _, f := range got.Formats {
		formatsByKey[f["key_string"]] = f
	}
	for _, m := range got.Meetings {
		for _, k := range requiredMeetingKeys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %s", m["meeting_name"], k)
			}
		}
		if _, ok := bodyIDs[m["service_body_bigint"]]; !ok {
			t.Errorf("%s: service_body_bigint %q is not a GetServiceBodies id", m["meeting_name"], m["service_body_bigint"])
		}
		// formats puts Open and Closed first, format_shared_id_list is in
		// id order: the same formats.
		keys, ids := strings.Split(m["formats"], ","), strings.Split(m["format_shared_id_list"], ",")
		var keyIDs []string
		for _, k := range keys {
			f, ok := formatsByKey[k]
			if !ok {
				t.Errorf("%s: format %s is not in the used formats", m["meeting_name"], k)
			}
			keyIDs = append(keyIDs, f["id"])
		}
		slices.SortFunc(keyIDs, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
		if !slices.Equal(keyIDs, ids) {
			t.Errorf("%s: formats %q are ids %v, format_shared_id_list %q", m["meeting_name"], m["formats"], keyIDs, m["format_shared_id_list"])
		}
	}
	want := map[string]map[string]string{
		"Downtown Big Book": {"weekday_tinyint": "2", "start_time": "19:00:00", "duration_time": "01:00:00", "venue_type": "1",
			"time_zone": "America/New_York", "location_text": "Empire Hall", "location_street": "350 5th Ave",
			"location_municipality": "New York", "location_province": "NY", "location_postal_code_1": "10118",
			"location_nation": "USA", "latitude": "40.7484", "longitude": "-73.9857", "comments": "Bring a book",
			"formats": "O,B,X", "format_shared_id_list": "11,59,84", "service_body_bigint": manhattan, "virtual_meeting_link": ""},
		"Sunrise Online": {"weekday_tinyint": "3", "start_time": "07:00:00", "duration_time": "01:00:00", "venue_type": "2",
			"formats": "C,D,VM", "virtual_meeting_link": "https://zoom.us/j/123456789", "virtual_meeting_additional_info": "Passcode 4242",
			"latitude": "", "longitude": "", "service_body_bigint": nycID},
		"Harbor Hybrid": {"weekday_tinyint": "7", "start_time": "10:30:00", "venue_type": "3", "formats": "O,S,SP,VM,HY",
			"phone_meeting_number": "+1 555 010 0100", "virtual_meeting_additional_info": "PIN 99#"},
	}
	for _, m := range got.Meetings {
		for k, v := range want[m["meeting_name"]] {
			if m[k] != v {
				t.Errorf("%s: %s = %q, want %q", m["meeting_name"], k, m[k], v)
			}
		}
		if m["id_bigint"] != strconv.FormatInt(e.ids[m["meeting_name"]], 10) {
			t.Errorf("%s: id_bigint %s, want %d", m["meeting_name"], m["id_bigint"], e.ids[m["meeting_name"]])
		}
	}

	// Without recursive only meetings directly in the source's body.
	var direct []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&services[]="+nycID, &direct)
	if d := cmp.Diff([]string{"Sunrise Online"}, bmltNames(direct)); d != "" {
		t.Errorf("services[] without recursive (-want +got):\n%s", d)
	}
	// crouton's master formats request: the venue formats in use (no
	// meeting is temporarily closed, TC), as BMLT answers it.
	var venue []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&lang_enum=en&key_strings[]=TC&key_strings[]=VM&key_strings[]=HY", &venue)
	gotVenue := map[string]string{}
	for _, f := range venue {
		gotVenue[f["key_string"]] = f["world_id"]
	}
	if d := cmp.Diff(map[string]string{"VM": "VM", "HY": "HYBR"}, gotVenue); d != "" {
		t.Errorf("venue formats (-want +got):\n%s", d)
	}
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&lang_enum=en&key_strings[]=TC&key_strings[]=VM&key_strings[]=HY&show_all=1", &venue)
	if len(venue) != 3 {
		t.Errorf("venue formats with show_all=1: %v", venue)
	}
}

// TestBMLTSearchShapes covers the other request shapes crouton and BMLT
// clients send: map search (venue_types[]=-2, negative geo_width),
// meeting_ids[], weekdays, times, text, formats, paging, field selection.
func TestBMLTSearchShapes(t *testing.T) {
	e := newFeedEnv(t)
	id := func(name string) string { return strconv.FormatInt(e.ids[name], 10) }
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"everything, default order", "", []string{"Brooklyn Step Study", "Downtown Big Book", "Sunrise Online", "London Thursday", "Harbor Hybrid"}},
		{"map search: 2 nearest, not virtual", "venue_types[]=-2&lat_val=40.75&long_val=-73.98&geo_width=-2&sort_keys=start_time",
			[]string{"Harbor Hybrid", "Downtown Big Book"}},
		{"nearest sorted by distance", "lat_val=40.75&long_val=-73.98&geo_width=-3&sort_results_by_distance=1",
			[]string{"Downtown Big Book", "Harbor Hybrid", "Brooklyn Step Study"}},
		{"within 1 km", "lat_val=40.75&long_val=-73.98&geo_width_km=1", []string{"Downtown Big Book"}},
		{"within 10 miles by distance", "lat_val=40.75&long_val=-73.98&geo_width=10&sort_results_by_distance=1",
			[]string{"Downtown Big Book", "Harbor Hybrid", "Brooklyn Step Study"}},
		{"meeting_ids", "meeting_ids[]=" + id("London Thursday") + "&meeting_ids[]=" + id("Sunrise Online"), []string{"Sunrise Online", "London Thursday"}},
		{"meeting_ids comma list", "meeting_ids=" + id("London Thursday") + "," + id("Harbor Hybrid"), []string{"London Thursday", "Harbor Hybrid"}},
		{"weekdays Monday (2)", "weekdays[]=2", []string{"Downtown Big Book"}},
		{"weekdays excluding Sunday and Saturday", "weekdays[]=-1&weekdays[]=-7", []string{"Downtown Big Book", "Sunrise Online", "London Thursday"}},
		{"venue virtual", "venue_types[]=2", []string{"Sunrise Online"}},
		{"venue hybrid or virtual", "venue_types=2,3", []string{"Sunrise Online", "Harbor Hybrid"}},
		{"starts after 18:00", "StartsAfterH=18&StartsAfterM=0", []string{"Downtown Big Book", "London Thursday"}},
		{"starts before 10:30", "StartsBeforeH=10&StartsBeforeM=30", []string{"Sunrise Online"}},
		{"search string", "SearchString=harbor", []string{"Harbor Hybrid"}},
		{"search string as ids", "SearchString=" + id("Harbor Hybrid"), []string{"Harbor Hybrid"}},
		{"formats AND", "formats[]=" + bmlt.FormatID("O") + "&formats[]=" + bmlt.FormatID("X"), []string{"Downtown Big Book"}},
		{"formats OR", "formats[]=" + bmlt.FormatID("ST") + "&formats[]=" + bmlt.FormatID("SP") + "&formats_comparison_operator=OR",
			[]string{"Brooklyn Step Study", "Harbor Hybrid"}},
		{"formats excluded", "formats[]=-" + bmlt.FormatID("O"), []string{"Brooklyn Step Study", "Sunrise Online"}},
		{"services excluded", "services[]=-" + bmlt.ServiceBodyID("na-brooklyn"), []string{"Downtown Big Book", "Sunrise Online", "London Thursday", "Harbor Hybrid"}},
		{"page 2 of 2", "page_size=2&page_num=2", []string{"Sunrise Online", "London Thursday"}},
		{"sort by town then name", "sort_keys=location_municipality,meeting_name", []string{"Brooklyn Step Study", "Sunrise Online", "London Thursday", "Downtown Big Book", "Harbor Hybrid"}},
		{"weekdays that are no number are ignored", "weekdays[]=monday", []string{"Brooklyn Step Study", "Downtown Big Book", "Sunrise Online", "London Thursday", "Harbor Hybrid"}},
		{"malformed latitude gives nothing", "lat_val=north&long_val=1&geo_width=5", []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []map[string]string
			e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+c.query, &got)
			if d := cmp.Diff(c.want, bmltNames(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	var geo []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&lat_val=40.75&long_val=-73.98&geo_width_km=1", &geo)
	if len(geo) != 1 {
		t.Fatalf("geo search: %v", geo)
	}
	km, err1 := strconv.ParseFloat(geo[0]["distance_in_km"], 64)
	mi, err2 := strconv.ParseFloat(geo[0]["distance_in_miles"], 64)
	if err1 != nil || err2 != nil || km < 0.4 || km > 0.6 || mi < km/1.7 || mi > km/1.5 {
		t.Errorf("distance_in_km %q, distance_in_miles %q", geo[0]["distance_in_km"], geo[0]["distance_in_miles"])
	}

	var fields []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&data_field_key=meeting_name,id_bigint&weekdays=2", &fields)
	if d := cmp.Diff([]map[string]string{{"meeting_name": "Downtown Big Book", "id_bigint": id("Downtown Big Book")}}, fields); d != "" {
		t.Errorf("data_field_key (-want +got):\n%s", d)
	}
	var only map[string][]map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&get_formats_only&weekdays=2", &only)
	var keys []string
	for _, f := range only["formats"] {
		keys = append(keys, f["key_string"])
	}
	if _, hasMeetings := only["meetings"]; hasMeetings || !slices.Equal(keys, []string{"B", "O", "X"}) {
		t.Errorf("get_formats_only: %v", only)
	}
	var none bmltUsed
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&get_used_formats=1&weekdays=-1,-2,-3,-4,-5,-6,-7", &none)
	if none.Meetings == nil || len(none.Meetings) != 0 || none.Formats == nil {
		t.Errorf("an empty get_used_formats result must have empty arrays: %+v", none)
	}
}

// TestBMLTOtherSwitchers covers GetFormats, GetServiceBodies,
// GetServerInfo, GetFieldKeys, string-only values everywhere, and the
// JSONP callback check.
func TestBMLTOtherSwitchers(t *testing.T) {
	e := newFeedEnv(t)
	var formats []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&show_all=1", &formats)
	ids := map[string]bool{}
	for _, f := range formats {
		if ids[f["id"]] {
			t.Errorf("format id %s is used twice", f["id"])
		}
		ids[f["id"]] = true
	}
	if len(formats) < 89 {
		t.Errorf("GetFormats returned %d formats, want the whole vocabulary", len(formats))
	}
	var es []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&lang_enum=es&key_strings[]=O&key_strings[]=S", &es)
	if d := cmp.Diff([]string{"Abierta", "Español"}, []string{es[0]["name_string"], es[1]["name_string"]}); len(es) != 2 || d != "" {
		t.Errorf("Spanish formats: %v", es)
	}
	for _, f := range es {
		if f["key_string"] == "S" && (f["world_id"] != "LANG" || f["format_type_enum"] != "LANG") {
			t.Errorf("Spanish is not a LANG format: %v", f)
		}
		if f["key_string"] == "O" && (f["world_id"] != "OPEN" || f["format_type_enum"] != "O") {
			t.Errorf("Open is not OPEN: %v", f)
		}
	}

	var sb []map[string]string
	downtown := bmlt.ServiceBodyID("nyc-intergroup", "Manhattan", "Downtown")
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies&services[]="+downtown+"&parents=1", &sb)
	var names []string
	for _, b := range sb {
		names = append(names, b["name"])
	}
	if d := cmp.Diff([]string{"nyc-intergroup", "Manhattan", "Downtown"}, names); d != "" {
		t.Errorf("service body with parents (-want +got):\n%s", d)
	}
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies&services[]="+bmlt.ServiceBodyID("nyc-intergroup", "Manhattan")+"&recursive=1", &sb)
	if len(sb) != 2 {
		t.Errorf("recursive service bodies: %v", sb)
	}
	var info []map[string]any
	e.bmltGet(t, bmltJSON+"switcher=GetServerInfo", &info)
	if len(info) != 1 || info[0]["version"] == "" {
		t.Errorf("GetServerInfo: %v", info)
	}
	var fk []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFieldKeys", &fk)
	if len(fk) == 0 || fk[0]["key"] != "id_bigint" {
		t.Errorf("GetFieldKeys: %v", fk)
	}

	for _, c := range []struct {
		target string
		status int
	}{
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=cb", 200},
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=jQuery3_1.cb$", 200},
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats", 200}, // callback "callback"
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=alert(1)//", 400},
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=1abc", 400},
		{"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=a%3Bb", 400},
		{"/bmlt/client_interface/json/?switcher=GetNAWSDump", 422},
	} {
		r := e.do(t, c.target)
		if r.status != c.status {
			t.Errorf("GET %s: status %d, want %d: %s", c.target, r.status, c.status, r.body)
		}
		if r.status == 200 && r.header.Get("Content-Type") != "text/javascript; charset=utf-8" && strings.Contains(c.target, "jsonp") {
			t.Errorf("GET %s: Content-Type %q", c.target, r.header.Get("Content-Type"))
		}
	}
}
