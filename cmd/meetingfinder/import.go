package main

import (
	"context"
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
                       [--timezone TZ] [--online-timezone TZ] [--mapping FILE]
                       [--local] [--force] [--json] [--geocoder-url URL [--geocode-max N]]
                       PATH_OR_URL
  meetingfinder import --config FILE [--source NAME] [--force] [--json]
                       [--geocoder-url URL [--geocode-max N]]

Fetches a feed or file, parses it, and applies it to the database in one
transaction keyed by (source, external id): new meetings are inserted,
changed ones updated, meetings missing from the feed removed (recoverably).
A feed that comes back empty, or that would remove more than half of the
source's meetings at once, is held back (nothing changes) unless --force.
With --config, every source of the sources file is imported (or only
--source NAME).

Meetings held at a place with an address and no point are placed at the
centre of their postal code or city among the listings' own places; with
--geocoder-url (a Nominatim-compatible server), those still without one
are geocoded from their address: one request a second, at most
--geocode-max a run, each answer kept so that a re-import asks again for
nothing.

Exit status: 0 applied (or unchanged since the last run), 1 failed or held
back (the report says why), 2 a mistake on the command line.

flags:
`

// importFlags are the import command's flags and the locations given
// after them.
type importFlags struct {
	name, format, program, tz, onlineTZ, mapping, config string
	geocoderURL, geocodeMax                              string
	force, asJSON, local                                 bool
	maxMB                                                int64
	timeout                                              time.Duration
	rest                                                 []string // PATH_OR_URL
}

// runImport imports the sources the command line names (one location, or
// every source of --config), prints a report for each and indexes the
// imported meetings for text search. It fails when any import failed or
// was held back.
func runImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fl, err := parseImportFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	sources, err := fl.sources()
	if err != nil {
		return err
	}
	geo, err := newImportGeocoder(fl.geocoderURL, fl.geocodeMax, getenv)
	if err != nil {
		return err
	}
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &ingest.Importer{
		Store:       postgres.NewImportStore(db),
		Client:      ingest.NewClient(fl.timeout),
		LocalClient: ingest.NewLocalClient(fl.timeout),
		MaxSize:     fl.maxMB << 20,
		Places:      postgres.NewPlaceStore(db),
		// The report is the command's output; a log line would repeat it.
		Logger: slog.New(slog.DiscardHandler),
	}
	geo.configure(im, db)
	reports, err := importAll(ctx, im, sources, fl, stdout)
	if err != nil {
		return err
	}
	// Index the imported meetings for text search now rather than leaving
	// them to serve's next refresh.
	if ctx.Err() == nil {
		out := stdout
		if fl.asJSON {
			out = stderr // stdout holds the JSON report alone
		}
		if err := indexImported(ctx, db, out); err != nil {
			return err
		}
	}
	return importFailures(reports)
}

// parseImportFlags parses the import command's flags, which may come after
// the location too. It returns flag.ErrHelp for -h, after printing the
// usage, and a usageError for a mistake.
func parseImportFlags(args []string, getenv env, stderr io.Writer) (importFlags, error) {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage)
		fs.PrintDefaults()
	}
	var fl importFlags
	fs.StringVar(&fl.name, "source", "", "source `NAME`: stamped on every meeting, with the feed's own ids it keys them")
	fs.StringVar(&fl.format, "format", "", "input format: meetingguide, bmlt (a root server URL or saved GetSearchResults JSON), csv or naws")
	fs.StringVar(&fl.program, "program", "", "program of records that do not name one (aa, na, smart, …); default: the format's")
	fs.StringVar(&fl.tz, "timezone", "", "IANA time zone of meetings whose record and text give none (else inferred from an in-person meeting's point)")
	fs.StringVar(&fl.onlineTZ, "online-timezone", "", "IANA time zone of online meetings whose record and text give none, instead of --timezone (their point is never used)")
	fs.StringVar(&fl.mapping, "mapping", "", "CSV mapping `FILE` (csv format only)")
	fs.StringVar(&fl.config, "config", "", "sources `FILE` (JSON): import every source it lists")
	fs.BoolVar(&fl.force, "force", false, "apply a feed the safety valve holds back, and fetch without the last run's ETag")
	fs.BoolVar(&fl.asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&fl.local, "local", false, "the URL is on this machine or the local network: allow loopback, private and link-local addresses (refused otherwise)")
	fs.Int64Var(&fl.maxMB, "max-size", ingest.DefaultMaxSize>>20, "largest input to read, in MB")
	fs.DurationVar(&fl.timeout, "timeout", ingest.DefaultTimeout, "time limit of each HTTP request")
	fs.StringVar(&fl.geocoderURL, "geocoder-url", getenv("MF_GEOCODER_URL"), "Nominatim-compatible geocoder for meetings with an address and no point that no centroid places (env MF_GEOCODER_URL; unset: offline)")
	fs.StringVar(&fl.geocodeMax, "geocode-max", getenv("MF_GEOCODE_MAX"), fmt.Sprintf("addresses one run may send to the geocoder, one a second (env MF_GEOCODE_MAX; default %d; 0: none, the cache only)", ingest.DefaultGeocodeMax))
	rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return fl, err
	}
	if err != nil {
		return fl, usageError{err.Error()}
	}
	fl.rest = rest
	if fl.maxMB < 1 {
		return fl, usageError{"--max-size must be at least 1 (MB)"}
	}
	return fl, nil
}

// sources returns the sources to import: those of the --config file (only
// the one named by --source, when given), or the one the command line
// describes. A mistake on the command line is a usageError.
func (fl importFlags) sources() ([]meeting.Source, error) {
	if fl.config != "" {
		return fl.configSources()
	}
	if len(fl.rest) != 1 {
		return nil, usageError{"import: give one PATH_OR_URL (or --config FILE); see \"meetingfinder import -h\""}
	}
	if fl.name == "" || fl.format == "" {
		return nil, usageError{"import: --source and --format are required"}
	}
	src := meeting.Source{Name: fl.name, Location: fl.rest[0], Format: meeting.Format(fl.format), Program: meeting.Program(fl.program),
		TimeZone: fl.tz, OnlineTimeZone: fl.onlineTZ, Mapping: fl.mapping, Local: fl.local}
	if err := src.Check(); err != nil {
		return nil, usageError{"import: " + err.Error()}
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
	return []meeting.Source{src}, nil
}

// configSources reads the --config sources file and returns its sources,
// or only the one named by --source.
func (fl importFlags) configSources() ([]meeting.Source, error) {
	if len(fl.rest) > 0 || fl.format != "" || fl.program != "" || fl.tz != "" || fl.onlineTZ != "" || fl.mapping != "" || fl.local {
		return nil, usageError{"import: with --config, the sources file gives locations, formats, defaults and \"local\"; only --source, --force and --json apply"}
	}
	f, err := os.Open(fl.config)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	all, err := ingest.ParseConfig(f, filepath.Dir(fl.config))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("import: %s: %w", fl.config, err)
	}
	var sources []meeting.Source
	for _, s := range all {
		if fl.name == "" || s.Name == fl.name {
			sources = append(sources, s)
		}
	}
	if len(sources) == 0 {
		return nil, usageError{fmt.Sprintf("import: %s has no source named %q", fl.config, fl.name)}
	}
	return sources, nil
}

// importAll runs im on each source in turn (stopping early when ctx ends)
// and prints the reports: each as text as it comes, or, with --json, all
// at the end (one object without --config, else an array).
func importAll(ctx context.Context, im *ingest.Importer, sources []meeting.Source, fl importFlags, stdout io.Writer) ([]*meeting.ImportReport, error) {
	var reports []*meeting.ImportReport
	for _, src := range sources {
		rep := im.Run(ctx, src, ingest.Options{Force: fl.force})
		reports = append(reports, rep)
		if !fl.asJSON {
			if err := rep.WriteText(stdout); err != nil {
				return reports, err
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	if fl.asJSON {
		var v any = reports
		if fl.config == "" {
			v = reports[0]
		}
		if err := writeJSON(stdout, v); err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// indexImported indexes the meetings waiting for the text index and says
// so on out. It is timed apart: a report's duration is the import's own.
func indexImported(ctx context.Context, db *postgres.DB, out io.Writer) error {
	start := time.Now()
	indexed, err := db.RefreshSearch(ctx, 0)
	if err != nil {
		return fmt.Errorf("import: text search index: %w", err)
	}
	fmt.Fprintf(out, "search: indexed %d meetings for text search in %s\n", indexed, time.Since(start).Round(time.Millisecond))
	return nil
}

// importFailures returns an error naming the sources whose import failed
// or was held back, and how, or nil when none did.
func importFailures(reports []*meeting.ImportReport) error {
	var what []string
	for _, r := range reports {
		if r.Failed() {
			what = append(what, fmt.Sprintf("%s %s", r.Source, strings.ReplaceAll(string(r.Status), "_", " ")))
		}
	}
	if len(what) > 0 {
		return fmt.Errorf("import: %s", strings.Join(what, ", "))
	}
	return nil
}

// scheduledImports prepares serve's imports: it returns the store that
// answers GET /v1/sources and a function that, when path names a sources
// file, re-imports its sources on their schedule until its context ends
// (with no file, it does nothing). The file is read and its sources
// registered before serve starts listening, so a bad file stops serve.
func scheduledImports(ctx context.Context, db *postgres.DB, path string, geo importGeocoder, log *slog.Logger) (*postgres.ImportStore, func(context.Context), error) {
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
	im := &ingest.Importer{Store: store, Logger: log, Locker: db, Places: postgres.NewPlaceStore(db)}
	geo.configure(im, db)
	log.Info("import schedule", slog.Int("sources", len(srcs)))
	return store, func(ctx context.Context) { im.Schedule(ctx, srcs) }, nil
}
