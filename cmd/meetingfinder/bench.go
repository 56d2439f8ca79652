package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/bench"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// runBench benchmarks the public reads on demo data sets of the given
// sizes: it parses and checks the flags and hands them to bench.RunReads,
// which measures the nearby query through pgx (the raw PostGIS query is
// the baseline), then runs this binary's own "serve" with the read model
// as the server under test for the HTTP phases, and with --text to
// bench.RunText, which runs "serve" too, answering text queries from the
// index of --text-index; it prints Markdown tables and fails when any
// request failed.
func runBench(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	baseURL := getenv("DATABASE_URL")
	if baseURL == "" {
		return usageError{"bench: DATABASE_URL is not set"}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: the server under test is this binary: %w", err)
	}
	cfg.Serve = []string{exe, "serve"}
	if len(cfg.Phases) > 0 {
		if err := bench.RunReads(ctx, baseURL, cfg, stdout, stderr); err != nil {
			return err
		}
	}
	if !cfg.Text {
		return nil
	}
	return bench.RunText(ctx, baseURL, bench.TextConfig{Sizes: cfg.Sizes, Duration: cfg.Duration, Warmup: cfg.Warmup,
		Concurrency: cfg.Concurrency, RadiusKM: cfg.RadiusKM, Limit: cfg.Limit, Seed: cfg.Seed, Points: cfg.Points, Keep: cfg.Keep,
		Serve: cfg.Serve, Index: cfg.TextIndex, Database: cfg.Database}, stdout, stderr)
}

// parseBenchFlags parses the bench command's flags; a mistake is a
// usageError.
func parseBenchFlags(args []string, stderr io.Writer) (bench.Config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100000,1000000", "comma-separated numbers of demo meetings, one data set (and database) each")
	var cfg bench.Config
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured time per phase")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "unmeasured warm-up before each phase")
	fs.IntVar(&cfg.Concurrency, "concurrency", 2*runtime.GOMAXPROCS(0), "concurrent requests (workers) in every phase")
	fs.Float64Var(&cfg.RadiusKM, "radius-km", meeting.DefaultRadiusKM, "search radius of every query")
	fs.IntVar(&cfg.Limit, "limit", meeting.DefaultLimit, "page size of every query")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the demo data and of the query points")
	fs.IntVar(&cfg.Points, "points", 1000, "number of distinct query points (cycled through)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the bench databases (a later run with the same size and seed reuses them)")
	fs.BoolVar(&cfg.Explain, "explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of the query at the first point")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write CPU profiles of the measured windows (of this process: in the HTTP phases the client) to `PREFIX`-<size>-<phase>.pprof")
	fs.BoolVar(&cfg.Text, "text", false, "also run the text-search phase: the query shapes of one word, typos, one-letter and two-word prefixes, with and without a point, through this binary's serve, and the indexing rate")
	fs.StringVar(&cfg.Database, "database", "", "with --text and --phases '': measure this existing database (on DATABASE_URL's server) as it is instead of --sizes: nothing is loaded, vacuumed or dropped, nor any meeting changed")
	fs.StringVar(&cfg.TextIndex, "text-index", bench.TextMemory, "the text index serve answers the text phase with: "+bench.TextMemory+" (the read model's, the default) or "+bench.TextPostgres+" (the read model off: PostgreSQL's embedded index) or "+bench.TextMeili+" (the Meilisearch of MEILI_URL, MEILI_API_KEY, MEILI_INDEX, filled by reindex)")
	phases := fs.String("phases", strings.Join(bench.AllPhases, ","), "comma-separated groups of phases to run, of "+strings.Join(bench.AllPhases, ","))
	fs.DurationVar(&cfg.MixedDuration, "mixed-duration", time.Minute, "measured time of the mixed workload (RSS is sampled over it)")
	if err := fs.Parse(args); err != nil {
		return cfg, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Sprintf("bench: unexpected argument %q", fs.Arg(0))}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, usageError{fmt.Sprintf("bench: --sizes: %q is not a positive whole number", s)}
		}
		cfg.Sizes = append(cfg.Sizes, n)
	}
	for _, p := range strings.Split(*phases, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue // --phases "" with --text: the text phase alone
		}
		if !slices.Contains(bench.AllPhases, p) {
			return cfg, usageError{fmt.Sprintf("bench: --phases: %q is not one of %s", p, strings.Join(bench.AllPhases, ","))}
		}
		if !slices.Contains(cfg.Phases, p) {
			cfg.Phases = append(cfg.Phases, p)
		}
	}
	switch {
	case cfg.MixedDuration <= 0:
		return cfg, usageError{"bench: --mixed-duration must be positive"}
	case cfg.Duration <= 0:
		return cfg, usageError{"bench: --duration must be positive"}
	case cfg.Warmup < 0:
		return cfg, usageError{"bench: --warmup must not be negative"}
	case cfg.Concurrency < 1:
		return cfg, usageError{"bench: --concurrency must be at least 1"}
	case !(cfg.RadiusKM > 0 && cfg.RadiusKM <= meeting.MaxRadiusKM):
		return cfg, usageError{fmt.Sprintf("bench: --radius-km must be above 0 and at most %g", meeting.MaxRadiusKM)}
	case cfg.Limit < 1 || cfg.Limit > meeting.MaxLimit:
		return cfg, usageError{fmt.Sprintf("bench: --limit must be from 1 to %d", meeting.MaxLimit)}
	case cfg.Points < 1:
		return cfg, usageError{"bench: --points must be at least 1"}
	case cfg.Database != "" && (!cfg.Text || len(cfg.Phases) > 0):
		return cfg, usageError{"bench: --database is for the text phase alone: give --text --phases ''"}
	case cfg.TextIndex != bench.TextMemory && cfg.TextIndex != bench.TextPostgres && cfg.TextIndex != bench.TextMeili:
		return cfg, usageError{fmt.Sprintf("bench: --text-index must be %s, %s or %s", bench.TextMemory, bench.TextPostgres, bench.TextMeili)}
	}
	return cfg, nil
}
