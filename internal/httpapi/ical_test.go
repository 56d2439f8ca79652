package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/go-cmp/cmp"
)

// calendar fetches target and parses it with an independent iCalendar
// library.
func (e *feedEnv) calendar(t *testing.T, target string) *goical.Calendar {
	t.Helper()
	r := e.do(t, target)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("ETag") == "" {
		t.Errorf("GET %s: CORS or ETag missing: %v", target, r.header)
	}
	for _, line := range strings.SplitAfter(string(r.body), "\r\n") {
		if len(strings.TrimSuffix(line, "\r\n")) > 75 {
			t.Errorf("GET %s: line longer than 75 octets: %q", target, line)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("GET %s: not iCalendar: %v\n%s", target, err, r.body)
	}
	return cal
}

func propText(t *testing.T, ev goical.Event, name string) string {
	t.Helper()
	p := ev.Props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// TestMeetingICS checks one meeting's calendar: a weekly event in the
// meeting's zone that stays at 19:00 local across the March DST change.
func TestMeetingICS(t *testing.T) {
	e := newFeedEnv(t)
	cal := e.calendar(t, "/v1/meetings/"+strconv.FormatInt(e.ids["Downtown Big Book"], 10)+".ics")
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	if got := propText(t, ev, goical.PropSummary); got != "Downtown Big Book" {
		t.Errorf("SUMMARY %q", got)
	}
	if got := propText(t, ev, goical.PropLocation); got != "Empire Hall, 350 5th Ave, New York, NY 10118, USA" {
		t.Errorf("LOCATION %q", got)
	}
	if tzid := ev.Props.Get(goical.PropDateTimeStart).Params.Get(goical.ParamTimezoneID); tzid != "America/New_York" {
		t.Errorf("DTSTART TZID %q", tzid)
	}
	if rr := ev.Props.Get(goical.PropRecurrenceRule).Value; rr != "FREQ=WEEKLY;BYDAY=MO" {
		t.Errorf("RRULE %q", rr)
	}
	if d, err := ev.Props.Get(goical.PropDuration).Duration(); err != nil || d != time.Hour {
		t.Errorf("DURATION %v %v", d, err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	set, err := ev.RecurrenceSet(ny)
	if err != nil || set == nil {
		t.Fatalf("RecurrenceSet: %v", err)
	}
	// Around the first start of daylight-saving time after DTSTART, every
	// occurrence is Monday 19:00 in New York: 00:00 UTC before, 23:00 after.
	start, err := ev.DateTimeStart(ny)
	if err != nil {
		t.Fatal(err)
	}
	change := start
	for !(change.AddDate(0, 0, 1).IsDST() && !change.IsDST()) {
		change = change.AddDate(0, 0, 1)
	}
	got := set.Between(change.AddDate(0, 0, -14), change.AddDate(0, 0, 14), true)
	hours := map[int]int{}
	for _, o := range got {
		if l := o.In(ny); l.Weekday() != time.Monday || l.Hour() != 19 || l.Minute() != 0 {
			t.Errorf("occurrence %v is not Monday 19:00 in New York", l)
		}
		hours[o.UTC().Hour()]++
	}
	if len(got) != 4 || hours[0] != 2 || hours[23] != 2 {
		t.Errorf("occurrences around %s: %v (UTC hours %v), want two at 00:00 UTC then two at 23:00 UTC", change.Format("2006-01-02"), got, hours)
	}
	// The VTIMEZONE carries the 2026 transitions with the right offsets.
	var tz []string
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone {
			continue
		}
		for _, o := range c.Children {
			tz = append(tz, o.Name+" "+o.Props.Get("DTSTART").Value+" "+o.Props.Get("TZOFFSETFROM").Value+" "+o.Props.Get("TZOFFSETTO").Value)
		}
	}
	for _, want := range []string{"DAYLIGHT 20260308T020000 -0500 -0400", "STANDARD 20261101T020000 -0400 -0500"} {
		if !strings.Contains(strings.Join(tz, "\n"), want) {
			t.Errorf("VTIMEZONE has no %q:\n%s", want, strings.Join(tz, "\n"))
		}
	}

	online := e.calendar(t, "/v1/meetings/"+strconv.FormatInt(e.ids["Sunrise Online"], 10)+".ics").Events()[0]
	if loc, u := propText(t, online, goical.PropLocation), online.Props.Get(goical.PropURL).Value; loc != "https://zoom.us/j/123456789" || u != loc {
		t.Errorf("online meeting: LOCATION %q, URL %q; want the join link", loc, u)
	}
	if !strings.Contains(propText(t, online, goical.PropDescription), "Passcode 4242") {
		t.Errorf("online meeting: DESCRIPTION lacks the passcode: %q", propText(t, online, goical.PropDescription))
	}
	for target, status := range map[string]int{"/v1/meetings/999999.ics": 404, "/v1/meetings/abc.ics": 400, "/v1/meetings/0.ics": 400} {
		if r := e.do(t, target); r.status != status {
			t.Errorf("GET %s: status %d, want %d", target, r.status, status)
		}
	}
}

// TestMeetingsICS checks the calendar of a /v1/meetings query.
func TestMeetingsICS(t *testing.T) {
	e := newFeedEnv(t)
	cal := e.calendar(t, "/v1/meetings.ics")
	if n := len(cal.Events()); n != 5 {
		t.Errorf("%d events, want 5 (every meeting but the one by appointment)", n)
	}
	zones := 0
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone {
			zones++
		}
	}
	if zones != 3 {
		t.Errorf("%d VTIMEZONEs, want 3 (New York, Chicago, London)", zones)
	}
	na := e.calendar(t, "/v1/meetings.ics?program=na").Events()
	if len(na) != 1 || propText(t, na[0], goical.PropSummary) != "Brooklyn Step Study" {
		t.Errorf("program=na: %d events", len(na))
	}
	if r := e.do(t, "/v1/meetings.ics?day=9"); r.status != http.StatusBadRequest {
		t.Errorf("day=9: status %d, want 400", r.status)
	}
}

// TestMeetingsGeoJSON checks the FeatureCollection: [lon, lat] order,
// unlocated features, filters and paging.
func TestMeetingsGeoJSON(t *testing.T) {
	e := newFeedEnv(t)
	type feature struct {
		Type     string `json:"type"`
		ID       int64  `json:"id"`
		Geometry *struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	type collection struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}
	fetch := func(target string) (collection, feedResponse) {
		t.Helper()
		r := e.do(t, target)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("GET %s: %d %q: %s", target, r.status, r.header.Get("Content-Type"), r.body)
		}
		var c collection
		if err := json.Unmarshal(r.body, &c); err != nil {
			t.Fatal(err)
		}
		return c, r
	}
	all, _ := fetch("/v1/meetings.geojson")
	if all.Type != "FeatureCollection" || len(all.Features) != 6 {
		t.Fatalf("type %q with %d features", all.Type, len(all.Features))
	}
	for _, f := range all.Features {
		switch f.Properties.Name {
		case "Downtown Big Book":
			if f.Geometry == nil || f.Geometry.Type != "Point" || !cmp.Equal(f.Geometry.Coordinates, []float64{-73.9857, 40.7484}) {
				t.Errorf("Downtown Big Book geometry %+v, want Point [-73.9857, 40.7484] (lon, lat)", f.Geometry)
			}
		case "Sunrise Online":
			if f.Geometry != nil {
				t.Errorf("an online meeting without a point has geometry %+v, want null", f.Geometry)
			}
		}
		if f.Type != "Feature" || f.ID != e.ids[f.Properties.Name] {
			t.Errorf("feature %+v", f)
		}
	}
	near, _ := fetch("/v1/meetings.geojson?lat=40.75&lng=-73.98&radius_km=1")
	if len(near.Features) != 1 || near.Features[0].Properties.Name != "Downtown Big Book" {
		t.Errorf("radius query: %+v", near.Features)
	}
	page, r := fetch("/v1/meetings.geojson?limit=4")
	link := r.header.Get("Link")
	if len(page.Features) != 4 || !strings.HasPrefix(link, "</v1/meetings.geojson?") || !strings.HasSuffix(link, `>; rel="next"`) {
		t.Fatalf("limit=4: %d features, Link %q", len(page.Features), link)
	}
	rest, r2 := fetch(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
	if len(rest.Features) != 2 || r2.header.Get("Link") != "" {
		t.Errorf("second page: %d features, Link %q", len(rest.Features), r2.header.Get("Link"))
	}
}

// TestFeedRoutesMatchOpenAPI validates answers of the feed routes against
// openapi.yaml.
func TestFeedRoutesMatchOpenAPI(t *testing.T) {
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/javascript", openapi3filter.PlainBodyDecoder)
	spec := newSpecCheck(t)
	e := newFeedEnv(t)
	for _, target := range []string{
		"/feeds/meeting-guide.json", "/feeds/meeting-guide.json?program=aa&bbox=-74.02,40.70,-73.97,40.76",
		"/feeds/meeting-guide.json?bbox=1,2", "/v1/meetings.geojson", "/v1/meetings.geojson?limit=2",
		"/v1/meetings.ics?program=aa", "/v1/meetings.ics?limit=0",
		"/bmlt/client_interface/json/?switcher=GetSearchResults&get_used_formats",
		"/bmlt/client_interface/json/?switcher=GetSearchResults&lat_val=40.75&long_val=-73.98&geo_width=-2",
		"/bmlt/client_interface/json/?switcher=GetFormats", "/bmlt/client_interface/json/?switcher=GetServiceBodies",
		"/bmlt/client_interface/json/?switcher=GetServerInfo", "/bmlt/client_interface/json/?switcher=GetFieldKeys",
		"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=cb",
		"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=alert(1)",
	} {
		spec.exchange(t, e.srv, request(t, http.MethodGet, target))
	}
}
