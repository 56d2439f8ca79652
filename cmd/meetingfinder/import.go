package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

const importUsage = `usage:
  meetingfinder import --source NAME --format meetingguide|bmlt|csv|naws [--program P]
                       [--timezone TZ] [--mapping FILE] [--force] [--json] PATH_OR_URL
  meetingfinder import --config FILE [--source NAME] [--force] [--json]

Fetches a feed or file, parses it, and applies it to the database in one
transaction keyed by (source, external id): new meetings are inserted,
changed ones updated, meetings missing from the feed removed (recoverably).
A feed that comes back empty, or that would remove more than half of the
source's meetings at once, is held back (nothing changes) unless --force.
With --config, every source of the sources file is imported (or only
--source NAME).

Exit status: 0 applied (or unchanged since the last run), 1 failed or held
back (the report says why), 2 a mistake on the command line.

flags:
`

func runImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	name := fs.String("source", "", "source `NAME`: stamped on every meeting, with the feed's own ids it keys them")
	format := fs.String("format", "", "input format: meetingguide, bmlt (a root server URL or saved GetSearchResults JSON), csv or naws")
	program := fs.String("program", "", "program of records that do not name one (aa, na, smart, …); default: the format's")
	tz := fs.String("timezone", "", "IANA time zone of meetings whose record gives none (else inferred from their point)")
	mapping := fs.String("mapping", "", "CSV mapping `FILE` (csv format only)")
	config := fs.String("config", "", "sources `FILE` (JSON): import every source it lists")
	force := fs.Bool("force", false, "apply a feed the safety valve holds back, and fetch without the last run's ETag")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	maxMB := fs.Int64("max-size", ingest.DefaultMaxSize>>20, "largest input to read, in MB")
	timeout := fs.Duration("timeout", ingest.DefaultTimeout, "time limit of each HTTP request")
	// Flags may come after the location too.
	var rest []string
	for a := args; ; {
		if err := fs.Parse(a); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		a = fs.Args()[1:]
	}
	if *maxMB < 1 {
		return usageError{"--max-size must be at least 1 (MB)"}
	}

	var sources []meeting.Source
	if *config != "" {
		if len(rest) > 0 || *format != "" || *program != "" || *tz != "" || *mapping != "" {
			return usageError{"import: with --config, the sources file gives locations, formats and defaults; only --source, --force and --json apply"}
		}
		f, err := os.Open(*config)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		all, err := ingest.ParseConfig(f, filepath.Dir(*config))
		f.Close()
		if err != nil {
			return fmt.Errorf("import: %s: %w", *config, err)
		}
		for _, s := range all {
			if *name == "" || s.Name == *name {
				sources = append(sources, s)
			}
		}
		if len(sources) == 0 {
			return usageError{fmt.Sprintf("import: %s has no source named %q", *config, *name)}
		}
	} else {
		if len(rest) != 1 {
			return usageError{"import: give one PATH_OR_URL (or --config FILE); see \"meetingfinder import -h\""}
		}
		if *name == "" || *format == "" {
			return usageError{"import: --source and --format are required"}
		}
		src := meeting.Source{Name: *name, Location: rest[0], Format: meeting.Format(*format), Program: meeting.Program(*program),
			TimeZone: *tz, Mapping: *mapping}
		if err := src.Check(); err != nil {
			return usageError{"import: " + err.Error()}
		}
		if !meeting.IsURL(src.Location) {
			if abs, err := filepath.Abs(src.Location); err == nil {
				src.Location = abs
			}
		}
		if src.Mapping != "" {
			if abs, err := filepath.Abs(src.Mapping); err == nil {
				src.Mapping = abs
			}
		}
		sources = append(sources, src)
	}

	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &ingest.Importer{
		Store:   postgres.NewImportStore(db),
		Client:  ingest.NewClient(*timeout),
		MaxSize: *maxMB << 20,
		// The report is the command's output; a log line would repeat it.
		Logger: slog.New(slog.DiscardHandler),
	}
	var reports []*meeting.ImportReport
	failed := 0
	for _, src := range sources {
		rep := im.Run(ctx, src, ingest.Options{Force: *force})
		reports = append(reports, rep)
		if rep.Failed() {
			failed++
		}
		if !*asJSON {
			if err := rep.WriteText(stdout); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var v any = reports
		if *config == "" {
			v = reports[0]
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	// Index the imported meetings for text search now rather than leaving
	// them to serve's next refresh. It is timed apart: the report's
	// duration is the import's own.
	if ctx.Err() == nil {
		start := time.Now()
		indexed, err := db.RefreshSearch(ctx, 0)
		if err != nil {
			return fmt.Errorf("import: text search index: %w", err)
		}
		out := stdout
		if *asJSON {
			out = stderr // stdout holds the JSON report alone
		}
		fmt.Fprintf(out, "search: indexed %d meetings for text search in %s\n", indexed, time.Since(start).Round(time.Millisecond))
	}
	if failed > 0 {
		var what []string
		for _, r := range reports {
			if r.Failed() {
				what = append(what, fmt.Sprintf("%s %s", r.Source, strings.ReplaceAll(string(r.Status), "_", " ")))
			}
		}
		return fmt.Errorf("import: %s", strings.Join(what, ", "))
	}
	return nil
}

// scheduledImports prepares serve's imports: it returns the store that
// answers GET /v1/sources and a function that, when path names a sources
// file, re-imports its sources on their schedule until its context ends
// (with no file, it does nothing). The file is read and its sources
// registered before serve starts listening, so a bad file stops serve.
func scheduledImports(ctx context.Context, db *postgres.DB, path string, log *slog.Logger) (*postgres.ImportStore, func(context.Context), error) {
	store := postgres.NewImportStore(db)
	if path == "" {
		return store, func(context.Context) {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--sources: %w", err)
	}
	srcs, err := ingest.ParseConfig(f, filepath.Dir(path))
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("--sources %s: %w", path, err)
	}
	if err := store.RegisterSources(ctx, srcs); err != nil {
		return nil, nil, err
	}
	im := &ingest.Importer{Store: store, Logger: log}
	log.Info("import schedule", slog.Int("sources", len(srcs)))
	return store, func(ctx context.Context) { im.Schedule(ctx, srcs) }, nil
}
