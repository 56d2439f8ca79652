package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

func TestImportCommand(t *testing.T) {
	db := pgtest.New(t)
	feed, err := filepath.Abs("../../internal/ingest/testdata/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	// Flags may follow the location.
	out, err := cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", feed, "--timezone", "America/Denver", "--online-timezone", "America/New_York")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "inserted 7") || !strings.Contains(out, "record 5 (no-name) rejected: name") {
		t.Errorf("text report lacks the counts or the rejection:\n%s", out)
	}
	out, err = cli(t, db, "import", "--json", "--source", "fixture", "--format", "meetingguide", "--timezone", "America/Denver", "--online-timezone", "America/New_York", feed)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	var rep meeting.ImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, out)
	}
	if rep.Status != meeting.ImportOK || rep.Unchanged != 7 || rep.Rejected != 1 || len(rep.Problems) != 1 {
		t.Errorf("re-import report = %+v", rep)
	}
	// The online meeting is on the online default, the others on their own.
	var online, denver string
	db.Pool.QueryRow(context.Background(), `SELECT timezone FROM meetings WHERE source = 'fixture' AND external_id = 'online-only'`).Scan(&online)
	db.Pool.QueryRow(context.Background(), `SELECT timezone FROM meetings WHERE source = 'fixture' AND external_id = 'denver-noon-1'`).Scan(&denver)
	if online != "America/New_York" || denver != "America/Denver" {
		t.Errorf("zones: online %q, Denver %q; want America/New_York (--online-timezone), America/Denver (--timezone)", online, denver)
	}

	empty := filepath.Join(t.TempDir(), "empty.json")
	os.WriteFile(empty, []byte("[]"), 0o644)
	out, err = cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", empty)
	if err == nil || !strings.Contains(out, "held back") {
		t.Errorf("empty feed: error %v, output:\n%s\nwant held back and an error (non-zero exit)", err, out)
	}
	out, err = cli(t, db, "import", "--source", "fixture", "--format", "meetingguide", filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || !strings.Contains(out, "failed") {
		t.Errorf("missing file: error %v, output:\n%s", err, out)
	}

	var ue usageError
	for _, args := range [][]string{
		{"import", feed},
		{"import", "--source", "x", "--format", "xml", feed},
		{"import", "--source", "x", "--format", "meetingguide"},
		{"import", "--config", "s.json", "--format", "csv"},
	} {
		if _, err := cli(t, db, args...); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestImportLocalFlag(t *testing.T) {
	fl, err := parseImportFlags([]string{"--source", "here", "--format", "meetingguide", "--local", "http://127.0.0.1:8081/meetings.json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := fl.sources()
	if err != nil || len(srcs) != 1 || !srcs[0].Local {
		t.Errorf("--local: sources %+v, %v; want one marked local", srcs, err)
	}
	fl, err = parseImportFlags([]string{"--source", "here", "--format", "meetingguide", "http://127.0.0.1:8081/meetings.json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if srcs, _ := fl.sources(); len(srcs) != 1 || srcs[0].Local {
		t.Errorf("without --local: sources %+v; want one not marked local", srcs)
	}
	fl, err = parseImportFlags([]string{"--config", "sources.json", "--local"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var usage usageError
	if _, err := fl.sources(); !errors.As(err, &usage) {
		t.Errorf("--config with --local: %v, want a usage error (the sources file says \"local\")", err)
	}
}
