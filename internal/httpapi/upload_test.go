package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestUploadListings(t *testing.T) {
	e := newOrgEnv(t)
	feed := []byte(`[
		{"slug": "tue", "name": "Tuesday Night", "day": 2, "time": "18:30", "address": "1 Elm St", "city": "New York", "latitude": 40.72, "longitude": -74.0, "types": ["O"]},
		{"slug": "two", "name": "Two Days", "day": [1, 3], "time": "07:00", "address": "2 Elm St", "city": "New York", "latitude": 40.721, "longitude": -74.0},
		{"slug": "bad", "name": "No Day Or Time"},
		{"slug": "js", "name": "Bad Link", "day": 4, "time": "12:00", "attendance_option": "online", "conference_url": "javascript:alert(1)"}
	]`)
	report := func(res response) httpapi.UploadReportJSON {
		t.Helper()
		want(t, res, http.StatusOK)
		var r httpapi.UploadReportJSON
		res.decode(t, &r)
		return r
	}
	// Without a zone the records are rejected, naming the field.
	r := report(e.send(t, http.MethodPost, "/v1/org/uploads", e.a, "192.0.2.1:1", "application/json", feed))
	if r.Format != "meetingguide" || r.Inserted != 0 || r.Rejected != 5 || r.Problems[len(r.Problems)-1].Field != "timezone" {
		t.Fatalf("no zone: %+v", r)
	}
	r = report(e.send(t, http.MethodPost, "/v1/org/uploads?timezone=America/New_York", e.a, "192.0.2.1:1", "application/json", feed))
	// The importer keeps "bad" as by appointment and "js" as inactive, its
	// javascript: link dropped and flagged.
	if r.Parsed != 5 || r.Inserted != 5 || r.Updated != 0 || r.Flagged != 2 {
		t.Errorf("first upload: %+v", r)
	}
	fields := map[string]bool{}
	for _, p := range r.Problems {
		fields[p.Field] = true
	}
	if !fields["online.url"] {
		t.Errorf("no problem names online.url: %+v", r.Problems)
	}
	r = report(e.send(t, http.MethodPost, "/v1/org/uploads?timezone=America/New_York", e.a, "192.0.2.1:1", "application/json", feed))
	if r.Inserted != 0 || r.Updated != 5 {
		t.Errorf("second upload: %+v", r)
	}
	var ls httpapi.ListingListJSON
	res := e.do(t, http.MethodGet, "/v1/org/meetings?status=pending", e.a, nil)
	want(t, res, http.StatusOK)
	res.decode(t, &ls)
	if len(ls.Listings) != 5 {
		t.Errorf("pending listings after upload: %d", len(ls.Listings))
	}
	if contains(e.publicNames(t), "Tuesday Night") {
		t.Error("an untrusted upload is public")
	}
	// The trusted organization's upload is public at once; a spreadsheet works too.
	csv := []byte("ID,Name,Day,Time,Address,City,Latitude,Longitude,Timezone\ncsv1,Sheet Meeting,Tuesday,6:00 PM,5 Elm St,New York,40.722,-74.0,America/New_York\n")
	r = report(e.send(t, http.MethodPost, "/v1/org/uploads", e.b, "192.0.2.1:1", "text/csv", csv))
	if r.Format != "csv" || r.Inserted != 1 {
		t.Errorf("csv upload: %+v", r)
	}
	if !contains(e.publicNames(t), "Sheet Meeting") {
		t.Error("a trusted upload is not public")
	}
	// Bad requests.
	for _, c := range []struct {
		target, key, ctype string
		body               []byte
		status             int
	}{
		{"/v1/org/uploads", e.a, "application/xml", feed, 400},
		{"/v1/org/uploads?format=meetingguide", e.a, "", []byte(`{"not": "an array"}`), 400},
		{"/v1/org/uploads?format=meetingguide&timezone=Mars/Base", e.a, "", feed, 400},
		{"/v1/org/uploads?format=meetingguide", e.admin, "", feed, 403},
		{"/v1/org/uploads?format=meetingguide", "", "", feed, 401},
	} {
		if res := e.send(t, http.MethodPost, c.target, c.key, "192.0.2.1:1", c.ctype, c.body); res.status != c.status {
			t.Errorf("%s: status %d, want %d; %s", c.target, res.status, c.status, res.body)
		}
	}
}

// TestUploadFollowsImportRules: with the import rules as its Resolver, an
// upload decides points and zones as imports do: a zone its text names,
// the upload's online default for online meetings and its default for the
// others (a door's point disagreeing flagged), the zone at a door's point
// when the upload gives none; a point contradicting the address dropped
// and the meeting placed at its postal code's centre; a meeting left
// without a zone rejected once, saying which parameter to send.
func TestUploadFollowsImportRules(t *testing.T) {
	rules := &ingest.Importer{}
	rules.Warm() // as serve does at start: the offline zone data takes a moment to load
	e := newOrgEnv(t, func(c *httpapi.Config) { c.Resolver = rules })
	upload := func(query, feed string) httpapi.UploadReportJSON {
		t.Helper()
		res := e.send(t, http.MethodPost, "/v1/org/uploads"+query, e.a, "192.0.2.1:1", "application/json", []byte(feed))
		want(t, res, http.StatusOK)
		var r httpapi.UploadReportJSON
		res.decode(t, &r)
		return r
	}
	listings := func() map[string]httpapi.MeetingJSON {
		t.Helper()
		var ls httpapi.ListingListJSON
		res := e.do(t, http.MethodGet, "/v1/org/meetings?status=pending", e.a, nil)
		want(t, res, http.StatusOK)
		res.decode(t, &ls)
		out := map[string]httpapi.MeetingJSON{}
		for _, l := range ls.Listings {
			out[l.Meeting.Name] = l.Meeting
		}
		return out
	}
	zoneOf := func(m httpapi.MeetingJSON) string {
		if m.TimeZone == nil {
			return ""
		}
		return *m.TimeZone
	}
	r := upload("?timezone=America/New_York&online_timezone=America/Chicago", `[
		{"slug": "eastern", "name": "Chatroom – 8pm Eastern", "day": 2, "time": "20:00", "conference_url": "https://zoom.us/j/1", "city": "London", "latitude": 51.5, "longitude": -0.12},
		{"slug": "online", "name": "Morning Online", "day": 3, "time": "07:00", "conference_url": "https://zoom.us/j/2"},
		{"slug": "denver", "name": "Denver Door", "day": 4, "time": "12:00", "address": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202", "country": "US", "latitude": 39.74, "longitude": -104.99},
		{"slug": "here", "name": "Scranton Door", "day": 5, "time": "19:00", "address": "1 Main St", "city": "Scranton", "state": "PA", "postal_code": "18503", "country": "US", "latitude": 41.41, "longitude": -75.66},
		{"slug": "sicily", "name": "Sicily Point", "day": 6, "time": "19:00", "address": "2 Main St", "city": "Scranton", "state": "PA", "postal_code": "18503", "country": "US", "latitude": 37.5, "longitude": 14.0}
	]`)
	if r.Inserted != 5 || r.Rejected != 0 {
		t.Fatalf("upload: %+v", r)
	}
	if r.Zones != (meeting.ZoneCounts{Text: 1, Source: 4, Conflicts: 1}) || r.Points != (meeting.PointCounts{None: 1, Contradicted: 1, Centroid: 1}) {
		t.Errorf("zones %+v, points %+v; want text 1, source 4 (1 disagreeing); 1 without a point, 1 contradicted, 1 at a centroid", r.Zones, r.Points)
	}
	got := listings()
	for name, z := range map[string]string{"Chatroom – 8pm Eastern": "America/New_York", "Morning Online": "America/Chicago",
		"Denver Door": "America/New_York", "Scranton Door": "America/New_York", "Sicily Point": "America/New_York"} {
		if zoneOf(got[name]) != z {
			t.Errorf("%s on %q, want %s", name, zoneOf(got[name]), z)
		}
	}
	if l := got["Sicily Point"].Location; !l.Approximate || l.Lat == nil || *l.Lat != 41.41 {
		t.Errorf("the contradicted point: %+v, want the postal code's centre, approximate", l)
	}

	// Without the upload's zones: a door's point gives its zone; an online
	// meeting with none anywhere is rejected once, naming the parameter.
	r = upload("", `[
		{"slug": "denver", "name": "Denver Door", "day": 4, "time": "12:00", "address": "1 Main St", "city": "Denver", "state": "CO", "postal_code": "80202", "country": "US", "latitude": 39.74, "longitude": -104.99},
		{"slug": "nozone", "name": "Nowhere Online", "day": 1, "time": "09:00", "conference_url": "https://zoom.us/j/3", "city": "London", "latitude": 51.5, "longitude": -0.12}
	]`)
	if r.Updated != 1 || r.Rejected != 1 || r.Flagged != 0 || len(r.Problems) != 1 || r.Problems[0].Field != "timezone" ||
		!strings.Contains(r.Problems[0].Reason, "online_timezone") || r.Zones.Point != 1 {
		t.Errorf("no upload zones: %+v", r)
	}
	if z := zoneOf(listings()["Denver Door"]); z != "America/Denver" {
		t.Errorf("Denver Door on %q, want America/Denver (its point)", z)
	}
}

// TestEditKeepsMaintainer: who maintains an uploaded listing is shown on
// it and survives a PATCH and a PUT, which cannot say it.
func TestEditKeepsMaintainer(t *testing.T) {
	e := newOrgEnv(t)
	res := e.send(t, http.MethodPost, "/v1/org/uploads?timezone=America/New_York", e.a, "192.0.2.1:1", "application/json",
		[]byte(`[{"slug": "m", "name": "Noon", "day": 2, "time": "12:00", "address": "1 Elm St", "city": "New York", "latitude": 40.72, "longitude": -74.0,
			"entity": "Hill Country Intergroup", "feedback_emails": ["fix@example.org"]}]`))
	want(t, res, http.StatusOK)
	var ls httpapi.ListingListJSON
	lres := e.do(t, http.MethodGet, "/v1/org/meetings?status=pending", e.a, nil)
	want(t, lres, http.StatusOK)
	lres.decode(t, &ls)
	if len(ls.Listings) != 1 {
		t.Fatalf("%d listings", len(ls.Listings))
	}
	l := ls.Listings[0].Meeting
	wantM := httpapi.MaintainerJSON{Entity: "Hill Country Intergroup", FeedbackEmails: []string{"fix@example.org"}}
	check := func(what string, m httpapi.MeetingJSON) {
		t.Helper()
		if m.Maintainer == nil || m.Maintainer.Entity != wantM.Entity || strings.Join(m.Maintainer.FeedbackEmails, ",") != "fix@example.org" {
			t.Errorf("%s: maintainer %+v, want %+v", what, m.Maintainer, wantM)
		}
	}
	check("uploaded", l)
	path := "/v1/org/meetings/" + strconv.FormatInt(l.ID, 10)
	pres := e.do(t, http.MethodPatch, path, e.a, `{"name": "Noon Again"}`)
	want(t, pres, http.StatusOK)
	var got httpapi.ListingJSON
	pres.decode(t, &got)
	if got.Meeting.Name != "Noon Again" {
		t.Errorf("patched name %q", got.Meeting.Name)
	}
	check("patched", got.Meeting)
	put := listing("Noon Replaced")
	rres := e.do(t, http.MethodPut, path, e.a, put)
	want(t, rres, http.StatusOK)
	rres.decode(t, &got)
	check("replaced", got.Meeting)
}
