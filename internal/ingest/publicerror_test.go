package ingest_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestPublicReasons runs failing imports and checks that each run, as
// stored, says why in plain words that name no host, port or path, while
// the full error keeps them.
func TestPublicReasons(t *testing.T) {
	e := newEnv(t)
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone.json":
			http.NotFound(w, r)
		case "/broken.json":
			w.Write([]byte(`[{"slug": "a", `))
		case "/object.json":
			w.Write([]byte(`{"meetings": []}`))
		default:
			http.Error(w, "oops", http.StatusBadGateway)
		}
	})
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/feed.json"
	ln.Close()
	notCSV := filepath.Join(e.dir, "SECRET-NAME.csv")
	os.WriteFile(notCSV, []byte("\"unterminated,quote\n"), 0o644)

	for _, tc := range []struct {
		name, location string
		format         meeting.Format
		local          bool
		want           string
	}{
		{"404", srv.URL + "/gone.json", meeting.FormatMeetingGuide, true, "the feed answered 404 (not found)"},
		{"502", srv.URL + "/down.json", meeting.FormatMeetingGuide, true, "the feed answered 502 (bad gateway)"},
		{"unreachable", closed, meeting.FormatMeetingGuide, true, "the feed could not be reached"},
		{"not public", srv.URL + "/gone.json", meeting.FormatMeetingGuide, false, "the feed's address is not on the public internet, and the source is not marked local"},
		{"broken JSON", srv.URL + "/broken.json", meeting.FormatMeetingGuide, true, "the file is not valid JSON"},
		{"wrong shape", srv.URL + "/object.json", meeting.FormatMeetingGuide, true, "the file is not a Meeting Guide feed"},
		{"missing file", filepath.Join(e.dir, "SECRET-NAME.json"), meeting.FormatMeetingGuide, false, "the file could not be found"},
		{"not a spreadsheet", notCSV, meeting.FormatCSV, false, "the file could not be read as a spreadsheet of meetings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := meeting.Source{Name: "reasons", Location: tc.location, Format: tc.format, Local: tc.local}
			rep := e.im.Run(context.Background(), src, ingest.Options{Force: true})
			if rep.Status != meeting.ImportFailed || rep.PublicError != tc.want {
				t.Fatalf("run: %s, public reason %q, want %q (error %q)", rep.Status, rep.PublicError, tc.want, rep.Error)
			}
			sts, err := e.im.Store.Sources(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range sts {
				if st.Source.Name != "reasons" {
					continue
				}
				if st.LastRun == nil || st.LastRun.PublicError != tc.want || st.LastRun.Error != rep.Error {
					t.Errorf("stored run %+v", st.LastRun)
				}
			}
			for _, secret := range []string{"127.0.0.1", "SECRET-NAME", e.dir} {
				if strings.Contains(rep.PublicError, secret) {
					t.Errorf("public reason %q names %q", rep.PublicError, secret)
				}
			}
		})
	}
}
