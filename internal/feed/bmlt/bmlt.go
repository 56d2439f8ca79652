// Package bmlt speaks the BMLT semantic API (bmlt-enabled/bmlt-server's
// client_interface) for meetingfinder's meetings, so that BMLT clients such
// as crouton, the BMLT WordPress plugins and the aggregator can read them. It
// is pure: it turns meetings into BMLT's wire objects (every value a JSON
// string, as BMLT servers send them), describes the type vocabulary as BMLT
// formats and the sources and their regions as service bodies, and parses
// and applies the parameters of GetSearchResults. The HTTP handlers live in
// internal/httpapi.
package bmlt

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Venue types as BMLT numbers them.
const (
	VenueInPerson = 1
	VenueVirtual  = 2
	VenueHybrid   = 3
)

// VenueType returns the BMLT venue type of m: virtual for online meetings,
// hybrid for hybrid ones, in person otherwise (an inactive meeting is an
// in-person one whose location is temporarily closed, format TC).
func VenueType(m *meeting.Meeting) int {
	switch m.Attendance {
	case meeting.AttendanceOnline:
		return VenueVirtual
	case meeting.AttendanceHybrid:
		return VenueHybrid
	}
	return VenueInPerson
}

// FormatKeys returns the key_strings of m's formats: its type codes, VM
// for virtual and hybrid meetings and HY for hybrid ones, without
// duplicates (the legacy ONL code is dropped in favour of VM), in BMLT's
// order: Open and Closed first, then by shared id.
func FormatKeys(m *meeting.Meeting) []string {
	keys := make([]string, 0, len(m.Types)+2)
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, t := range m.Types {
		if t != "ONL" {
			add(t)
		}
	}
	switch VenueType(m) {
	case VenueVirtual:
		add(KeyVirtual)
	case VenueHybrid:
		add(KeyVirtual)
		add(KeyHybrid)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(openClosedRank(a), openClosedRank(b)), cmp.Compare(formatNumber(a), formatNumber(b)), strings.Compare(a, b))
	})
	return keys
}

// openClosedRank is 0 for Open and Closed, which BMLT lists first among a
// meeting's formats, 1 for the others.
func openClosedRank(code string) int {
	if code == "O" || code == "C" {
		return 0
	}
	return 1
}

// Distance constants of BMLT's spherical law of cosines (miles and
// kilometres per degree of arc).
const (
	milesPerDegree = 69.0
	kmPerDegree    = 111.111
)

// arcDegrees returns the great-circle angle between two points in degrees,
// by the spherical law of cosines as BMLT computes it; 0 for the same
// point, which the law's rounding would put a few centimetres away.
func arcDegrees(lat1, lng1, lat2, lng2 float64) float64 {
	if lat1 == lat2 && lng1 == lng2 {
		return 0
	}
	r := math.Pi / 180
	c := math.Cos(lat1*r)*math.Cos(lat2*r)*math.Cos((lng2-lng1)*r) + math.Sin(lat1*r)*math.Sin(lat2*r)
	return math.Acos(math.Min(1, math.Max(-1, c))) / r
}

// Fields returns the BMLT meeting object for m, as a search without a
// point writes it: every key of ObjectKeys, every value a string, ""
// when empty (the distances among them). bodyID is the meeting's service
// body (see MeetingServiceBody) and bodyName its name; root is this
// server's BMLT root URL. Meetings by appointment have no BMLT form and
// should be left out by the caller.
func Fields(m *meeting.Meeting, bodyID, bodyName, root string) map[string]string {
	b := meetingBody{id: bodyID, name: bodyName, root: root}
	f := make(map[string]string, len(ObjectKeys))
	for _, k := range ObjectKeys {
		v, _ := field(m, k, b)
		f[k] = v
	}
	return f
}

// meetingBody is what a meeting's BMLT object says besides the meeting:
// its service body's id and name and the root server's URL; formats holds
// the meeting's FormatKeys once they are known.
type meetingBody struct {
	id, name, root string
	formats        []string
}

// field returns the value of one key of m's BMLT object (see Fields); ok
// is false for a key that has no writer of its own (the distances, which
// only a geographic search fills, and unknown keys).
func field(m *meeting.Meeting, key string, b meetingBody) (v string, ok bool) {
	w, ok := fieldWriters[key]
	if !ok {
		return "", false
	}
	return string(w(nil, m, &b)), true
}

// FieldKeys answers GetFieldKeys: the keys BMLT servers list, with their
// descriptions, in BMLT's order. Meeting objects carry more keys
// (ObjectKeys), which data_field_key and sort_keys accept too.
var FieldKeys = []struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}{
	{"id_bigint", "ID"}, {"worldid_mixed", "World ID"}, {"service_body_bigint", "Service Body ID"},
	{"weekday_tinyint", "Weekday"}, {"venue_type", "Venue Type"}, {"start_time", "Start Time"},
	{"duration_time", "Duration"}, {"time_zone", "Time Zone"}, {"formats", "Formats"},
	{"lang_enum", "Language"}, {"longitude", "Longitude"}, {"latitude", "Latitude"},
	{"meeting_name", "Meeting Name"}, {"location_text", "Location Name"},
	{"location_info", "Additional Location Information"}, {"location_street", "Street Address"},
	{"location_city_subsection", "Borough"}, {"location_neighborhood", "Neighborhood"},
	{"location_municipality", "Town"}, {"location_sub_province", "County"}, {"location_province", "State"},
	{"location_postal_code_1", "Zip Code"}, {"location_nation", "Nation"}, {"comments", "Comments"},
	{"train_lines", "Train Lines"}, {"bus_lines", "Bus Lines"},
	{"phone_meeting_number", "Phone Meeting Dial-in Number"}, {"virtual_meeting_link", "Virtual Meeting Link"},
	{"virtual_meeting_additional_info", "Virtual Meeting Additional Info"},
}

// ObjectKeys are the keys of a meeting object, in BMLT's order: the main
// fields (the distances "" unless the search is geographic; email_contact
// "", as BMLT shows it to anyone not logged in), then the data fields
// (the contact fields and admin_notes "", likewise). data_field_key and
// sort_keys accept exactly these.
var ObjectKeys = []string{
	"id_bigint", "worldid_mixed", "shared_group_id_bigint", "service_body_bigint", "service_body_name",
	"weekday_tinyint", "venue_type", "start_time", "duration_time", "time_zone", "formats", "lang_enum",
	"longitude", "latitude", "distance_in_km", "distance_in_miles", "email_contact", "published",
	"root_server_uri", "format_shared_id_list",
	"meeting_name", "location_text", "location_info", "location_street", "location_city_subsection",
	"location_neighborhood", "location_municipality", "location_sub_province", "location_province",
	"location_postal_code_1", "location_nation", "comments", "train_lines", "bus_lines",
	"contact_phone_2", "contact_email_2", "contact_name_2", "contact_phone_1", "contact_email_1", "contact_name_1",
	"phone_meeting_number", "virtual_meeting_link", "virtual_meeting_additional_info", "admin_notes",
}

// ServerInfo answers GetServerInfo: one object, every value a string but
// the settings BMLT servers send as JSON booleans (auto_geocoding_enabled,
// county_auto_geocoding_enabled, zip_auto_geocoding_enabled,
// default_closed_status, aggregator_mode_enabled; "0" would be true in
// JavaScript). available_keys lists GetFieldKeys' keys with
// root_server_uri and format_shared_id_list, as BMLT's does.
func ServerInfo() []map[string]any {
	keys := make([]string, 0, len(FieldKeys)+2)
	for _, k := range FieldKeys {
		keys = append(keys, k.Key)
	}
	keys = append(keys, "root_server_uri", "format_shared_id_list")
	return []map[string]any{{
		"version": "4.0.0", "versionInt": "4000000", "langs": strings.Join(Languages, ","), "nativeLang": "en",
		"centerLongitude": "", "centerLatitude": "", "centerZoom": "", "defaultDuration": "01:00:00",
		"regionBias": "", "charSet": "UTF-8", "distanceUnits": "mi", "semanticAdmin": "0",
		"emailEnabled": "0", "emailIncludesServiceBodies": "0", "changesPerMeeting": "0",
		"meeting_states_and_provinces": "", "meeting_counties_and_sub_provinces": "",
		"available_keys": strings.Join(keys, ","), "google_api_key": "", "dbVersion": "", "dbPrefix": "",
		"meeting_time_zones_enabled": "1", "phpVersion": "", "commit": "",
		"auto_geocoding_enabled": false, "county_auto_geocoding_enabled": false, "zip_auto_geocoding_enabled": false,
		"default_closed_status": false, "aggregator_mode_enabled": false,
	}}
}

// Languages are the languages of the format catalogue (lang_enum), the
// server's own first.
var Languages = []string{"en", "es"}
