package bmlt_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestObjectsWriteWhatEncodingJSONWrites runs searches over demo meetings
// and awkward ones (quotes, HTML, control characters, invalid UTF-8, no
// point, long durations, notes on both dial-ins) and checks that the
// objects written by hand are byte for byte what encoding/json writes for
// their maps (without HTML escaping, as BMLT answers are), and that the
// maps hold what Fields says, with the distances of a geographic search.
func TestObjectsWriteWhatEncodingJSONWrites(t *testing.T) {
	gen := demo.New(7)
	var ms []meeting.Meeting
	for i := range 300 {
		m := gen.Next()
		m.ID = int64(i + 1)
		ms = append(ms, m)
	}
	odd := []meeting.Meeting{
		{Name: `Quote " and \ back`, Notes: "<b>bold</b> & more\n\tline", Online: meeting.Online{URLNotes: " passcode 1 ", PhoneNote: "dial *9"}},
		{Name: "bad \xff utf8 \u2028 sep", Location: meeting.Location{Name: "日本 🙂", Regions: []string{"  ", "Kanto"}}},
		{Name: "Long one", Start: meeting.NewClock(23, 0), End: meeting.NewClock(22, 59), Online: meeting.Online{PhoneNote: "only phone"}},
		{Name: "No point", Location: meeting.Location{City: "Nowhere"}, Types: []string{"ONL", "O", "O", "W"}, Attendance: meeting.AttendanceHybrid},
	}
	for i, m := range odd {
		m.ID, m.Source, m.TimeZone, m.Day = int64(1000+i), "odd", "Europe/Paris", meeting.Weekday(i%7)
		if m.Name != "Long one" {
			m.Start, m.End = meeting.NewClock(7, 5), meeting.NoClock
		}
		if m.Name != "No point" {
			m.Location.Point, m.Location.HasPoint = orb.Point{2.35, 48.85}, true
		}
		ms = append(ms, m)
	}
	clientFields := "id_bigint,meeting_name,weekday_tinyint,start_time,duration_time,time_zone,formats,format_shared_id_list," +
		"location_text,location_street,location_municipality,location_province,location_postal_code_1,location_nation," +
		"comments,virtual_meeting_link,phone_meeting_number,virtual_meeting_additional_info,latitude,longitude," +
		"distance_in_km,distance_in_miles,service_body_bigint,venue_type,root_server_uri"
	for _, q := range []string{
		"",
		"lat_val=48.85&long_val=2.35&geo_width_km=20000",
		"lat_val=40.71&long_val=-74.0&geo_width=-40&data_field_key=" + clientFields,
		"data_field_key=" + clientFields,
		"data_field_key=meeting_name,distance_in_km",
	} {
		v, _ := url.ParseQuery(q)
		s, ok := bmlt.ParseSearch(v)
		if !ok {
			t.Fatalf("%q: ParseSearch rejected it", q)
		}
		res := s.Run(ms, nil, "https://example.org/bmlt")
		if res.Meetings.Len() == 0 {
			t.Fatalf("%q: no meetings", q)
		}
		maps := res.Meetings.Maps()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(maps); err != nil {
			t.Fatal(err)
		}
		if got := string(res.Meetings.AppendJSON(nil)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("%q: written by hand:\n%.600s\nencoding/json:\n%.600s", q, got, want.String())
		}
		if q != "" {
			continue
		}
		for id, want := range map[string]map[string]string{
			"1000": {"virtual_meeting_additional_info": "passcode 1; dial *9", "start_time": "07:05:00", "duration_time": "01:00:00"},
			"1002": {"virtual_meeting_additional_info": "only phone", "start_time": "23:00:00", "duration_time": "23:59:00"},
			"1003": {"formats": "O,W,VM,HY", "latitude": "", "venue_type": "3", "weekday_tinyint": "4"},
		} {
			for _, got := range maps {
				if got["id_bigint"] != id {
					continue
				}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("meeting %s: %s is %q, want %q", id, k, got[k], v)
					}
				}
			}
		}
		byID := map[string]*meeting.Meeting{}
		for i := range ms {
			byID[bmltID(&ms[i])] = &ms[i]
		}
		for _, got := range maps {
			m := byID[got["id_bigint"]]
			body := bmlt.MeetingServiceBody(m.Source, m.Location.Regions)
			if d := cmp.Diff(bmlt.Fields(m, body, bmlt.MeetingServiceBodyName(m.Source, m.Location.Regions), "https://example.org/bmlt"), got); d != "" {
				t.Errorf("meeting %d: the object differs from Fields (-Fields +object):\n%s", m.ID, d)
			}
		}
	}
}

// bmltID is the id_bigint of m.
func bmltID(m *meeting.Meeting) string {
	return bmlt.Fields(m, "", "", "")["id_bigint"]
}
