package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// The groups of phases RunReads can run (Config.Phases).
const (
	PhaseNearby  = "nearby"  // the nearby query: raw PostGIS and MeetingStore.Find through pgx, GET /v1/meetings
	PhaseFilters = "filters" // GET /v1/meetings without a point
	PhaseBMLT    = "bmlt"    // BMLT GetSearchResults: the nearest 10, all within 10 km
	PhaseFeed    = "feed"    // the whole Meeting Guide feed, and its 304
	PhaseMixed   = "mixed"   // a mixed workload (see mixKinds)
)

// AllPhases lists the groups of phases. They run in this order, except
// that the feed runs first of the HTTP phases (see runner.httpPhases).
var AllPhases = []string{PhaseNearby, PhaseFilters, PhaseBMLT, PhaseFeed, PhaseMixed}

// Config is what RunReads measures and how: the flags of the
// meetingfinder bench command. The command checks the values; RunReads
// takes them as they are.
type Config struct {
	Sizes       []int         // numbers of demo meetings, one data set (and database) each
	Text        bool          // also run the text-search phase (RunText) on the same data sets
	TextIndex   string        // the text index the text phase's server answers with (TextMemory, TextPostgres)
	Database    string        // the text phase measures this existing database as it is, instead of Sizes
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
	// measured windows: CPUProfile-<size>-<phase>.pprof. They profile this
	// process: in the HTTP phases, the client.
	CPUProfile string
	// Phases are the groups of phases to run, of AllPhases; empty means
	// all.
	Phases []string
	// MixedDuration is the measured time of the mixed workload.
	MixedDuration time.Duration
	// Serve is the command line that runs the server under test, to which
	// "--addr 127.0.0.1:0" is added: the meetingfinder binary and "serve".
	Serve []string
}

// runs reports whether the group of phases name is to run.
func (c Config) runs(name string) bool {
	return len(c.Phases) == 0 || slices.Contains(c.Phases, name)
}

// filter returns the nearby query at p: meetings within RadiusKM of p,
// nearest first, Limit of them, at the current time.
func (c Config) filter(p orb.Point) meeting.Filter {
	return meeting.Filter{Point: p, HasPoint: true, RadiusKM: c.RadiusKM, Limit: c.Limit, Now: time.Now()}
}

// report is what one data set's run measured.
type report struct {
	rows  []Row
	feeds []FeedResult
	load  LoadResult
}

// RunReads benchmarks meetingfinder's public reads on demo data sets of
// cfg.Sizes, each in a database of its own next to the one databaseURL
// names (meetingfinder_bench_<size>, dropped afterwards unless cfg.Keep).
// For each it measures the nearby query through pgx (the raw PostGIS
// query, the baseline, and MeetingStore.Find), then starts the real server
// (cfg.Serve) in a process of its own with its in-memory read model,
// waits until the model is loaded and runs the HTTP phases of cfg.Phases
// against it, sampling the server's RSS. It writes progress, then the
// results as Markdown tables to stdout, problems dropping a database or
// stopping the server to stderr, and fails when any request failed or a
// data set could not be prepared or checked.
func RunReads(ctx context.Context, databaseURL string, cfg Config, stdout, stderr io.Writer) error {
	admin, machine, err := connectAdmin(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	points := queryPoints(cfg.Seed, cfg.Points)
	phases := cfg.Phases
	if len(phases) == 0 {
		phases = AllPhases
	}
	fmt.Fprintf(stdout, "bench: %s\n", machine)
	fmt.Fprintf(stdout, "bench: phases %s; concurrency %d, %s warm-up + %s per phase (mixed %s), radius %g km, limit %d, %d query points, seed %d\n",
		strings.Join(phases, ","), cfg.Concurrency, cfg.Warmup, cfg.Duration, cfg.MixedDuration, cfg.RadiusKM, cfg.Limit, len(points), cfg.Seed)
	var all report
	var loads []LoadResult
	for _, size := range cfg.Sizes {
		name := fmt.Sprintf("meetingfinder_bench_%d", size)
		rep, postgis, err := runSize(ctx, cfg, admin, databaseURL, name, size, points, stdout, stderr)
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
		all.rows = append(all.rows, rep.rows...)
		all.feeds = append(all.feeds, rep.feeds...)
		loads = append(loads, rep.load)
	}
	fmt.Fprintf(stdout, "\nMachine: %s.\n\n", machine)
	if err := writeTables(stdout, all, loads); err != nil {
		return err
	}
	return failedRequests(all.rows)
}

// writeTables writes the results tables: the server's load, the phases,
// and the feed downloads when there were any.
func writeTables(stdout io.Writer, all report, loads []LoadResult) error {
	if err := WriteLoadMarkdown(stdout, loads); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if err := WriteMarkdown(stdout, all.rows); err != nil {
		return err
	}
	if len(all.feeds) == 0 {
		return nil
	}
	fmt.Fprintln(stdout)
	return WriteFeedMarkdown(stdout, all.feeds)
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

// runSize prepares the data set of size meetings in database name, runs
// the pgx phases on it, then the HTTP phases against the server under
// test, and returns what they measured and the PostGIS version. The
// caller drops the database.
func runSize(ctx context.Context, cfg Config, admin *pgx.Conn, baseURL, name string, size int, points []orb.Point,
	stdout, stderr io.Writer) (report, string, error) {
	var rep report
	dbURL, err := withDatabase(baseURL, name, max(16, cfg.Concurrency+2))
	if err != nil {
		return rep, "", err
	}
	db, err := prepareDB(ctx, cfg, admin, dbURL, name, size, stdout)
	if err != nil {
		return rep, "", err
	}
	defer db.Close()
	postgis, err := postgisVersion(ctx, db)
	if err != nil {
		return rep, "", err
	}
	r := &runner{cfg: cfg, admin: admin, name: name, size: size, label: Thousands(size), stdout: stdout}
	store := postgres.NewMeetingStore(db)
	if cfg.runs(PhaseNearby) {
		if err := r.pgxPhases(ctx, db, store, points); err != nil {
			return rep, "", err
		}
	}
	srv, err := r.startServer(ctx, dbURL)
	if err != nil {
		return rep, "", err
	}
	defer func() {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
		}
	}()
	c := newClient(srv.base, cfg.Concurrency)
	defer c.close()
	if err := r.httpPhases(ctx, store, c, points); err != nil {
		return rep, "", err
	}
	r.load.RunPeak = srv.peakRSS()
	return report{rows: r.rows, feeds: r.feeds, load: r.load}, postgis, nil
}

// postgisVersion returns the version of the PostGIS library db runs.
func postgisVersion(ctx context.Context, db *postgres.DB) (string, error) {
	var postgis string
	if err := db.Pool.QueryRow(ctx, `SELECT postgis_lib_version()`).Scan(&postgis); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return postgis, nil
}

// printPhase writes the progress line of one phase's result.
func printPhase(stdout io.Writer, label, short string, res Result, rss RSSRange) {
	fmt.Fprintf(stdout, "bench: %s meetings, %-9s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f rows/req  %d errors",
		label, short, res.Throughput(), ms(res.P50), ms(res.P99), res.RowsPerRequest(), res.Errors)
	if rss.Samples > 0 {
		fmt.Fprintf(stdout, "  server RSS %s MiB", rssCell(rss))
	}
	fmt.Fprintln(stdout)
	if res.FirstError != nil {
		fmt.Fprintf(stdout, "bench:   first error: %v\n", res.FirstError)
	}
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
func storeOp(store *postgres.MeetingStore, cfg Config, points []orb.Point) Op {
	return func(ctx context.Context, seq int) (int, error) {
		page, err := store.Find(ctx, cfg.filter(points[seq%len(points)]))
		return len(page.Results), err
	}
}

// createProfile creates the CPU profile file of phase short, or returns
// nil when no profiles are asked for.
func createProfile(cfg Config, size int, short string) (*os.File, error) {
	if cfg.CPUProfile == "" {
		return nil, nil
	}
	return os.Create(fmt.Sprintf("%s-%d-%s.pprof", cfg.CPUProfile, size, short))
}

// connectAdmin connects to the server of databaseURL (the bench creates
// and drops its databases there) and describes the machine and the server.
func connectAdmin(ctx context.Context, databaseURL string) (*pgx.Conn, Machine, error) {
	admin, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, Machine{}, fmt.Errorf("bench: connect to DATABASE_URL: %w", err)
	}
	machine, err := describeWithDatabase(ctx, admin)
	if err != nil {
		admin.Close(context.Background())
		return nil, Machine{}, err
	}
	return admin, machine, nil
}
