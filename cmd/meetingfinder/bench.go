package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/bench"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// runBench benchmarks the nearby query ("meetings within R km of a point,
// nearest first") on demo data sets of the given sizes: it parses and
// checks the flags and hands them to bench.RunNearby, which compares the
// store's SQL, postgres.MeetingStore.Find (the baseline) and GET
// /v1/meetings, prints a Markdown table and fails when any request failed.
func runBench(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	baseURL := getenv("DATABASE_URL")
	if baseURL == "" {
		return usageError{"bench: DATABASE_URL is not set"}
	}
	return bench.RunNearby(ctx, baseURL, cfg, stdout, stderr)
}

// parseBenchFlags parses the bench command's flags; a mistake is a
// usageError.
func parseBenchFlags(args []string, stderr io.Writer) (bench.NearbyConfig, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100000,1000000", "comma-separated numbers of demo meetings, one data set (and database) each")
	var cfg bench.NearbyConfig
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured time per phase")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "unmeasured warm-up before each phase")
	fs.IntVar(&cfg.Concurrency, "concurrency", 2*runtime.GOMAXPROCS(0), "concurrent requests (workers) in every phase")
	fs.Float64Var(&cfg.RadiusKM, "radius-km", meeting.DefaultRadiusKM, "search radius of every query")
	fs.IntVar(&cfg.Limit, "limit", meeting.DefaultLimit, "page size of every query")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the demo data and of the query points")
	fs.IntVar(&cfg.Points, "points", 1000, "number of distinct query points (cycled through)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the bench databases (a later run with the same size and seed reuses them)")
	fs.BoolVar(&cfg.Explain, "explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of the query at the first point")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write CPU profiles of the measured windows to `PREFIX`-<size>-<path>.pprof")
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
	switch {
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
	}
	return cfg, nil
}
