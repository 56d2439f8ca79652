package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// NearbyConfig is what RunNearby measures and how: the flags of the
// meetingfinder bench command. The command checks the values; RunNearby
// takes them as they are.
type NearbyConfig struct {
	Sizes       []int         // numbers of demo meetings, one data set (and database) each
	Duration    time.Duration // measured time per phase
	Warmup      time.Duration // unmeasured warm-up before each phase
	Concurrency int           // concurrent requests (workers) in every phase
	RadiusKM    float64       // search radius of every query
	Limit       int           // page size of every query
	Seed        int64         // seed of the demo data and of the query points
	Points      int           // number of distinct query points (cycled through)
	Keep        bool          // keep the bench databases for a later run to reuse
	Explain     bool          // print EXPLAIN (ANALYZE, BUFFERS) of the query at the first point
	// CPUProfile, when not empty, is the prefix of the CPU profiles of the
	// measured windows: CPUProfile-<size>-<phase>.pprof.
	CPUProfile string
}

// filter returns the nearby query at p: meetings within RadiusKM of p,
// nearest first, Limit of them, at the current time.
func (c NearbyConfig) filter(p orb.Point) meeting.Filter {
	return meeting.Filter{Point: p, HasPoint: true, RadiusKM: c.RadiusKM, Limit: c.Limit, Now: time.Now()}
}

// RunNearby benchmarks the nearby query ("meetings within R km of a point,
// nearest first") on demo data sets of cfg.Sizes, each in a database of its
// own next to the one databaseURL names (meetingfinder_bench_<size>,
// dropped afterwards unless cfg.Keep), four ways at the same concurrency:
// the store's SQL through pgx with rows left undecoded,
// postgres.MeetingStore.Find (the baseline: the same SQL, rows scanned into
// domain types), and GET /v1/meetings through the real Gin handler and a
// real net/http server and client, with the body read but not decoded and
// with it decoded. It writes progress and each phase's p50, p99,
// throughput and ratio to the baseline as a Markdown table to stdout,
// problems dropping a database to stderr, and fails when any request
// failed or a data set could not be prepared or checked.
func RunNearby(ctx context.Context, databaseURL string, cfg NearbyConfig, stdout, stderr io.Writer) error {
	admin, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("bench: connect to DATABASE_URL: %w", err)
	}
	defer admin.Close(context.Background())
	machine, err := describeWithDatabase(ctx, admin)
	if err != nil {
		return err
	}
	points := queryPoints(cfg.Seed, cfg.Points)

	fmt.Fprintf(stdout, "bench: %s\n", machine)
	fmt.Fprintf(stdout, "bench: concurrency %d, %s warm-up + %s per phase, radius %g km, limit %d, %d query points, seed %d\n",
		cfg.Concurrency, cfg.Warmup, cfg.Duration, cfg.RadiusKM, cfg.Limit, len(points), cfg.Seed)
	var rows []Row
	for _, size := range cfg.Sizes {
		name := fmt.Sprintf("meetingfinder_bench_%d", size)
		sizeRows, postgis, err := runSize(ctx, cfg, admin, databaseURL, name, size, points, stdout)
		if !cfg.Keep {
			if derr := dropDatabase(context.WithoutCancel(ctx), admin, name); derr != nil {
				fmt.Fprintf(stderr, "bench: %v\n", derr)
			} else {
				fmt.Fprintf(stdout, "bench: dropped %s (use --keep to keep it)\n", name)
			}
		}
		if err != nil {
			return err
		}
		if postgis != "" && !strings.Contains(machine.Database, "PostGIS") {
			machine.Database += ", PostGIS " + postgis
		}
		rows = append(rows, sizeRows...)
	}
	fmt.Fprintf(stdout, "\nMachine: %s.\n\n", machine)
	if err := WriteMarkdown(stdout, rows); err != nil {
		return err
	}
	return failedRequests(rows)
}

// describeWithDatabase describes this machine and the PostgreSQL server
// admin is connected to.
func describeWithDatabase(ctx context.Context, admin *pgx.Conn) (Machine, error) {
	machine := DescribeMachine()
	var pgVersion string
	if err := admin.QueryRow(ctx, `SELECT current_setting('server_version')`).Scan(&pgVersion); err != nil {
		return machine, fmt.Errorf("bench: %w", err)
	}
	machine.Database = "PostgreSQL " + pgVersion
	return machine, nil
}

// failedRequests returns an error that counts the failed requests of rows
// and carries the first failure, or nil when none failed.
func failedRequests(rows []Row) error {
	failed := 0
	var firstErr error
	for _, r := range rows {
		if r.Result.Errors > 0 {
			failed += r.Result.Errors
			if firstErr == nil {
				firstErr = r.Result.FirstError
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("bench: %d requests failed; the first: %w", failed, firstErr)
	}
	return nil
}

// runSize prepares the data set of size meetings in database name, checks
// that the store and the API agree, runs the phases on it and returns
// their table rows and the PostGIS version. The caller drops the database.
func runSize(ctx context.Context, cfg NearbyConfig, admin *pgx.Conn, baseURL, name string, size int, points []orb.Point, stdout io.Writer) ([]Row, string, error) {
	dbURL, err := withDatabase(baseURL, name, max(16, cfg.Concurrency+2))
	if err != nil {
		return nil, "", err
	}
	db, err := prepareDB(ctx, cfg, admin, dbURL, name, size, stdout)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	postgis, err := postgisVersion(ctx, db)
	if err != nil {
		return nil, "", err
	}
	store := postgres.NewMeetingStore(db)

	// The SQL text Find sends, and its arguments at every query point,
	// from the store's query builder.
	sqlText, sqlArgs, err := findSQL(points, cfg.filter)
	if err != nil {
		return nil, "", err
	}
	if cfg.Explain {
		if err := explainQuery(ctx, db.Pool, sqlText, sqlArgs[0], stdout); err != nil {
			return nil, "", err
		}
	}
	api, err := startAPI(db, store, cfg, points)
	if err != nil {
		return nil, "", err
	}
	defer api.close()
	if err := checkSameResults(ctx, store, api, points, cfg.filter); err != nil {
		return nil, "", err
	}

	phases := []nearbyPhase{
		{"sql", "pgx, same SQL, rows not decoded", sqlOp(db, sqlText, sqlArgs)},
		{"store", "pgx, MeetingStore.Find (baseline)", storeOp(store, cfg, points)},
		{"body", "HTTP API, body read, not decoded", api.bodyOp},
		{"api", "HTTP API, JSON decoded", api.decodedOp},
	}
	label := Thousands(size)
	results := make([]Result, len(phases))
	for i, ph := range phases {
		if results[i], err = runNearbyPhase(ctx, cfg, admin, name, size, ph); err != nil {
			return nil, "", err
		}
		printPhase(stdout, label, ph.short, results[i])
	}
	printRatios(stdout, label, results)
	return tableRows(label, phases, results), postgis, nil
}

// postgisVersion returns the version of the PostGIS library db runs.
func postgisVersion(ctx context.Context, db *postgres.DB) (string, error) {
	var postgis string
	if err := db.Pool.QueryRow(ctx, `SELECT postgis_lib_version()`).Scan(&postgis); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return postgis, nil
}

// nearbyPhase is one way of asking the nearby query: short names it in
// progress lines and profile files, path describes it in the table.
type nearbyPhase struct {
	short, path string
	op          Op
}

// baselinePhase is the index of the phase the others are compared with:
// MeetingStore.Find.
const baselinePhase = 1

// runNearbyPhase runs ph on database name with cfg's timing and
// concurrency, counting the CPU time of the database's backends and, when
// cfg.CPUProfile is set, writing a CPU profile of the measured window.
func runNearbyPhase(ctx context.Context, cfg NearbyConfig, admin *pgx.Conn, name string, size int, ph nearbyPhase) (Result, error) {
	p := Phase{Name: ph.short, Concurrency: cfg.Concurrency, Warmup: cfg.Warmup, Duration: cfg.Duration, Op: ph.op,
		ServerCPU: func() (time.Duration, bool) { return backendCPU(ctx, admin, name) }}
	if cfg.CPUProfile == "" {
		return Run(ctx, p)
	}
	prof, err := os.Create(fmt.Sprintf("%s-%d-%s.pprof", cfg.CPUProfile, size, ph.short))
	if err != nil {
		return Result{}, err
	}
	p.Profile = prof
	res, err := Run(ctx, p)
	if cerr := prof.Close(); err == nil {
		err = cerr
	}
	return res, err
}

// printPhase writes the progress line of one phase's result.
func printPhase(stdout io.Writer, label, short string, res Result) {
	fmt.Fprintf(stdout, "bench: %s meetings, %-5s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f rows/req  %d errors\n",
		label, short, res.Throughput(), ms(res.P50), ms(res.P99), res.RowsPerRequest(), res.Errors)
	if res.FirstError != nil {
		fmt.Fprintf(stdout, "bench:   first error: %v\n", res.FirstError)
	}
}

// printRatios writes the API's throughput as a share of the baseline's and,
// when the CPU time is known, the same for CPU-bound capacity.
func printRatios(stdout io.Writer, label string, results []Result) {
	baseline := results[baselinePhase]
	apiRes := results[len(results)-1]
	fmt.Fprintf(stdout, "bench: %s meetings: API / baseline throughput = %.2f", label, apiRes.Throughput()/baseline.Throughput())
	if c := baseline.Capacity(runtime.NumCPU()); c > 0 {
		fmt.Fprintf(stdout, "; CPU-bound capacity on %d cores (Go + DB CPU per request): baseline %.0f req/s, API %.0f req/s, ratio %.2f",
			runtime.NumCPU(), c, apiRes.Capacity(runtime.NumCPU()), apiRes.Capacity(runtime.NumCPU())/c)
	}
	fmt.Fprintln(stdout)
}

// tableRows returns the results table's rows of one data set.
func tableRows(label string, phases []nearbyPhase, results []Result) []Row {
	baseline := results[baselinePhase].Throughput()
	out := make([]Row, len(phases))
	for i, ph := range phases {
		out[i] = Row{Dataset: label, Path: ph.path, Result: results[i], Baseline: baseline}
	}
	return out
}

// sqlOp asks the nearby query with the SQL text and arguments Find sends,
// through pgx, counting the rows without decoding them.
func sqlOp(db *postgres.DB, sqlText string, sqlArgs [][]any) Op {
	return func(ctx context.Context, seq int) (int, error) {
		rs, err := db.Pool.Query(ctx, sqlText, sqlArgs[seq%len(sqlArgs)]...)
		if err != nil {
			return 0, err
		}
		n := 0
		for rs.Next() {
			n++
		}
		rs.Close()
		return n, rs.Err()
	}
}

// storeOp asks the nearby query through MeetingStore.Find.
func storeOp(store *postgres.MeetingStore, cfg NearbyConfig, points []orb.Point) Op {
	return func(ctx context.Context, seq int) (int, error) {
		page, err := store.Find(ctx, cfg.filter(points[seq%len(points)]))
		return len(page.Results), err
	}
}
