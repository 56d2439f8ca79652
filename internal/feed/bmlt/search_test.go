package bmlt_test

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestParseRequestFields checks which sort_keys, data_field_key and
// page_size are refused (KindInvalid, naming the parameter) and which are
// malformed (an empty answer, no error).
func TestParseRequestFields(t *testing.T) {
	for _, c := range []struct {
		name, query string
		ok          bool
		field       string // the parameter the error names; "" for none
	}{
		{"none", "", true, ""},
		{"known fields", "sort_keys=start_time,meeting_name&data_field_key=id_bigint,distance_in_km,distance_in_miles", true, ""},
		{"array form", "sort_keys[]=start_time&sort_keys[]=duration_time", true, ""},
		{"sort by distance field", "sort_keys=distance_in_km", true, ""},
		{"unknown sort key", "sort_keys=start_time,DROP", false, "sort_keys"},
		{"sort key twice", "sort_keys=start_time,start_time", false, "sort_keys"},
		{"sort key twice across forms", "sort_keys=start_time&sort_keys[]=start_time", false, "sort_keys"},
		{"3,000 sort keys", "sort_keys=" + strings.Repeat("start_time,", 3000), false, "sort_keys"},
		{"unknown data field", "data_field_key=meeting_name,root_server_id", false, "data_field_key"},
		{"data field twice", "data_field_key=meeting_name,meeting_name", false, "data_field_key"},
		{"page_size at the cap", "page_size=1000&page_num=2", true, ""},
		{"page_size above the cap", "page_size=1001", false, "page_size"},
		{"negative page_size is ignored", "page_size=-1", true, ""},
		{"page_size that is no number is ignored", "page_size=ten", true, ""},
		{"a weekday that is no number is ignored", "weekdays=x", true, ""},
		{"bad field wins over malformed", "weekdays=x&sort_keys=x", false, "sort_keys"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			_, ok, err := bmlt.ParseRequest(q)
			if ok != c.ok {
				t.Errorf("ok = %v, want %v", ok, c.ok)
			}
			var e *meeting.Error
			switch {
			case c.field == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case c.field != "" && (!meeting.IsKind(err, meeting.KindInvalid) || !errors.As(err, &e) || e.Fields[c.field] == ""):
				t.Errorf("error %v, want KindInvalid naming %s", err, c.field)
			}
		})
	}
}

// TestNarrow checks the store filter a search gives: what the store
// applies exactly, nothing that would drop a meeting the search keeps.
func TestNarrow(t *testing.T) {
	c := func(h, m int) *meeting.Clock { v := meeting.NewClock(h, m); return &v }
	for _, tc := range []struct {
		name, query string
		want        meeting.Filter
		none        bool // no meeting can match
	}{
		{"nothing", "", meeting.Filter{}, false},
		{"weekdays", "weekdays=1,7", meeting.Filter{Days: []meeting.Weekday{0, 6}}, false},
		{"no weekday left", "weekdays=-1,-2,-3,-4,-5,-6,-7", meeting.Filter{}, true},
		{"ids and id text", "meeting_ids=9,3&SearchString=3,4", meeting.Filter{IDs: []int64{3, 4, 9}}, false},
		{"venue virtual", "venue_types=2", meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceOnline}}, false},
		{"venue not in person", "venue_types=-1", meeting.Filter{Attendance: []meeting.Attendance{meeting.AttendanceHybrid, meeting.AttendanceOnline}}, false},
		{"every venue", "venue_types=1,2,3", meeting.Filter{}, false},
		{"no venue", "venue_types=2&venue_types=-2", meeting.Filter{}, true},
		{"formats AND: codes only", "formats=" + bmlt.FormatID("O") + "," + bmlt.FormatID("VM") + "," + bmlt.FormatID("B"),
			meeting.Filter{Types: []string{"B", "O"}}, false},
		{"formats OR stay in Go", "formats=" + bmlt.FormatID("O") + "," + bmlt.FormatID("B") + "&formats_comparison_operator=OR", meeting.Filter{}, false},
		{"one format OR", "formats=" + bmlt.FormatID("W") + "&formats_comparison_operator=OR", meeting.Filter{Types: []string{"W"}}, false},
		{"negated formats stay in Go", "formats=-" + bmlt.FormatID("O"), meeting.Filter{}, false},
		{"times", "StartsAfterH=18&StartsAfterM=29&StartsBeforeH=21", meeting.Filter{StartAfter: c(18, 30), StartBefore: c(21, 0)}, false},
		{"times at the end of the day", "StartsAfterH=23&StartsAfterM=59&StartsBeforeH=24", meeting.Filter{StartBefore: c(23, 0)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			s, ok := bmlt.ParseSearch(q)
			if !ok {
				t.Fatal("ParseSearch refused the query")
			}
			got, ok := s.Narrow(meeting.Filter{})
			if ok == tc.none {
				t.Fatalf("ok = %v, want %v", ok, !tc.none)
			}
			if tc.none {
				return
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestReadingAsBMLT checks the pieces that read parameters as BMLT's PHP
// does: intval, is_numeric, build_time_string, and the radius ladder.
func TestReadingAsBMLT(t *testing.T) {
	parse := func(q string) bmlt.Search {
		t.Helper()
		v, _ := url.ParseQuery(q)
		s, ok := bmlt.ParseSearch(v)
		if !ok {
			t.Fatalf("%s: refused", q)
		}
		return s
	}
	if s := parse("meeting_ids=12abc,-7,abc,0,%2B3, 4"); !cmp.Equal(s.IDs, map[int64]bool{12: true, 3: true, 4: true}) || !cmp.Equal(s.NotIDs, map[int64]bool{7: true}) {
		t.Errorf("meeting_ids read as intval: %v, not %v", s.IDs, s.NotIDs)
	}
	for _, c := range []struct {
		query                     string
		after, before, ends, minD int
	}{
		{"StartsAfterH=25", 23 * 60, -1, -1, -1},
		{"StartsAfterH=16.7&StartsAfterM=61", 16*60 + 59, -1, -1, -1},
		{"StartsBeforeM=30", -1, 30, -1, -1},
		{"StartsBeforeH=x&StartsBeforeM=y", -1, -1, -1, -1},
		{"EndsBeforeH=-3&EndsBeforeM=1e1", -1, -1, 10, -1},
		{"MinDurationH=%201%20", -1, -1, -1, 60},
	} {
		s := parse(c.query)
		if got := [4]int{s.StartsAfter, s.StartsBefore, s.EndsBefore, s.MinDuration}; got != [4]int{c.after, c.before, c.ends, c.minD} {
			t.Errorf("%s: %v, want %v", c.query, got, [4]int{c.after, c.before, c.ends, c.minD})
		}
	}
	for _, c := range []struct {
		query  string
		auto   bool
		n      int
		widthK float64
	}{
		{"lat_val=1&long_val=2&geo_width=-3", true, 3, 0},
		{"lat_val=1&long_val=2&geo_width=-3.9", true, 3, 0},
		{"lat_val=1&long_val=2&geo_width=-0.5", false, 0, 0.0625 * 111.111 / 69},
		{"lat_val=1&long_val=2&geo_width_km=-0.5", false, 0, 0.0625},
		{"lat_val=1&long_val=2&geo_width=69", false, 0, 111.111},
	} {
		s := parse(c.query)
		if s.Auto != c.auto || s.Nearest != c.n || math.Abs(s.WidthKM-c.widthK) > 1e-9 {
			t.Errorf("%s: auto %v, N %d, width %v km; want %v, %d, %v", c.query, s.Auto, s.Nearest, s.WidthKM, c.auto, c.n, c.widthK)
		}
	}
	if s := parse("lat_val=1&long_val=2&geo_width=-3"); math.Abs(s.RadiusKM()-200*111.111/69) > 1e-9 {
		t.Errorf("geo_width=-3 reads within %v km, want the last radius of the ladder, 200 miles", s.RadiusKM())
	}
	if s := parse("lang_enum[]=de&lang_enum[]=es"); s.Lang != "es" {
		t.Errorf("lang_enum[]=de&lang_enum[]=es: %q", s.Lang)
	}
}
