package ingest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meetingfinder/meetingfinder/importers/bmlt"
	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestRunBMLTServer imports a live BMLT root server (an httptest server
// answering the semantic API from the bmlt importer's fixtures): the run
// asks for the search results, server info, service bodies and formats,
// and imports what bmlt.Parse accepts from them.
func TestRunBMLTServer(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join("..", "..", "importers", "bmlt", "testdata")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := map[string][]byte{"GetSearchResults": read("search.json"), "GetServerInfo": read("server-info.json"),
		"GetServiceBodies": read("service-bodies.json"), "GetFormats": read("formats.json")}
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := r.URL.Query().Get("switcher")
		mu.Lock()
		asked[sw]++
		mu.Unlock()
		if r.URL.Path != "/main_server/client_interface/json/" || files[sw] == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(files[sw])
	}))
	defer srv.Close()

	formats, err := bmlt.ParseFormats(bytes.NewReader(files["GetFormats"]))
	if err != nil {
		t.Fatal(err)
	}
	bodies, _ := bmlt.ParseServiceBodies(bytes.NewReader(files["GetServiceBodies"]))
	info, _ := bmlt.ParseServerInfo(bytes.NewReader(files["GetServerInfo"]))
	want, _, err := bmlt.Parse(bytes.NewReader(files["GetSearchResults"]), bmlt.Catalog{Formats: formats, ServiceBodies: bodies, DefaultPoint: info.DefaultPoint},
		bmlt.Options{ImportOptions: meeting.ImportOptions{Source: "na"}})
	if err != nil || len(want) == 0 {
		t.Fatalf("the fixtures do not parse: %d meetings, %v", len(want), err)
	}

	src := meeting.Source{Name: "na", Location: srv.URL + "/main_server/", Format: meeting.FormatBMLT, Local: true}
	rep := e.im.Run(context.Background(), src, ingest.Options{})
	if rep.Status != meeting.ImportOK || rep.Inserted != len(want) {
		t.Fatalf("run: %+v (%s); want %d inserted", countsOf(rep), rep.Error, len(want))
	}
	for _, sw := range []string{"GetSearchResults", "GetServerInfo", "GetServiceBodies", "GetFormats"} {
		if asked[sw] != 1 {
			t.Errorf("%s asked %d times, want once", sw, asked[sw])
		}
	}
	// The virtual meeting at the server's default point (GetServerInfo's
	// centre) is stored without a point, and without a zone: nothing but
	// that point said where it is.
	var hasPoint bool
	var zone string
	e.db.Pool.QueryRow(context.Background(), `SELECT geog IS NOT NULL, coalesce(timezone, '') FROM meetings WHERE source = 'na' AND external_id = '103'`).Scan(&hasPoint, &zone)
	if hasPoint || zone != "" {
		t.Errorf("virtual meeting at the server's default point: point %v, zone %q; want neither", hasPoint, zone)
	}

	// A server that fails one request fails the run and changes nothing.
	delete(files, "GetFormats")
	rep = e.im.Run(context.Background(), src, ingest.Options{Force: true})
	if rep.Status != meeting.ImportFailed || rep.Error == "" {
		t.Errorf("run without GetFormats: %s %q, want failed", rep.Status, rep.Error)
	}
}
