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

// FormatKeys returns the key_strings of m's formats: its type codes, then
// VM for virtual and hybrid meetings and HY for hybrid ones, without
// duplicates (the legacy ONL code is dropped in favour of VM).
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
	return keys
}

// Distance constants of BMLT's spherical law of cosines (miles and
// kilometres per degree of arc).
const (
	milesPerDegree = 69.0
	kmPerDegree    = 111.111
)

// arcDegrees returns the great-circle angle between two points in degrees,
// by the spherical law of cosines as BMLT computes it.
func arcDegrees(lat1, lng1, lat2, lng2 float64) float64 {
	r := math.Pi / 180
	c := math.Cos(lat1*r)*math.Cos(lat2*r)*math.Cos((lng2-lng1)*r) + math.Sin(lat1*r)*math.Sin(lat2*r)
	return math.Acos(math.Min(1, math.Max(-1, c))) / r
}

// Fields returns the BMLT meeting object for m: every value a string, ""
// when empty. bodyID is the meeting's service body (see
// MeetingServiceBody) and bodyName its name; root is this server's BMLT
// root URL. Meetings by appointment have no BMLT form and should be left
// out by the caller.
func Fields(m *meeting.Meeting, bodyID, bodyName, root string) map[string]string {
	b := meetingBody{id: bodyID, name: bodyName, root: root}
	f := make(map[string]string, len(FieldKeys))
	for _, k := range FieldKeys {
		if v, ok := field(m, k.Key, b); ok {
			f[k.Key] = v
		}
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
// is false for a key the object does not carry (the distance fields, which
// only a geographic search adds, and unknown keys).
func field(m *meeting.Meeting, key string, b meetingBody) (v string, ok bool) {
	w, ok := fieldWriters[key]
	if !ok {
		return "", false
	}
	return string(w(nil, m, &b)), true
}

// FieldKeys lists the keys of the objects Fields returns, with the
// descriptions GetFieldKeys shows, in BMLT's order.
var FieldKeys = []struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}{
	{"id_bigint", "ID"}, {"worldid_mixed", "World ID"}, {"shared_group_id_bigint", "Unused"},
	{"service_body_bigint", "Service Body ID"}, {"service_body_name", "Service Body Name"},
	{"weekday_tinyint", "Weekday"}, {"venue_type", "Venue Type"}, {"start_time", "Start Time"},
	{"duration_time", "Duration"}, {"time_zone", "Time Zone"}, {"formats", "Formats"},
	{"format_shared_id_list", "Format Shared ID List"}, {"lang_enum", "Language"},
	{"longitude", "Longitude"}, {"latitude", "Latitude"}, {"published", "Published"},
	{"root_server_uri", "Root Server URI"}, {"meeting_name", "Meeting Name"},
	{"location_text", "Location Name"}, {"location_info", "Additional Location Information"},
	{"location_street", "Street Address"}, {"location_city_subsection", "Borough"},
	{"location_neighborhood", "Neighborhood"}, {"location_municipality", "Town"},
	{"location_sub_province", "County"}, {"location_province", "State"},
	{"location_postal_code_1", "Zip Code"}, {"location_nation", "Nation"},
	{"comments", "Comments"}, {"train_lines", "Train Lines"}, {"bus_lines", "Bus Lines"},
	{"phone_meeting_number", "Phone Meeting Dial-in Number"}, {"virtual_meeting_link", "Virtual Meeting Link"},
	{"virtual_meeting_additional_info", "Virtual Meeting Additional Information"},
	{"contact_name_1", "Contact 1 Name"}, {"contact_phone_1", "Contact 1 Phone"}, {"contact_email_1", "Contact 1 Email"},
	{"contact_name_2", "Contact 2 Name"}, {"contact_phone_2", "Contact 2 Phone"}, {"contact_email_2", "Contact 2 Email"},
	{"distance_in_km", "Distance in km (geographic searches)"}, {"distance_in_miles", "Distance in miles (geographic searches)"},
}

// ServerInfo answers GetServerInfo: one object, every value a string.
func ServerInfo() []map[string]string {
	keys := make([]string, len(FieldKeys))
	for i, k := range FieldKeys {
		keys[i] = k.Key
	}
	return []map[string]string{{
		"version": "4.0.0", "versionInt": "4000000", "langs": "en,es", "nativeLang": "en",
		"centerLongitude": "", "centerLatitude": "", "centerZoom": "", "defaultDuration": "01:00:00",
		"regionBias": "", "charSet": "UTF-8", "distanceUnits": "mi", "semanticAdmin": "0",
		"emailEnabled": "0", "emailIncludesServiceBodies": "0", "changesPerMeeting": "0",
		"meeting_states_and_provinces": "", "meeting_counties_and_sub_provinces": "",
		"available_keys": strings.Join(keys, ","), "google_api_key": "", "dbVersion": "", "dbPrefix": "",
		"meeting_time_zones_enabled": "1", "phpVersion": "", "auto_geocoding_enabled": "0", "commit": "",
		"default_closed_status": "0", "aggregator_mode_enabled": "0",
	}}
}
