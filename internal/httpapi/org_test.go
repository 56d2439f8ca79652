package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// orgEnv is a Server with organizations over a fresh in-memory store: the
// standard fixtures (imported meetings), an untrusted organization "Hill
// Country Intergroup" (key a), a trusted one "Trail Walkers" (key b) and an
// admin key.
type orgEnv struct {
	*env
	srv      *httpapi.Server
	orgs     meeting.OrgStore
	a, b     string // organization keys
	admin    string
	imported int64 // an imported (feed) meeting's id
	spec     *specCheck
}

func newOrgEnv(t *testing.T, tweak ...func(*httpapi.Config)) *orgEnv {
	t.Helper()
	e := &orgEnv{env: newEnv(t, standardFixtures()...), spec: newSpecCheck(t)}
	e.orgs = e.store
	ctx := context.Background()
	key := func(name string, trusted bool) string {
		if _, err := e.orgs.CreateOrg(ctx, name, trusted); err != nil {
			t.Fatal(err)
		}
		k, _, err := e.orgs.CreateKey(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	e.a, e.b = key("Hill Country Intergroup", false), key("Trail Walkers", true)
	admin, _, err := e.orgs.CreateAdminKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = admin
	e.imported = e.ids["Monday Night NYC"]
	listings := e.store
	cfg := httpapi.Config{
		Store: e.store, Ready: ready, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Orgs:   e.orgs, Listings: listings, ChangeRequests: listings,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	e.srv = httpapi.New(cfg)
	return e
}

// do sends a request with an optional key and JSON body (a string is sent
// as is), checks the answer against openapi.yaml, and returns it.
func (e *orgEnv) do(t *testing.T, method, target, key string, body any) response {
	t.Helper()
	var r *bytes.Reader
	switch b := body.(type) {
	case nil:
		r = bytes.NewReader(nil)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, baseURL+target, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	res, _ := e.spec.exchange(t, e.srv, req)
	return res
}

// want fails unless res has the status.
func want(t *testing.T, res response, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d; body %s", res.status, status, res.body)
	}
}

// listing is a valid listing input near the fixtures' NYC point.
func listing(name string) map[string]any {
	return map[string]any{
		"name": name, "program": "smart", "day": 2, "start_time": "18:30", "end_time": "19:30",
		"timezone": "America/New_York", "types": []string{"open"}, "attendance": "hybrid",
		"location": map[string]any{"name": "Grace Church", "address": "1 Elm St", "city": "New York", "lat": 40.72, "lng": -74.0},
		"online":   map[string]any{"url": "https://zoom.example/j/9"},
	}
}

// create submits name with key and returns the new listing.
func (e *orgEnv) create(t *testing.T, key, name string) httpapi.ListingJSON {
	t.Helper()
	res := e.do(t, http.MethodPost, "/v1/org/meetings", key, listing(name))
	want(t, res, http.StatusOK)
	var l httpapi.ListingJSON
	res.decode(t, &l)
	return l
}

// publicNames returns the names of the public meetings near the listing
// point.
func (e *orgEnv) publicNames(t *testing.T) []string {
	t.Helper()
	res := e.do(t, http.MethodGet, "/v1/meetings?lat=40.72&lng=-74.0&radius_km=5", "", nil)
	want(t, res, http.StatusOK)
	return meetingNames(res.list(t))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestOrgFlow drives the whole flow with real keys: an organization
// submits, the pending listing is invisible, an admin approves it, it is
// found near its point, a member of the public files a change request, the
// organization applies it, and the history shows both changes.
func TestOrgFlow(t *testing.T) {
	e := newOrgEnv(t)
	l := e.create(t, e.a, "Tuesday SMART")
	if l.Status != "pending" || l.OrgID == nil {
		t.Fatalf("new listing of an untrusted org: %+v", l)
	}
	id := strconv.FormatInt(l.Meeting.ID, 10)
	if l.Meeting.Types[0] != "O" {
		t.Errorf("type name not mapped to its code: %v", l.Meeting.Types)
	}
	if contains(e.publicNames(t), "Tuesday SMART") {
		t.Fatal("a pending listing is in public results")
	}
	want(t, e.do(t, http.MethodGet, "/v1/meetings/"+id, "", nil), http.StatusNotFound)
	want(t, e.do(t, http.MethodPost, "/v1/meetings/"+id+"/change-requests", "", map[string]any{"proposed": map[string]any{"name": "x"}}), http.StatusNotFound)

	var subs httpapi.ListingListJSON
	res := e.do(t, http.MethodGet, "/v1/admin/submissions", e.admin, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &subs)
	if len(subs.Listings) != 1 || subs.Listings[0].Meeting.ID != l.Meeting.ID {
		t.Fatalf("submissions: %+v", subs)
	}
	want(t, e.do(t, http.MethodPost, "/v1/admin/submissions/"+id+"/approve", e.admin, nil), http.StatusOK)
	if !contains(e.publicNames(t), "Tuesday SMART") {
		t.Fatal("an approved listing is not found near its point")
	}

	res = e.do(t, http.MethodPost, "/v1/meetings/"+id+"/change-requests", "",
		map[string]any{"proposed": map[string]any{"start_time": "19:00", "location": map[string]any{"address": "3 Elm St"}}, "contact": "sam@example.org"})
	want(t, res, http.StatusOK)
	var created httpapi.ChangeRequestCreatedJSON
	res.decode(t, &created)
	if strings.Contains(string(res.body), "sam@example.org") {
		t.Error("the public answer echoes the contact")
	}
	var crs httpapi.ChangeRequestListJSON
	res = e.do(t, http.MethodGet, "/v1/org/change-requests", e.a, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &crs)
	if len(crs.ChangeRequests) != 1 {
		t.Fatalf("org's change requests: %s", res.body)
	}
	cr := crs.ChangeRequests[0]
	if cr.Contact != "sam@example.org" || len(cr.Changes) != 2 || cr.Changes["start_time"].Current != "18:30" || cr.Changes["location.address"].Proposed != "3 Elm St" {
		t.Errorf("change request as the owner sees it: %s", res.body)
	}
	res = e.do(t, http.MethodPost, fmt.Sprintf("/v1/org/change-requests/%d/apply", created.ID), e.a, nil)
	want(t, res, http.StatusOK)
	want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/org/change-requests/%d/apply", created.ID), e.a, nil), http.StatusConflict)

	// The organization is not trusted: the applied change waits for approval.
	var after httpapi.ListingJSON
	res = e.do(t, http.MethodGet, "/v1/org/meetings/"+id, e.a, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &after)
	if after.Status != "pending" || *after.Meeting.StartTime != "19:00" || after.Meeting.Location.Address != "3 Elm St" {
		t.Errorf("after apply: %s", res.body)
	}
	want(t, e.do(t, http.MethodPost, "/v1/admin/submissions/"+id+"/approve", e.admin, nil), http.StatusOK)
	res = e.do(t, http.MethodGet, "/v1/meetings/"+id, "", nil)
	want(t, res, http.StatusOK)
	var pub httpapi.MeetingJSON
	res.decode(t, &pub)
	if *pub.StartTime != "19:00" {
		t.Errorf("public listing after apply: %s", res.body)
	}

	var hist httpapi.HistoryJSON
	res = e.do(t, http.MethodGet, "/v1/org/meetings/"+id+"/history", e.a, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &hist)
	var got []string
	for _, h := range hist.Entries {
		kind, _, _ := strings.Cut(h.Actor, ":")
		got = append(got, h.Action+"/"+kind)
	}
	if strings.Join(got, " ") != "create/org approve/admin change_request/org approve/admin" {
		t.Errorf("history: %v", got)
	}
	ch := hist.Entries[2]
	if ch.Before == nil || ch.After == nil || *ch.Before.Meeting.StartTime != "18:30" || *ch.After.Meeting.StartTime != "19:00" ||
		ch.Note != fmt.Sprintf("change request %d", created.ID) {
		t.Errorf("change request entry: %+v", ch)
	}

	// Nothing secret reaches the logs.
	for _, secret := range []string{e.a, e.admin, "sam@example.org"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}

// TestOrgCrossAccess sends every route that takes an id with another
// organization's key, with an imported meeting's id and with a missing id:
// each is 404, and nothing changes.
func TestOrgCrossAccess(t *testing.T) {
	e := newOrgEnv(t)
	mine := e.create(t, e.a, "A's meeting")
	want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/admin/submissions/%d/approve", mine.Meeting.ID), e.admin, nil), http.StatusOK)
	crRes := e.do(t, http.MethodPost, fmt.Sprintf("/v1/meetings/%d/change-requests", mine.Meeting.ID), "", map[string]any{"proposed": map[string]any{"notes": "x"}})
	want(t, crRes, http.StatusOK)
	var cr httpapi.ChangeRequestCreatedJSON
	crRes.decode(t, &cr)
	impRes := e.do(t, http.MethodPost, fmt.Sprintf("/v1/meetings/%d/change-requests", e.imported), "", map[string]any{"proposed": map[string]any{"notes": "y"}})
	want(t, impRes, http.StatusOK)
	var impCR httpapi.ChangeRequestCreatedJSON
	impRes.decode(t, &impCR)

	meetingRoutes := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/v1/org/meetings/%d", nil},
		{http.MethodPut, "/v1/org/meetings/%d", listing("Taken")},
		{http.MethodPatch, "/v1/org/meetings/%d", map[string]any{"name": "Taken"}},
		{http.MethodDelete, "/v1/org/meetings/%d", nil},
		{http.MethodGet, "/v1/org/meetings/%d/history", nil},
	}
	for _, who := range []struct {
		name string
		key  string
		id   int64
	}{{"other org", e.b, mine.Meeting.ID}, {"imported, owner's key", e.a, e.imported}, {"imported, other key", e.b, e.imported}, {"missing", e.a, 987654}} {
		for _, r := range meetingRoutes {
			t.Run(who.name+" "+r.method+" "+r.path, func(t *testing.T) {
				res := e.do(t, r.method, fmt.Sprintf(r.path, who.id), who.key, r.body)
				want(t, res, http.StatusNotFound)
			})
		}
	}
	for _, c := range []struct {
		name string
		key  string
		id   int64
	}{{"other org", e.b, cr.ID}, {"imported", e.a, impCR.ID}, {"missing", e.a, 987654}} {
		for _, action := range []string{"apply", "dismiss"} {
			t.Run(c.name+" "+action, func(t *testing.T) {
				want(t, e.do(t, http.MethodPost, fmt.Sprintf("/v1/org/change-requests/%d/%s", c.id, action), c.key, nil), http.StatusNotFound)
			})
		}
	}
	// Lists hold only the caller's own listings and requests.
	var ls httpapi.ListingListJSON
	res := e.do(t, http.MethodGet, "/v1/org/meetings", e.b, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &ls)
	if len(ls.Listings) != 0 {
		t.Errorf("b lists others' listings: %s", res.body)
	}
	var crs httpapi.ChangeRequestListJSON
	res = e.do(t, http.MethodGet, "/v1/org/change-requests?status=all", e.b, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &crs)
	if len(crs.ChangeRequests) != 0 {
		t.Errorf("b lists others' change requests: %s", res.body)
	}
	res = e.do(t, http.MethodGet, "/v1/org/change-requests", e.a, nil)
	res.decode(t, &crs)
	if len(crs.ChangeRequests) != 1 || crs.ChangeRequests[0].ID != cr.ID {
		t.Errorf("a's change requests: %s", res.body)
	}
	// Organizations' keys get 403 on every admin route; no key gets 401.
	adminRoutes := []struct{ method, path string }{
		{http.MethodGet, "/v1/admin/submissions"},
		{http.MethodPost, fmt.Sprintf("/v1/admin/submissions/%d/approve", mine.Meeting.ID)},
		{http.MethodPost, fmt.Sprintf("/v1/admin/submissions/%d/reject", mine.Meeting.ID)},
		{http.MethodGet, "/v1/admin/change-requests"},
		{http.MethodPost, fmt.Sprintf("/v1/admin/change-requests/%d/apply", cr.ID)},
		{http.MethodPost, fmt.Sprintf("/v1/admin/change-requests/%d/dismiss", cr.ID)},
	}
	for _, r := range adminRoutes {
		var body any
		if strings.HasSuffix(r.path, "reject") {
			body = map[string]any{"reason": "no"}
		}
		want(t, e.do(t, r.method, r.path, e.a, body), http.StatusForbidden)
		res := e.do(t, r.method, r.path, "", body)
		want(t, res, http.StatusUnauthorized)
		if res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", r.method, r.path)
		}
	}
	for _, key := range []string{"", "mf_not-a-key", e.a + "x"} {
		want(t, e.do(t, http.MethodGet, "/v1/org/meetings", key, nil), http.StatusUnauthorized)
	}
	// Nothing changed.
	var got httpapi.ListingJSON
	res = e.do(t, http.MethodGet, fmt.Sprintf("/v1/org/meetings/%d", mine.Meeting.ID), e.a, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &got)
	if got.Meeting.Name != "A's meeting" || got.Status != "published" {
		t.Errorf("a's listing changed: %s", res.body)
	}
	res = e.do(t, http.MethodGet, fmt.Sprintf("/v1/meetings/%d", e.imported), "", nil)
	want(t, res, http.StatusOK)
	if !strings.Contains(string(res.body), `"Monday Night NYC"`) {
		t.Errorf("imported meeting changed: %s", res.body)
	}
}

func TestOrgListingEdits(t *testing.T) {
	e := newOrgEnv(t)
	l := e.create(t, e.b, "Trail Walk")
	if l.Status != "published" {
		t.Fatalf("trusted org's listing: %s", l.Status)
	}
	path := fmt.Sprintf("/v1/org/meetings/%d", l.Meeting.ID)

	// Validation names every field.
	bad := listing("")
	bad["day"] = 9
	bad["timezone"] = "Mars/Olympus"
	bad["online"] = map[string]any{"url": "javascript:alert(1)"}
	bad["location"] = map[string]any{"lat": 40.7}
	res := e.do(t, http.MethodPost, "/v1/org/meetings", e.b, bad)
	want(t, res, http.StatusBadRequest)
	fields := res.errorBody(t).Error.Fields
	for _, f := range []string{"name", "day", "timezone", "online.url", "location.lng"} {
		if fields[f] == "" {
			t.Errorf("no reason for %s: %v", f, fields)
		}
	}
	noZone := listing("x")
	delete(noZone, "timezone")
	res = e.do(t, http.MethodPost, "/v1/org/meetings", e.b, noZone)
	want(t, res, http.StatusBadRequest)
	if res.errorBody(t).Error.Fields["timezone"] == "" {
		t.Errorf("missing zone not named: %s", res.body)
	}
	for body, field := range map[string]string{`{"name": 5}`: "name", `{"colour": "red"}`: "colour", `{"location": {"lat": "north"}}`: "location.lat"} {
		res = e.do(t, http.MethodPost, "/v1/org/meetings", e.b, body)
		want(t, res, http.StatusBadRequest)
		if res.errorBody(t).Error.Fields[field] == "" {
			t.Errorf("%s: field %s not named: %s", body, field, res.body)
		}
	}
	want(t, e.do(t, http.MethodPost, "/v1/org/meetings", e.b, `not json`), http.StatusBadRequest)
	want(t, e.do(t, http.MethodPost, "/v1/org/meetings", e.admin, listing("Admin's")), http.StatusForbidden)

	// PATCH merges; null clears; the result is validated.
	res = e.do(t, http.MethodPatch, path, e.b, map[string]any{"notes": "bring water", "location": map[string]any{"city": "Brooklyn"}, "end_time": nil})
	want(t, res, http.StatusOK)
	var p httpapi.ListingJSON
	res.decode(t, &p)
	if p.Meeting.Notes != "bring water" || p.Meeting.Location.City != "Brooklyn" || p.Meeting.Location.Address != "1 Elm St" || p.Meeting.EndTime != nil || p.Status != "published" {
		t.Errorf("patched: %s", res.body)
	}
	res = e.do(t, http.MethodPatch, path, e.b, map[string]any{"start_time": "25:00"})
	want(t, res, http.StatusBadRequest)
	if res.errorBody(t).Error.Fields["start_time"] == "" {
		t.Errorf("bad patch: %s", res.body)
	}
	want(t, e.do(t, http.MethodPatch, path, e.b, `[1]`), http.StatusBadRequest)

	// PUT replaces everything.
	repl := listing("Trail Walk II")
	delete(repl, "online")
	repl["attendance"] = "in_person"
	res = e.do(t, http.MethodPut, path, e.b, repl)
	want(t, res, http.StatusOK)
	p = httpapi.ListingJSON{}
	res.decode(t, &p)
	if p.Meeting.Name != "Trail Walk II" || p.Meeting.Notes != "" || p.Meeting.Online != nil {
		t.Errorf("replaced: %s", res.body)
	}

	// Rejection with a reason, shown to the organization.
	res = e.do(t, http.MethodPost, fmt.Sprintf("/v1/admin/submissions/%d/reject", l.Meeting.ID), e.admin, map[string]any{"reason": ""})
	want(t, res, http.StatusBadRequest)
	res = e.do(t, http.MethodPost, fmt.Sprintf("/v1/admin/submissions/%d/reject", l.Meeting.ID), e.admin, map[string]any{"reason": "duplicate of 12"})
	want(t, res, http.StatusOK)
	res = e.do(t, http.MethodGet, path, e.b, nil)
	res.decode(t, &p)
	if p.Status != "rejected" || p.StatusReason != "duplicate of 12" {
		t.Errorf("rejected: %s", res.body)
	}
	if contains(e.publicNames(t), "Trail Walk II") {
		t.Error("a rejected listing is public")
	}
	res = e.do(t, http.MethodGet, "/v1/admin/submissions?status=rejected", e.admin, nil)
	want(t, res, http.StatusOK)
	want(t, e.do(t, http.MethodGet, "/v1/admin/submissions?status=gone", e.admin, nil), http.StatusBadRequest)

	// DELETE hides it everywhere; the history stays.
	want(t, e.do(t, http.MethodDelete, path, e.b, nil), http.StatusOK)
	want(t, e.do(t, http.MethodGet, path, e.b, nil), http.StatusNotFound)
	var hist httpapi.HistoryJSON
	res = e.do(t, http.MethodGet, path+"/history", e.b, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &hist)
	last := hist.Entries[len(hist.Entries)-1]
	if last.Action != "delete" || last.After != nil || last.Before == nil {
		t.Errorf("delete entry: %+v", last)
	}
}
