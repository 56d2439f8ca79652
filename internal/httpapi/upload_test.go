package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
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
