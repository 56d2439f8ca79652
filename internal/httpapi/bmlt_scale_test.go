package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// recordingStore is a memstore that records the filters Find is asked
// for and counts the calls of All and Areas.
type recordingStore struct {
	*memstore.Store
	mu    sync.Mutex
	finds []meeting.Filter
	all   int
	areas int
}

// Find records f and asks the memstore.
func (r *recordingStore) Find(ctx context.Context, f meeting.Filter) (meeting.Page, error) {
	r.mu.Lock()
	r.finds = append(r.finds, f)
	r.mu.Unlock()
	return r.Store.Find(ctx, f)
}

// All counts the call and asks the memstore.
func (r *recordingStore) All(ctx context.Context, f meeting.Filter) ([]meeting.Result, error) {
	r.mu.Lock()
	r.all++
	r.mu.Unlock()
	return r.Store.All(ctx, f)
}

// Areas counts the call and asks the memstore.
func (r *recordingStore) Areas(ctx context.Context) ([][]string, error) {
	r.mu.Lock()
	r.areas++
	r.mu.Unlock()
	return r.Store.Areas(ctx)
}

// reset forgets the calls recorded so far.
func (r *recordingStore) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finds, r.all, r.areas = nil, 0, 0
}

// scaleEnv is a Server over a recordingStore holding a dense cluster of
// meetings around Times Square: several at one place (ties), many at one
// weekday and start with different durations (BMLT sorts them by
// duration, the store by id), with and without points, three sources.
type scaleEnv struct {
	feedEnv
	rec     *recordingStore
	version string
}

// scaleCenter is the middle of the scale fixture.
var scaleCenter = orb.Point{-73.9855, 40.758}

// scaleMeetings returns the meetings of the scale tests.
func scaleMeetings() []meeting.Meeting {
	var ms []meeting.Meeting
	sources := []string{"north", "south", "east"}
	types := [][]string{{"O", "D"}, {"C"}, {"O", "B"}, {"C", "ST", "W"}, {"O"}}
	attend := []meeting.Attendance{meeting.AttendanceInPerson, meeting.AttendanceHybrid, meeting.AttendanceOnline, meeting.AttendanceInPerson}
	for i := range 240 {
		// A spiral out from the centre; every seventh meeting shares the
		// place of the one before.
		k := i - i%7/6
		angle, km := float64(k)*2.4, 0.05*float64(k)
		p := orb.Point{scaleCenter.Lon() + km/85*math.Cos(angle), scaleCenter.Lat() + km/111*math.Sin(angle)}
		m := meeting.Meeting{
			Source: sources[i%3], ExternalID: "m" + strconv.Itoa(i), Name: fmt.Sprintf("Meeting %03d", i), Program: meeting.ProgramAA,
			Day: meeting.Weekday(i % 3), Start: meeting.NewClock(18+i%2, 0), End: meeting.NewClock(19+i%2, 15*(i%4)),
			TimeZone: "America/New_York", Types: types[i%len(types)], Attendance: attend[i%len(attend)],
			Location: meeting.Location{Address: strconv.Itoa(i) + " Broadway", City: []string{"New York", "Newark", "Yonkers"}[i%3],
				Region: "NY", Country: "USA", Point: p, HasPoint: true, Regions: []string{[]string{"Manhattan", "Queens"}[i%2]}},
			Notes: []string{"", "near the harbor", "wheelchair ramp"}[i%3],
		}
		if m.Attendance != meeting.AttendanceInPerson {
			m.Online = meeting.Online{URL: "https://zoom.us/j/" + strconv.Itoa(i)}
		}
		if m.Attendance == meeting.AttendanceOnline && i%8 == 2 {
			m.Location = meeting.Location{City: "New York", Region: "NY", Country: "USA", FormattedAddress: "New York, NY, USA", Approximate: true}
		}
		ms = append(ms, m)
	}
	return ms
}

// newScaleEnv returns a scaleEnv; its data version is e.version.
func newScaleEnv(t *testing.T) *scaleEnv {
	t.Helper()
	store := memstore.New(memstore.WithClock(func() time.Time { return feedNow }))
	ms := scaleMeetings()
	for i := range ms {
		ms[i].GroupKey, ms[i].Status = ms[i].ExternalID, meeting.StatusPublished
		if err := ms[i].Validate(); err != nil {
			t.Fatalf("fixture %s: %v", ms[i].Name, err)
		}
	}
	if err := store.InsertMeetings(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	e := &scaleEnv{rec: &recordingStore{Store: store}, version: "v1"}
	e.store = store
	e.srv = httpapi.New(httpapi.Config{Store: e.rec, Feeds: e.rec, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return feedNow }, DataVersion: func() (string, bool) { return e.version, e.version != "" }})
	return e
}

// reference answers a GetSearchResults query the way the handler did
// before pushdown: every meeting, run through bmlt.Search.Run.
func (e *scaleEnv) reference(t *testing.T, query string) []map[string]string {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := bmlt.ParseSearch(q)
	if !ok {
		return []map[string]string{}
	}
	rs, err := e.store.All(context.Background(), meeting.Filter{Now: feedNow})
	if err != nil {
		t.Fatal(err)
	}
	areas, err := e.store.Areas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ms := make([]meeting.Meeting, len(rs))
	for i := range rs {
		ms[i] = rs[i].Meeting
	}
	return s.Run(ms, bmlt.ServiceBodies(areas), "http://127.0.0.1:8080/bmlt").Meetings.Maps()
}

// TestBMLTPushdownSameAnswers checks that the searches the store narrows
// and stops early give the very answer of a search over every meeting:
// nearest N, radius, paging in distance and weekday order, with the
// filters that stay in Go (text, negated and OR formats, services).
func TestBMLTPushdownSameAnswers(t *testing.T) {
	e := newScaleEnv(t)
	at := fmt.Sprintf("lat_val=%v&long_val=%v", scaleCenter.Lat(), scaleCenter.Lon())
	north := bmlt.ServiceBodyID("north")
	for _, query := range []string{
		"",
		at + "&geo_width=-10",
		at + "&geo_width=-10&sort_results_by_distance=1",
		at + "&geo_width_km=-7&venue_types[]=-2",
		at + "&geo_width=-25&sort_keys=start_time,meeting_name",
		at + "&geo_width=-3&SearchString=harbor",
		at + "&geo_width=-12&formats[]=-" + bmlt.FormatID("O"),
		at + "&geo_width=-5&weekdays[]=2",
		at + "&geo_width=-300",
		"lat_val=40.9&long_val=-73.7&geo_width=-10",
		"lat_val=40.9&long_val=-73.7&geo_width_km=100&sort_results_by_distance=1&page_size=5&page_num=3",
		"lat_val=-40.7&long_val=106&geo_width=-4&venue_types=3",
		at + "&geo_width_km=1",
		at + "&geo_width_km=2&sort_results_by_distance=1",
		at + "&geo_width_km=2&sort_results_by_distance=1&page_size=7&page_num=3",
		at + "&geo_width_km=5&page_size=9&page_num=2",
		at + "&data_field_key=meeting_name,distance_in_km&sort_results_by_distance=1&page_size=5&page_num=4",
		at + "&geo_width=-10&data_field_key=meeting_name,distance_in_miles,id_bigint",
		"page_size=5&page_num=1",
		"page_size=7&page_num=6",
		"page_size=50&page_num=5",
		"page_size=4&page_num=3&sort_key=weekday",
		"page_size=4&page_num=3&sort_keys=weekday_tinyint,start_time,meeting_name",
		"page_size=4&page_num=2&sort_keys=location_municipality,start_time",
		"page_size=3&page_num=2&SearchString=ramp",
		"page_size=3&page_num=2&formats[]=" + bmlt.FormatID("ST") + "&formats[]=" + bmlt.FormatID("B") + "&formats_comparison_operator=OR",
		"page_size=6&page_num=2&formats[]=" + bmlt.FormatID("O") + "&formats[]=" + bmlt.FormatID("VM"),
		"page_size=6&page_num=2&services[]=" + north + "&recursive=1",
		"services[]=" + bmlt.ServiceBodyID("south", "Queens"),
		"weekdays=1,3&venue_types=2,3&StartsAfterH=18&StartsAfterM=0",
		"StartsBeforeH=19&StartsBeforeM=0&EndsBeforeH=19&EndsBeforeM=20",
		"meeting_ids=5,17,200,9999&sort_keys=meeting_name",
		"SearchString=12,13,14",
		"page_size=10&page_num=99",
	} {
		t.Run(query, func(t *testing.T) {
			var got []map[string]string
			e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+query, &got)
			if d := cmp.Diff(e.reference(t, query), got); d != "" {
				t.Errorf("(-over every meeting +pushed down):\n%s", d)
			}
		})
	}
	if e.rec.all != 0 {
		t.Errorf("All was called %d times; GetSearchResults reads with Find", e.rec.all)
	}
}

// TestBMLTPushdown checks what the store is asked: nearest N is a Find
// with the point, a radius that takes in the whole Earth and Limit N
// (never All); a radius search passes the point and the radius with its
// margin; ids, weekdays, formats and venue types narrow the filter; one
// page in the store's order is read with a Limit of that page's end.
func TestBMLTPushdown(t *testing.T) {
	e := newScaleEnv(t)
	at := fmt.Sprintf("lat_val=%v&long_val=%v", scaleCenter.Lat(), scaleCenter.Lon())
	first := func(t *testing.T, query string) meeting.Filter {
		t.Helper()
		e.rec.reset()
		var got []map[string]string
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&"+query, &got)
		if e.rec.all != 0 {
			t.Errorf("%s: All was called", query)
		}
		if len(e.rec.finds) == 0 {
			t.Fatalf("%s: Find was not called", query)
		}
		return e.rec.finds[0]
	}

	f := first(t, at+"&geo_width=-10")
	if e.rec.areas != 0 {
		t.Errorf("nearest 10 read the areas (%d times); only services[] needs them", e.rec.areas)
	}
	if f.Limit != 10 || !f.HasPoint || f.Point != scaleCenter || f.RadiusKM <= 0 || f.RadiusKM > 1 {
		t.Errorf("nearest 10: first Find has Limit %d, point %v (%v), radius %v km; want 10, %v, at most 1 km",
			f.Limit, f.Point, f.HasPoint, f.RadiusKM, scaleCenter)
	}
	if n := len(e.rec.finds); n > 2 {
		t.Errorf("nearest 10 took %d Finds, want at most 2 (the page and the ties at its edge)", n)
	}
	for _, c := range e.rec.finds {
		if c.Limit > 50 {
			t.Errorf("nearest 10: a Find with Limit %d", c.Limit)
		}
	}
	// At the antipode of every meeting the radius grows to the last of
	// BMLT's ladder (200 miles), which holds none: an empty answer.
	e.rec.reset()
	var far []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&lat_val=-40.7&long_val=106&geo_width=-3", &far)
	widest := 0.0
	for _, c := range e.rec.finds {
		widest = max(widest, c.RadiusKM)
	}
	if wantKM := 200*111.111/69*1.01 + 0.1; len(e.rec.finds) > 12 || math.Abs(widest-wantKM) > 1e-9 || len(far) != 0 {
		t.Errorf("3 nearest at the antipode: %d meetings in %d Finds, the widest within %v km; want none in at most 12, within %v km",
			len(far), len(e.rec.finds), widest, wantKM)
	}

	f = first(t, at+"&geo_width_km=10")
	if !f.HasPoint || f.Point != scaleCenter || math.Abs(f.RadiusKM-(10*1.01+0.1)) > 1e-9 {
		t.Errorf("10 km: Find has point %v (%v), radius %v km; want %v, %v km", f.Point, f.HasPoint, f.RadiusKM, scaleCenter, 10*1.01+0.1)
	}
	f = first(t, at+"&geo_width=2")
	if want := 2*111.111/69*1.01 + 0.1; !f.HasPoint || math.Abs(f.RadiusKM-want) > 1e-9 { // BMLT: 69 miles a degree
		t.Errorf("2 miles: Find has radius %v km, want %v", f.RadiusKM, want)
	}

	f = first(t, "meeting_ids[]=7&meeting_ids[]=3&weekdays[]=2&weekdays[]=3&formats[]="+bmlt.FormatID("O")+"&formats[]="+bmlt.FormatID("D")+"&venue_types[]=-2")
	want := meeting.Filter{IDs: []int64{3, 7}, Days: []meeting.Weekday{1, 2}, Types: []string{"D", "O"},
		Attendance: []meeting.Attendance{meeting.AttendanceInPerson, meeting.AttendanceHybrid, meeting.AttendanceInactive}}
	got := meeting.Filter{IDs: f.IDs, Days: f.Days, Types: f.Types, Attendance: f.Attendance}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("narrowed filter (-want +got):\n%s", d)
	}

	f = first(t, "page_size=5&page_num=3")
	if f.Limit != 15 || f.HasPoint {
		t.Errorf("page 3 of 5 in weekday order: first Find has Limit %d, point %v; want 15, none", f.Limit, f.HasPoint)
	}
	f = first(t, at+"&geo_width_km=3&sort_results_by_distance=1&page_size=4&page_num=2")
	if f.Limit != 8 || !f.HasPoint {
		t.Errorf("page 2 of 4 by distance: first Find has Limit %d, point %v; want 8 and the point", f.Limit, f.HasPoint)
	}
}

// TestBMLTBounds checks the limits on sort_keys, data_field_key and
// paging: unknown and repeated fields and oversized pages are a 400 with
// the common error body, before the store is asked; the field lists real
// BMLT clients send work; a page number whose offset would overflow is an
// empty page.
func TestBMLTBounds(t *testing.T) {
	e := newScaleEnv(t)
	// The field list the BMLT WordPress plugins and crouton-style clients send (33 keys).
	clientFields := "location_postal_code_1,duration_time,start_time,time_zone,weekday_tinyint,service_body_bigint," +
		"location_province,location_municipality,location_street,location_info,location_neighborhood,formats," +
		"format_shared_id_list,comments,location_sub_province,worldid_mixed,root_server_uri,id_bigint,venue_type," +
		"meeting_name,location_text,virtual_meeting_additional_info,virtual_meeting_link,phone_meeting_number," +
		"latitude,longitude,contact_name_1,contact_phone_1,contact_email_1,contact_name_2,contact_phone_2,contact_email_2"
	var used bmltUsed
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&get_used_formats&services[]="+bmlt.ServiceBodyID("north")+
		"&recursive=1&sort_keys=start_time&data_field_key="+clientFields, &used)
	if len(used.Meetings) != 80 || len(used.Formats) == 0 {
		t.Errorf("crouton's table request with %d fields: %d meetings, %d formats", strings.Count(clientFields, ",")+1, len(used.Meetings), len(used.Formats))
	}
	var ms []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&weekdays=2&sort_keys=start_time&data_field_key="+clientFields, &ms)
	wantKeys := strings.Split(clientFields, ",")
	slices.Sort(wantKeys)
	if len(wantKeys) < 30 || len(ms) == 0 {
		t.Fatalf("%d fields, %d meetings", len(wantKeys), len(ms))
	}
	for _, m := range ms {
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if d := cmp.Diff(wantKeys, keys); d != "" {
			t.Fatalf("data_field_key of %d fields: keys (-want +got):\n%s", len(wantKeys), d)
		}
	}
	// Every field, and the distances, once each.
	all := bmlt.ObjectKeys
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&lat_val=40.75&long_val=-73.98&geo_width=-3&data_field_key="+strings.Join(all, ",")+
		"&sort_keys="+strings.Join(all, ","), &ms)
	if len(ms) != 3 || len(ms[0]) != len(all) {
		t.Errorf("every field: %d meetings of %d fields, want 3 of %d", len(ms), len(ms[0]), len(all))
	}

	e.rec.reset()
	for _, c := range []struct{ name, query, field string }{
		{"3,000 sort_keys", "lat_val=40.75&long_val=-73.98&geo_width_km=5&sort_keys=" + strings.Repeat("meeting_name,", 3000), "sort_keys"},
		{"3,000 sort_keys as sort_keys[]", strings.Repeat("sort_keys[]=start_time&", 3000), "sort_keys"},
		{"unknown sort key", "sort_keys=start_time,nope", "sort_keys"},
		{"sort key twice", "sort_keys=start_time,meeting_name,start_time", "sort_keys"},
		{"unknown data field", "data_field_key=meeting_name,formatted_address", "data_field_key"},
		{"data field twice", "data_field_key=meeting_name,id_bigint,meeting_name", "data_field_key"},
		{"page_size above the cap", "page_size=" + strconv.Itoa(bmlt.MaxPageSize+1), "page_size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, bmltJSON+"switcher=GetSearchResults&"+c.query)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", r.status, r.body)
			}
			var body httpapi.ErrorBody
			if err := json.Unmarshal(r.body, &body); err != nil || body.Error.Code != "invalid" || body.Error.Fields[c.field] == "" || len(r.body) > 600 {
				t.Errorf("body %.600s (%d bytes), want a short invalid error naming %s", r.body, len(r.body), c.field)
			}
		})
	}
	if len(e.rec.finds) != 0 || e.rec.areas != 0 {
		t.Errorf("refused requests asked the store: %d Finds, %d Areas", len(e.rec.finds), e.rec.areas)
	}

	for _, page := range []string{strconv.Itoa(math.MaxInt), strconv.Itoa(math.MaxInt/1000 + 1), "4611686018427387904"} {
		e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&page_size=1000&page_num="+page, &ms)
		if len(ms) != 0 {
			t.Errorf("page_num=%s: %d meetings, want none", page, len(ms))
		}
	}
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&page_size="+strconv.Itoa(bmlt.MaxPageSize), &ms)
	if len(ms) != 240 {
		t.Errorf("page_size at the cap: %d meetings, want all 240", len(ms))
	}
}

// TestBMLTCachePerVersion checks that GetServiceBodies and GetSearchResults
// read the areas once per data version, and every time when the version
// is not known.
func TestBMLTCachePerVersion(t *testing.T) {
	e := newScaleEnv(t)
	var bodies, again []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &bodies)
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &again)
	e.bmltGet(t, bmltJSON+"switcher=GetSearchResults&services[]="+bmlt.ServiceBodyID("north"), nil)
	if e.rec.areas != 1 {
		t.Errorf("one version: Areas called %d times, want 1", e.rec.areas)
	}
	if d := cmp.Diff(bodies, again); d != "" || len(bodies) != 9 {
		t.Errorf("%d service bodies; cached answer (-first +second):\n%s", len(bodies), d)
	}
	var formats, es, formatsAgain []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetFormats", &formats)
	e.bmltGet(t, bmltJSON+"switcher=GetFormats&lang_enum=es&key_strings[]=O", &es)
	e.bmltGet(t, bmltJSON+"switcher=GetFormats", &formatsAgain)
	if d := cmp.Diff(formats, formatsAgain); d != "" || len(es) != 1 || es[0]["name_string"] != "Abierta" {
		t.Errorf("formats: Spanish %v; cached answer (-first +second):\n%s", es, d)
	}

	// A new meeting in a new source: the next version shows its body.
	m := scaleMeetings()[0]
	m.Source, m.ExternalID, m.GroupKey, m.Status = "west", "w1", "w1", meeting.StatusPublished
	m.Location.Regions = nil
	if err := e.store.InsertMeetings(context.Background(), []meeting.Meeting{m}); err != nil {
		t.Fatal(err)
	}
	var same, next []map[string]string
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &same)
	if e.rec.areas != 1 || len(same) != len(bodies) {
		t.Errorf("same version: Areas called %d times, %d bodies; want the cached answer", e.rec.areas, len(same))
	}
	e.version = "v2"
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", nil)
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", &next)
	if e.rec.areas != 2 || len(next) != len(bodies)+1 {
		t.Errorf("new version: Areas called %d times in all, %d bodies; want 2 and %d", e.rec.areas, len(next), len(bodies)+1)
	}
	e.version = "" // not known: no caching
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", nil)
	e.bmltGet(t, bmltJSON+"switcher=GetServiceBodies", nil)
	if e.rec.areas != 4 {
		t.Errorf("unknown version: Areas called %d times in all, want 4", e.rec.areas)
	}
}

// TestBMLTFieldPatternsInOpenAPI checks that the patterns openapi.yaml
// gives sort_keys and data_field_key name exactly bmlt.ObjectKeys.
func TestBMLTFieldPatternsInOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	alt := strings.Join(bmlt.ObjectKeys, "|")
	want := "^(" + alt + ")(,(" + alt + "))*$"
	for _, name := range []string{"BMLTSortKeys", "BMLTDataFieldKey"} {
		p := spec.Components.Parameters[name]
		if p == nil || p.Value.Schema == nil || p.Value.Schema.Value.Pattern != want {
			t.Errorf("openapi.yaml: %s does not have the pattern of bmlt.ObjectKeys:\n%s", name, want)
		}
	}
}

// TestBMLTOpenAPIResponses checks GetSearchResults' answers on bounds
// against openapi.yaml: the 400s the spec describes are refused by it too,
// and a page with selected fields matches the BMLT schema.
func TestBMLTOpenAPIResponses(t *testing.T) {
	spec := newSpecCheck(t)
	e := newEnv(t, standardFixtures()...)
	const search = "/bmlt/client_interface/json/?switcher=GetSearchResults&"
	for _, tc := range []struct {
		name, query string
		status      int
		specBlind   bool // a 400 the spec cannot express (a field given twice)
	}{
		{"page with fields", "page_size=2&page_num=2&data_field_key=meeting_name,start_time", 200, false},
		{"nearest with distances", "lat_val=40.7128&long_val=-74.006&geo_width=-2&data_field_key=meeting_name,distance_in_km", 200, false},
		{"unknown sort key", "sort_keys=start_time,nope", 400, false},
		{"unknown data field", "data_field_key=meeting_name,formatted_address", 400, false},
		{"page too big", "page_size=1001", 400, false},
		{"repeated sort key", "sort_keys=start_time,start_time", 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, reqErr := spec.exchange(t, e.srv, request(t, http.MethodGet, search+tc.query))
			if res.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", res.status, tc.status, res.body)
			}
			switch {
			case tc.status == http.StatusBadRequest && !tc.specBlind && reqErr == nil:
				t.Errorf("the server refuses the request but openapi.yaml accepts it")
			case tc.status != http.StatusBadRequest && reqErr != nil:
				t.Errorf("the server accepts the request but openapi.yaml refuses it: %v", reqErr)
			case tc.specBlind && reqErr != nil:
				t.Errorf("openapi.yaml refuses a request marked specBlind: %v", reqErr)
			}
		})
	}
}
