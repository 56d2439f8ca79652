package meili_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/search/meili"
)

// The contract test checks every request the adapter makes against
// Meilisearch's documented API (https://www.meilisearch.com/docs/reference/api):
// a fake server accepts only the endpoints of the table below, with the
// documented query parameters and body fields, checks filter and sort
// expressions against the documented syntax, and answers with the
// documented response shapes (a summarized task with 202 for every write,
// GET /tasks/{uid} for its status).

// endpoint is one documented route.
type endpoint struct {
	method string
	path   *regexp.Regexp
	query  []string                       // allowed query parameters
	body   func(t *testing.T, raw []byte) // checks the body; nil = no body
}

// documented body fields of POST /indexes/{uid}/search.
var searchFields = []string{"q", "offset", "limit", "hitsPerPage", "page", "filter", "facets", "distinct",
	"attributesToRetrieve", "attributesToCrop", "cropLength", "cropMarker", "attributesToHighlight",
	"highlightPreTag", "highlightPostTag", "showMatchesPosition", "sort", "matchingStrategy",
	"showRankingScore", "showRankingScoreDetails", "rankingScoreThreshold", "attributesToSearchOn",
	"hybrid", "vector", "retrieveVectors", "locales"}

// documented fields of PATCH /indexes/{uid}/settings.
var settingsFields = []string{"displayedAttributes", "searchableAttributes", "filterableAttributes",
	"sortableAttributes", "rankingRules", "stopWords", "nonSeparatorTokens", "separatorTokens", "dictionary",
	"synonyms", "distinctAttribute", "typoTolerance", "faceting", "pagination", "proximityPrecision",
	"searchCutoffMs", "localizedAttributes", "embedders", "facetSearch", "prefixSearch"}

// Filter expressions as documented: comparisons (=, !=, >, >=, <, <=),
// IN [...], and the geo filters _geoRadius(lat, lng, distance_in_meters)
// and _geoBoundingBox.
var (
	value      = `(?:-?[0-9]+(?:\.[0-9]+)?|"(?:[^"\\]|\\.)*")`
	filterExpr = regexp.MustCompile(`^(?:` +
		`[a-z_]+ (?:=|!=|>|>=|<|<=) ` + value +
		`|[a-z_]+ IN \[` + value + `(?:, ` + value + `)*\]` +
		`|_geoRadius\(-?[0-9.]+, -?[0-9.]+, [0-9.]+\)` +
		`)$`)
	sortExpr = regexp.MustCompile(`^(?:_geoPoint\(-?[0-9.]+, -?[0-9.]+\)|[a-z_]+):(?:asc|desc)$`)
)

// fake is a recording Meilisearch.
type fake struct {
	t        *testing.T
	mu       sync.Mutex
	requests []string // "METHOD /path?query"
	docs     map[int64]map[string]any
	tasks    int64
	searches []map[string]any
	fail     func(r *http.Request) (int, string) // optional: an error answer
}

func objectKeys(t *testing.T, raw []byte, allowed []string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, raw)
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			t.Errorf("body field %q is not documented for this endpoint", k)
		}
	}
	return m
}

func (f *fake) endpoints() []endpoint {
	return []endpoint{
		{method: "POST", path: regexp.MustCompile(`^/indexes$`), body: func(t *testing.T, raw []byte) {
			m := objectKeys(t, raw, []string{"uid", "primaryKey"})
			if m["uid"] != "meetings" || m["primaryKey"] != "id" {
				t.Errorf("create index body %s, want uid meetings and primaryKey id", raw)
			}
		}},
		{method: "PATCH", path: regexp.MustCompile(`^/indexes/meetings/settings$`), body: func(t *testing.T, raw []byte) {
			m := objectKeys(t, raw, settingsFields)
			want := map[string]any{
				"searchableAttributes": []any{"name", "group", "type_names", "location_name", "city", "region", "postal_code", "address", "notes"},
				"filterableAttributes": []any{"_geo", "day", "start", "types", "program", "attendance", "source"},
				"sortableAttributes":   []any{"_geo"},
				"rankingRules":         []any{"words", "typo", "proximity", "attribute", "sort", "exactness"},
				"pagination":           map[string]any{"maxTotalHits": float64(1000)},
				"typoTolerance": map[string]any{"enabled": true, "disableOnNumbers": false,
					"minWordSizeForTypos": map[string]any{"oneTypo": float64(4), "twoTypos": float64(9)},
					"disableOnWords":      []any{}, "disableOnAttributes": []any{}},
			}
			if d := cmp.Diff(want, m); d != "" {
				t.Errorf("settings (-want +got):\n%s", d)
			}
		}},
		{method: "POST", path: regexp.MustCompile(`^/indexes/meetings/documents$`), query: []string{"primaryKey"}, body: func(t *testing.T, raw []byte) {
			var docs []map[string]any
			if err := json.Unmarshal(raw, &docs); err != nil {
				t.Fatalf("documents body is not an array of objects: %v", err)
			}
			for _, d := range docs {
				if _, ok := d["id"].(float64); !ok {
					t.Errorf("document without a numeric id: %v", d)
				}
				if g, ok := d["_geo"]; ok {
					gm, _ := g.(map[string]any)
					if _, ok := gm["lat"].(float64); !ok || len(gm) != 2 {
						t.Errorf("_geo must be {lat, lng} numbers: %v", g)
					}
					if _, ok := gm["lng"].(float64); !ok {
						t.Errorf("_geo must be {lat, lng} numbers: %v", g)
					}
				}
				f.docs[int64(d["id"].(float64))] = d
			}
		}},
		{method: "POST", path: regexp.MustCompile(`^/indexes/meetings/documents/delete-batch$`), body: func(t *testing.T, raw []byte) {
			var ids []any
			if err := json.Unmarshal(raw, &ids); err != nil {
				t.Fatalf("delete-batch body is not an array: %v", err)
			}
			for _, id := range ids {
				var n int64
				switch v := id.(type) {
				case string:
					n, _ = strconv.ParseInt(v, 10, 64)
				case float64:
					n = int64(v)
				default:
					t.Errorf("delete-batch id %v is neither string nor number", id)
				}
				delete(f.docs, n)
			}
		}},
		{method: "DELETE", path: regexp.MustCompile(`^/indexes/meetings/documents$`)},
		{method: "POST", path: regexp.MustCompile(`^/indexes/meetings/search$`), body: func(t *testing.T, raw []byte) {
			m := objectKeys(t, raw, searchFields)
			if fs, ok := m["filter"]; ok {
				list, ok := fs.([]any)
				if !ok {
					t.Errorf("filter %v: want an array of expressions", fs)
				}
				for _, e := range list {
					if s, _ := e.(string); !filterExpr.MatchString(s) {
						t.Errorf("filter expression %q does not follow the documented syntax", e)
					}
				}
			}
			if ss, ok := m["sort"]; ok {
				for _, e := range ss.([]any) {
					if s, _ := e.(string); !sortExpr.MatchString(s) {
						t.Errorf("sort expression %q does not follow the documented syntax", e)
					}
				}
			}
			f.searches = append(f.searches, m)
		}},
		{method: "GET", path: regexp.MustCompile(`^/tasks/[0-9]+$`)},
		{method: "GET", path: regexp.MustCompile(`^/health$`)},
	}
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.t
	raw, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+queryString(r))
	w.Header().Set("Content-Type", "application/json")
	if f.fail != nil {
		if status, body := f.fail(r); status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
	}
	var ep *endpoint
	for _, e := range f.endpoints() {
		if e.method == r.Method && e.path.MatchString(r.URL.Path) {
			ep = &e
			break
		}
	}
	if ep == nil {
		t.Errorf("%s %s is not a documented Meilisearch endpoint", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
		return
	}
	for k := range r.URL.Query() {
		if !slices.Contains(ep.query, k) {
			t.Errorf("%s %s: query parameter %q is not documented", r.Method, r.URL.Path, k)
		}
	}
	if ep.body != nil {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, ct)
		}
		ep.body(t, raw)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	switch {
	case r.Method == "GET" && r.URL.Path == "/health":
		io.WriteString(w, `{"status":"available"}`)
	case r.Method == "GET": // a task
		uid := strings.TrimPrefix(r.URL.Path, "/tasks/")
		fmt.Fprintf(w, `{"uid":%s,"indexUid":"meetings","status":"succeeded","type":"documentAdditionOrUpdate","details":{},"duration":"PT0.01S","enqueuedAt":%q,"startedAt":%q,"finishedAt":%q}`, uid, now, now, now)
	case strings.HasSuffix(r.URL.Path, "/search"):
		f.answerSearch(w)
	default: // every write is an asynchronous task
		f.tasks++
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"taskUid":%d,"indexUid":"meetings","status":"enqueued","type":"documentAdditionOrUpdate","enqueuedAt":%q}`, f.tasks, now)
	}
}

// answerSearch returns every stored document (by id), as a search
// response with _rankingScore and, with a _geoPoint sort, _geoDistance,
// which Meilisearch sends only when _geo is among the attributes to
// retrieve (as a real one, 1.50, does).
func (f *fake) answerSearch(w http.ResponseWriter) {
	req := f.searches[len(f.searches)-1]
	ids := make([]int64, 0, len(f.docs))
	for id := range f.docs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	offset, _ := req["offset"].(float64)
	limit, _ := req["limit"].(float64)
	var hits []map[string]any
	for i, id := range ids {
		if i < int(offset) || len(hits) >= int(limit) {
			continue
		}
		h := map[string]any{"id": id, "_rankingScore": 1 - float64(i)/100}
		attrs, _ := req["attributesToRetrieve"].([]any)
		if _, ok := req["sort"]; ok && slices.Contains(attrs, any("_geo")) {
			h["_geoDistance"] = 100 * (i + 1)
		}
		hits = append(hits, h)
	}
	if hits == nil {
		hits = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"hits": hits, "query": req["q"], "processingTimeMs": 1,
		"limit": limit, "offset": offset, "estimatedTotalHits": len(ids)})
	w.Write(b)
}

func queryString(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func newFake(t *testing.T) (*fake, *meili.Index) {
	f := &fake{t: t, docs: map[int64]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, meili.New(srv.URL, "masterKey", "", srv.Client())
}

func (f *fake) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

func fixture(id int64, name string, pt *orb.Point) meeting.Meeting {
	m := meeting.Meeting{ID: id, Source: "test", ExternalID: fmt.Sprint(id), Name: name, Program: meeting.ProgramAA,
		Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock, Types: []string{"O", "B"},
		Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished,
		Location: meeting.Location{City: "Scranton", Address: "1 Main St"}}
	if pt != nil {
		m.Location.Point, m.Location.HasPoint = *pt, true
	}
	return m
}

func TestContractSetupUpsertDeleteSearch(t *testing.T) {
	f, x := newFake(t)
	ctx := context.Background()
	if err := x.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /indexes", "GET /tasks/1", "PATCH /indexes/meetings/settings", "GET /tasks/2"}
	if d := cmp.Diff(want, f.take()); d != "" {
		t.Errorf("Setup requests (-want +got):\n%s", d)
	}
	scr := orb.Point{-75.66, 41.41}
	hidden := fixture(3, "Pending", nil)
	hidden.Status = meeting.StatusPending
	appt := fixture(4, "By Appointment", nil)
	appt.ByAppointment = true
	if err := x.Upsert(ctx, []meeting.Meeting{fixture(1, "Serenity Group", &scr), fixture(2, "Big Book", nil), hidden, appt}); err != nil {
		t.Fatal(err)
	}
	want = []string{"POST /indexes/meetings/documents?primaryKey=id", "GET /tasks/3", "POST /indexes/meetings/documents/delete-batch", "GET /tasks/4"}
	if d := cmp.Diff(want, f.take()); d != "" {
		t.Errorf("Upsert requests (-want +got):\n%s", d)
	}
	doc := f.docs[1]
	if doc["name"] != "Serenity Group" || doc["day"] != float64(1) || doc["start"] != float64(19*60) ||
		!cmp.Equal(doc["_geo"], map[string]any{"lat": 41.41, "lng": -75.66}) ||
		!cmp.Equal(doc["type_names"], []any{"Open", "Abierta", "Big Book", "Libro Grande"}) {
		t.Errorf("document 1 = %v", doc)
	}
	if _, ok := f.docs[2]["_geo"]; ok {
		t.Errorf("a meeting without a point has _geo: %v", f.docs[2])
	}
	if f.docs[4]["day"] != nil || f.docs[4]["start"] != nil {
		t.Errorf("by appointment: day %v start %v, want null", f.docs[4]["day"], f.docs[4]["start"])
	}
	if _, ok := f.docs[3]; ok {
		t.Errorf("a pending meeting was indexed")
	}

	after, before := meeting.NewClock(7, 0), meeting.NewClock(21, 30)
	hits, err := x.Search(ctx, meeting.Filter{
		Q: "serinity", Point: orb.Point{-75.6624, 41.409}, HasPoint: true, RadiusKM: 10,
		Days: []meeting.Weekday{1, 3}, StartAfter: &after, StartBefore: &before, Types: []string{"O", `W"x`},
		Attendance: []meeting.Attendance{meeting.AttendanceInPerson, meeting.AttendanceHybrid},
		Programs:   []meeting.Program{meeting.ProgramAA}, Sources: []string{"test"}, Limit: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"POST /indexes/meetings/search"}, f.take()); d != "" {
		t.Errorf("Search requests (-want +got):\n%s", d)
	}
	req := f.searches[len(f.searches)-1]
	wantReq := map[string]any{
		"q": "serinity", "limit": float64(2), "attributesToRetrieve": []any{"id", "_geo"}, "showRankingScore": true,
		"matchingStrategy": "all",
		"hybrid":           nil,
		"filter": []any{"_geoRadius(41.409, -75.6624, 10000)", "day IN [1, 3]", "start >= 420", "start < 1290",
			`types = "O"`, `types = "W\"x"`, `attendance IN ["in_person", "hybrid"]`, `program IN ["aa"]`, `source IN ["test"]`},
		"sort": []any{"_geoPoint(41.409, -75.6624):asc"},
	}
	if d := cmp.Diff(wantReq, req); d != "" {
		t.Errorf("search body (-want +got):\n%s", d)
	}
	if len(hits.Hits) != 1 || hits.Hits[0].ID != 1 || !hits.Hits[0].HasDistance || hits.NextCursor == nil || hits.NextCursor.Offset != 1 {
		t.Errorf("hits %+v next %+v, want meeting 1 with a distance and a cursor at offset 1", hits.Hits, hits.NextCursor)
	}
	hits, err = x.Search(ctx, meeting.Filter{Q: "serenity", Limit: 5, Cursor: hits.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	f.take()
	if req := f.searches[len(f.searches)-1]; req["offset"] != float64(1) || req["filter"] != nil || req["sort"] != nil {
		t.Errorf("second page body %v, want offset 1 and no filter or sort", req)
	}
	if len(hits.Hits) != 2 || hits.NextCursor != nil || hits.Hits[0].HasDistance {
		t.Errorf("second page %+v next %+v", hits.Hits, hits.NextCursor)
	}

	if err := x.Delete(ctx, []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"POST /indexes/meetings/documents/delete-batch", "GET /tasks/5"}, f.take()); d != "" {
		t.Errorf("Delete requests (-want +got):\n%s", d)
	}
	if err := x.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if err := x.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Search(ctx, meeting.Filter{Q: "  !! "}); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("query without words: %v, want KindInvalid", err)
	}
}

func TestContractErrorsMapToKinds(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   meeting.Kind
	}{
		{"server error", 503, `{"message":"overloaded","code":"internal","type":"internal","link":"https://docs.meilisearch.com/errors#internal"}`, meeting.KindUnavailable},
		{"no index", 404, `{"message":"Index meetings not found.","code":"index_not_found","type":"invalid_request","link":"https://docs.meilisearch.com/errors#index_not_found"}`, meeting.KindUnavailable},
		{"bad key", 403, `{"message":"The provided API key is invalid.","code":"invalid_api_key","type":"auth","link":"https://docs.meilisearch.com/errors#invalid_api_key"}`, meeting.KindUnavailable},
		{"bad filter", 400, `{"message":"Attribute x is not filterable.","code":"invalid_search_filter","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_search_filter"}`, meeting.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, x := newFake(t)
			f.fail = func(*http.Request) (int, string) { return tc.status, tc.body }
			_, err := x.Search(ctx, meeting.Filter{Q: "serenity"})
			if got := meeting.ErrorKind(err); got != tc.want {
				t.Errorf("kind %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		x := meili.New(srv.URL, "", "", nil)
		if _, err := x.Search(ctx, meeting.Filter{Q: "serenity"}); !meeting.IsKind(err, meeting.KindUnavailable) {
			t.Errorf("search: %v, want KindUnavailable", err)
		}
		if err := x.Upsert(ctx, []meeting.Meeting{fixture(1, "x", nil)}); !meeting.IsKind(err, meeting.KindUnavailable) {
			t.Errorf("upsert: %v, want KindUnavailable", err)
		}
		if err := x.Health(ctx); !meeting.IsKind(err, meeting.KindUnavailable) {
			t.Errorf("health: %v, want KindUnavailable", err)
		}
	})
	t.Run("failed task", func(t *testing.T) {
		f, x := newFake(t)
		f.fail = func(r *http.Request) (int, string) {
			if strings.HasPrefix(r.URL.Path, "/tasks/") {
				return 200, `{"uid":1,"indexUid":"meetings","status":"failed","type":"documentAdditionOrUpdate","error":{"message":"bad document","code":"invalid_document_geo_field","type":"invalid_request","link":""},"enqueuedAt":"2026-01-01T00:00:00Z"}`
			}
			return 0, ""
		}
		if err := x.Upsert(ctx, []meeting.Meeting{fixture(1, "x", nil)}); err == nil || !strings.Contains(err.Error(), "invalid_document_geo_field") {
			t.Errorf("upsert with a failed task: %v, want the task's error", err)
		}
	})
}

// TestContractEnqueueWait checks the requests of a rebuild's batches:
// Enqueue adds the public meetings and does not wait, Wait asks for the
// task it was given.
func TestContractEnqueueWait(t *testing.T) {
	f, x := newFake(t)
	ctx := context.Background()
	if err := x.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	f.take()
	hidden := fixture(3, "Pending", nil)
	hidden.Status = meeting.StatusPending
	first, err := x.Enqueue(ctx, []meeting.Meeting{fixture(1, "Serenity Group", nil), hidden})
	if err != nil {
		t.Fatal(err)
	}
	second, err := x.Enqueue(ctx, []meeting.Meeting{fixture(2, "Big Book", nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /indexes/meetings/documents?primaryKey=id", "POST /indexes/meetings/documents?primaryKey=id"}
	if d := cmp.Diff(want, f.take()); d != "" || second <= first {
		t.Errorf("Enqueue requests (-want +got):\n%s\ntickets %d then %d", d, first, second)
	}
	if _, ok := f.docs[3]; ok {
		t.Errorf("Enqueue sent a meeting that is not public: %v", f.docs[3])
	}
	if err := x.Wait(ctx, second); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{fmt.Sprintf("GET /tasks/%d", second)}, f.take()); d != "" {
		t.Errorf("Wait requests (-want +got):\n%s", d)
	}
}
