package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/sharedtest"

	"github.com/meetingfinder/meetingfinder/importers/bmlt"
	mfcsv "github.com/meetingfinder/meetingfinder/importers/csv"
	"github.com/meetingfinder/meetingfinder/importers/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// sharedData returns the folder of real sample files, skipping the test
// when it is absent (see internal/sharedtest).
func sharedData(t *testing.T) string {
	t.Helper()
	return sharedtest.Data(t)
}

// sharedMappings are the CSV mapping files (in importers/csv/testdata) of
// the shared spreadsheets that need one.
var sharedMappings = map[string]string{
	"baltimore.csv":           "baltimore.mapping.json",
	"nyintergroup-import.tsv": "nyintergroup.mapping.json",
	"tsml-export-2014.tsv":    "tsml-export-2014.mapping.json",
}

// sharedCatalogs are BMLT files that are not meeting lists (GetFormats,
// GetServiceBodies, GetServerInfo); the bmlt package tests them.
var sharedCatalogs = map[string]bool{"formats.json": true, "german-formats-de.json": true, "german-formats-en.json": true,
	"service-bodies.json": true, "server-info.json": true}

// mustFail are the shared files that are not feeds at all.
var mustFail = map[string]bool{"invalid.json": true, "nocodeapi.com.test.json": true, "types.json": true}

// TestSharedData runs the whole import of every shared sample file into a
// fresh database: each either imports exactly the meetings its importer
// accepts, each with a zone or a flag, or fails cleanly and writes nothing.
func TestSharedData(t *testing.T) {
	root := sharedData(t)
	var files []string
	for _, sub := range []string{"meetingguide", "bmlt", "csv"} {
		fs, _ := filepath.Glob(filepath.Join(root, sub, "*"))
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Skipf("../shared/data not present: no files under %s", root)
	}
	pgtest.URL(t)
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		name := filepath.Base(path)
		t.Run(rel, func(t *testing.T) {
			if sharedCatalogs[name] {
				t.Skip("a BMLT catalog, not a meeting list")
			}
			src := meeting.Source{Name: "shared", Location: path}
			iopts := meeting.ImportOptions{Source: "shared"}
			var want []meeting.Meeting
			var perr error
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			switch {
			case strings.HasPrefix(rel, "meetingguide"):
				src.Format = meeting.FormatMeetingGuide
				want, _, perr = meetingguide.Parse(f, meetingguide.Options{ImportOptions: iopts})
			case strings.HasSuffix(name, ".csv") && strings.HasPrefix(rel, "bmlt"):
				src.Format = meeting.FormatNAWS
				want, _, perr = bmlt.ParseNAWS(f, bmlt.Options{ImportOptions: iopts})
			case strings.HasPrefix(rel, "bmlt"):
				src.Format = meeting.FormatBMLT
				want, _, perr = bmlt.Parse(f, bmlt.Catalog{}, bmlt.Options{ImportOptions: iopts})
			default:
				src.Format = meeting.FormatCSV
				opts := mfcsv.Options{ImportOptions: iopts}
				if m := sharedMappings[name]; m != "" {
					src.Mapping = filepath.Join("..", "..", "importers", "csv", "testdata", m)
					mf, err := os.Open(src.Mapping)
					if err != nil {
						t.Fatal(err)
					}
					opts.Mapping, err = mfcsv.ParseMapping(mf)
					mf.Close()
					if err != nil {
						t.Fatal(err)
					}
				}
				want, _, perr = mfcsv.Parse(f, opts)
			}
			if mustFail[name] && perr == nil {
				t.Fatalf("the importer accepted %s, which is not a feed", name)
			}

			db := pgtest.New(t)
			im := &ingest.Importer{Store: postgres.NewImportStore(db)}
			rep := im.Run(context.Background(), src, ingest.Options{})
			var rows, zoneless int
			db.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE timezone IS NULL) FROM meetings WHERE source = 'shared'`).Scan(&rows, &zoneless)
			if perr != nil {
				if rep.Status != meeting.ImportFailed || rep.Error == "" || rows != 0 {
					t.Fatalf("status %s, error %q, %d rows; want a failure with a message and nothing written", rep.Status, rep.Error, rows)
				}
				t.Logf("failed cleanly: %s", rep.Error)
				return
			}
			if rep.Status != meeting.ImportOK {
				t.Fatalf("status %s (%s); want ok", rep.Status, rep.Error)
			}
			if rep.Parsed != len(want) || rep.Inserted != len(want) || rows != len(want) {
				t.Errorf("parsed %d, inserted %d, %d rows; the importer accepts %d", rep.Parsed, rep.Inserted, rows, len(want))
			}
			flagged := 0
			for _, p := range rep.Problems {
				if p.Field == "timezone" && strings.HasPrefix(p.Reason, "no time zone") {
					flagged++
				}
			}
			if flagged != zoneless {
				t.Errorf("%d meetings stored without a zone, %d flagged for it", zoneless, flagged)
			}
			t.Logf("%d meetings (%d rejected, %d flagged problems, %d without a zone)", rep.Inserted, rep.Rejected, rep.Flagged, zoneless)
		})
	}
}
