package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/bench"
	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// benchConfig is the bench command's flags.
type benchConfig struct {
	sizes       []int
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	radiusKM    float64
	limit       int
	seed        int64
	points      int
	keep        bool
	explain     bool
	cpuprofile  string
}

// benchLoadBatch is how many demo meetings go to the database per
// InsertMeetings call.
const benchLoadBatch = 50000

// benchCheckPoints is how many query points are asked both through the
// store and through the API, before the timed phases, to check that the
// two return the same meetings in the same order.
const benchCheckPoints = 20

// runBench benchmarks the nearby query ("meetings within R km of a point,
// nearest first") on demo data sets of the given sizes, three ways at the
// same concurrency: the store's SQL through pgx with rows left undecoded,
// postgres.MeetingStore.Find (the baseline: the same SQL, rows scanned into
// domain types), and GET /v1/meetings through the real Gin handler and a
// real net/http server and client. It prints each phase's p50, p99,
// throughput and ratio to the baseline as a Markdown table, and fails when
// any request failed.
func runBench(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100000,1000000", "comma-separated numbers of demo meetings, one data set (and database) each")
	var cfg benchConfig
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured time per phase")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each phase")
	fs.IntVar(&cfg.concurrency, "concurrency", 2*runtime.GOMAXPROCS(0), "concurrent requests (workers) in every phase")
	fs.Float64Var(&cfg.radiusKM, "radius-km", meeting.DefaultRadiusKM, "search radius of every query")
	fs.IntVar(&cfg.limit, "limit", meeting.DefaultLimit, "page size of every query")
	fs.Int64Var(&cfg.seed, "seed", 1, "seed of the demo data and of the query points")
	fs.IntVar(&cfg.points, "points", 1000, "number of distinct query points (cycled through)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the bench databases (a later run with the same size and seed reuses them)")
	fs.BoolVar(&cfg.explain, "explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of the query at the first point")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write CPU profiles of the measured windows to `PREFIX`-<size>-<path>.pprof")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("bench: unexpected argument %q", fs.Arg(0))}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return usageError{fmt.Sprintf("bench: --sizes: %q is not a positive whole number", s)}
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	switch {
	case cfg.duration <= 0:
		return usageError{"bench: --duration must be positive"}
	case cfg.warmup < 0:
		return usageError{"bench: --warmup must not be negative"}
	case cfg.concurrency < 1:
		return usageError{"bench: --concurrency must be at least 1"}
	case !(cfg.radiusKM > 0 && cfg.radiusKM <= meeting.MaxRadiusKM):
		return usageError{fmt.Sprintf("bench: --radius-km must be above 0 and at most %g", meeting.MaxRadiusKM)}
	case cfg.limit < 1 || cfg.limit > meeting.MaxLimit:
		return usageError{fmt.Sprintf("bench: --limit must be from 1 to %d", meeting.MaxLimit)}
	case cfg.points < 1:
		return usageError{"bench: --points must be at least 1"}
	}
	baseURL := getenv("DATABASE_URL")
	if baseURL == "" {
		return usageError{"bench: DATABASE_URL is not set"}
	}
	admin, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return fmt.Errorf("bench: connect to DATABASE_URL: %w", err)
	}
	defer admin.Close(context.Background())
	machine := bench.DescribeMachine()
	var pgVersion string
	if err := admin.QueryRow(ctx, `SELECT current_setting('server_version')`).Scan(&pgVersion); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	machine.Database = "PostgreSQL " + pgVersion
	points := benchPoints(cfg.seed, cfg.points)

	fmt.Fprintf(stdout, "bench: %s\n", machine)
	fmt.Fprintf(stdout, "bench: concurrency %d, %s warm-up + %s per phase, radius %g km, limit %d, %d query points, seed %d\n",
		cfg.concurrency, cfg.warmup, cfg.duration, cfg.radiusKM, cfg.limit, len(points), cfg.seed)
	var rows []bench.Row
	failed := 0
	var firstErr error
	for _, size := range cfg.sizes {
		name := fmt.Sprintf("meetingfinder_bench_%d", size)
		sizeRows, postgis, err := benchSize(ctx, cfg, admin, baseURL, name, size, points, stdout)
		if !cfg.keep {
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
		for _, r := range sizeRows {
			if r.Result.Errors > 0 {
				failed += r.Result.Errors
				if firstErr == nil {
					firstErr = r.Result.FirstError
				}
			}
		}
		rows = append(rows, sizeRows...)
	}
	fmt.Fprintf(stdout, "\nMachine: %s.\n\n", machine)
	if err := bench.WriteMarkdown(stdout, rows); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("bench: %d requests failed; the first: %w", failed, firstErr)
	}
	return nil
}

// benchSize prepares the data set of size meetings in database name, runs
// the three phases on it and returns their table rows and the PostGIS
// version. The caller drops the database.
func benchSize(ctx context.Context, cfg benchConfig, admin *pgx.Conn, baseURL, name string, size int, points []orb.Point, stdout io.Writer) ([]bench.Row, string, error) {
	dbURL, err := withDatabase(baseURL, name, max(16, cfg.concurrency+2))
	if err != nil {
		return nil, "", err
	}
	db, err := prepareBenchDB(ctx, cfg, admin, dbURL, name, size, stdout)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	var postgis string
	if err := db.Pool.QueryRow(ctx, `SELECT postgis_lib_version()`).Scan(&postgis); err != nil {
		return nil, "", fmt.Errorf("bench: %w", err)
	}
	store := postgres.NewMeetingStore(db)
	filter := func(p orb.Point) meeting.Filter {
		return meeting.Filter{Point: p, HasPoint: true, RadiusKM: cfg.radiusKM, Limit: cfg.limit, Now: time.Now()}
	}

	// The SQL text Find sends, and its arguments at every query point,
	// captured by a tracer on a pool of its own.
	sqlText, sqlArgs, err := captureFindSQL(ctx, dbURL, points, filter)
	if err != nil {
		return nil, "", err
	}
	if cfg.explain {
		if err := explainQuery(ctx, db.Pool, sqlText, sqlArgs[0], stdout); err != nil {
			return nil, "", err
		}
	}

	// The real API on a real listener. Request logs are formatted as in
	// production (JSON) but thrown away, so their cost counts and their
	// volume does not.
	api := httpapi.New(httpapi.Config{
		Store:  store,
		Ready:  db.CheckSchema,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        2 * cfg.concurrency,
			MaxIdleConnsPerHost: 2 * cfg.concurrency,
			IdleConnTimeout:     2 * time.Minute,
		},
	}
	defer client.CloseIdleConnections()
	urls := make([]string, len(points))
	for i, p := range points {
		urls[i] = fmt.Sprintf("http://%s/v1/meetings?lat=%s&lng=%s&radius_km=%s&limit=%d", ln.Addr(),
			strconv.FormatFloat(p.Lat(), 'f', -1, 64), strconv.FormatFloat(p.Lon(), 'f', -1, 64),
			strconv.FormatFloat(cfg.radiusKM, 'f', -1, 64), cfg.limit)
	}
	getAPI := func(ctx context.Context, i int) (*httpapi.MeetingListJSON, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[i%len(urls)], nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return nil, fmt.Errorf("GET /v1/meetings: %s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		var body httpapi.MeetingListJSON
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return nil, fmt.Errorf("GET /v1/meetings: decode: %w", err)
		}
		_, err = io.Copy(io.Discard, resp.Body) // so the connection is reused
		return &body, err
	}

	if err := checkSameResults(ctx, store, getAPI, points, filter); err != nil {
		return nil, "", err
	}

	bodies := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	label := bench.Thousands(size)
	phases := []struct {
		short, path string
		op          bench.Op
	}{
		{"sql", "pgx, same SQL, rows not decoded", func(ctx context.Context, seq int) (int, error) {
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
		}},
		{"store", "pgx, MeetingStore.Find (baseline)", func(ctx context.Context, seq int) (int, error) {
			page, err := store.Find(ctx, filter(points[seq%len(points)]))
			return len(page.Results), err
		}},
		{"body", "HTTP API, body read, not decoded", func(ctx context.Context, seq int) (int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[seq%len(urls)], nil)
			if err != nil {
				return 0, err
			}
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			b := bodies.Get().(*bytes.Buffer)
			defer bodies.Put(b)
			b.Reset()
			_, err = b.ReadFrom(resp.Body)
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("GET /v1/meetings: %s", resp.Status)
			}
			// Each meeting object starts with its id.
			return bytes.Count(b.Bytes(), []byte(`{"id":`)), err
		}},
		{"api", "HTTP API, JSON decoded", func(ctx context.Context, seq int) (int, error) {
			body, err := getAPI(ctx, seq)
			if err != nil {
				return 0, err
			}
			return len(body.Meetings), nil
		}},
	}
	results := make([]bench.Result, len(phases))
	for i, ph := range phases {
		p := bench.Phase{Name: ph.short, Concurrency: cfg.concurrency, Warmup: cfg.warmup, Duration: cfg.duration, Op: ph.op,
			ServerCPU: func() (time.Duration, bool) { return backendCPU(ctx, admin, name) }}
		var prof *os.File
		if cfg.cpuprofile != "" {
			if prof, err = os.Create(fmt.Sprintf("%s-%d-%s.pprof", cfg.cpuprofile, size, ph.short)); err != nil {
				return nil, "", err
			}
			p.Profile = prof
		}
		res, err := bench.Run(ctx, p)
		if prof != nil {
			if cerr := prof.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, "", err
		}
		results[i] = res
		fmt.Fprintf(stdout, "bench: %s meetings, %-5s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f rows/req  %d errors\n",
			label, ph.short, res.Throughput(), msOf(res.P50), msOf(res.P99), res.RowsPerRequest(), res.Errors)
		if res.FirstError != nil {
			fmt.Fprintf(stdout, "bench:   first error: %v\n", res.FirstError)
		}
	}
	baseline := results[1].Throughput()
	out := make([]bench.Row, len(phases))
	for i, ph := range phases {
		out[i] = bench.Row{Dataset: label, Path: ph.path, Result: results[i], Baseline: baseline}
	}
	apiRes := results[len(results)-1]
	fmt.Fprintf(stdout, "bench: %s meetings: API / baseline throughput = %.2f", label, apiRes.Throughput()/baseline)
	if c := results[1].Capacity(runtime.NumCPU()); c > 0 {
		fmt.Fprintf(stdout, "; CPU-bound capacity on %d cores (Go + DB CPU per request): baseline %.0f req/s, API %.0f req/s, ratio %.2f",
			runtime.NumCPU(), c, apiRes.Capacity(runtime.NumCPU()), apiRes.Capacity(runtime.NumCPU())/c)
	}
	fmt.Fprintln(stdout)
	return out, postgis, nil
}

// backendCPU returns the CPU time used so far by the server processes of
// the sessions connected to database name, read from /proc: so it is known
// only when PostgreSQL runs on this machine and this process may read its
// processes' stat files. It assumes the usual 100 clock ticks per second.
func backendCPU(ctx context.Context, admin *pgx.Conn, name string) (time.Duration, bool) {
	rows, err := admin.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, name)
	if err != nil {
		return 0, false
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil || len(pids) == 0 {
		return 0, false
	}
	const tick = 10 * time.Millisecond
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, false
		}
		// pid (comm) state ppid … utime stime: utime and stime are the
		// 12th and 13th fields after the command name, which may hold
		// spaces but ends at the last ')'.
		st := string(b)
		i := strings.LastIndexByte(st, ')')
		if i < 0 {
			return 0, false
		}
		f := strings.Fields(st[i+1:])
		if len(f) < 13 {
			return 0, false
		}
		utime, err1 := strconv.ParseInt(f[11], 10, 64)
		stime, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, false
		}
		total += time.Duration(utime+stime) * tick
	}
	return total, true
}

// msOf returns d in milliseconds.
func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchPoints returns n query points, deterministic for a seed: each near
// one of the demo generator's cities, chosen with the cities' weights (so
// busy cities get more queries, as they would in real use) and scattered
// around its centre with the city's spread, so that queries land in real
// clusters of meetings.
func benchPoints(seed int64, n int) []orb.Point {
	cities := demo.Cities()
	cum := make([]float64, len(cities))
	total := 0.0
	for i, c := range cities {
		total += c.Weight
		cum[i] = total
	}
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x62656e6368)) // "bench"
	out := make([]orb.Point, n)
	for i := range out {
		c := cities[min(sortSearch(cum, rnd.Float64()*total), len(cities)-1)]
		spread := c.SpreadKm
		if spread == 0 {
			spread = 6
		}
		var dx, dy float64
		for {
			dx, dy = rnd.NormFloat64(), rnd.NormFloat64()
			if dx*dx+dy*dy <= 9 {
				break
			}
		}
		const kmPerDegree = 111.32
		lat := math.Max(-89.9, math.Min(89.9, c.Lat+dy*spread/kmPerDegree))
		lng := c.Lng + dx*spread/(kmPerDegree*math.Max(0.05, math.Cos(c.Lat*math.Pi/180)))
		if lng > 180 {
			lng -= 360
		} else if lng < -180 {
			lng += 360
		}
		out[i] = orb.Point{round6(lng), round6(lat)}
	}
	return out
}

// sortSearch returns the first index of ascending cum whose value exceeds x.
func sortSearch(cum []float64, x float64) int {
	i, _ := slices.BinarySearchFunc(cum, x, func(c, x float64) int {
		if c <= x {
			return -1
		}
		return 1
	})
	return i
}

// round6 rounds to six decimals (about 10 cm), as a client would send.
func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// withDatabase returns DATABASE_URL pointed at database name, with a pool
// of at least maxConns connections. It accepts both URL and key=value forms.
func withDatabase(base, name string, maxConns int) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("bench: DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		q := u.Query()
		q.Set("pool_max_conns", strconv.Itoa(maxConns))
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s dbname=%s pool_max_conns=%d", base, name, maxConns), nil
}

// prepareBenchDB returns a pool on database name holding exactly size demo
// meetings made with cfg.seed: the database as it is when its bench_dataset
// record says so (a kept database from an earlier run), else a freshly
// created, migrated and loaded one.
func prepareBenchDB(ctx context.Context, cfg benchConfig, admin *pgx.Conn, dbURL, name string, size int, stdout io.Writer) (*postgres.DB, error) {
	want := datasetFingerprint(cfg.seed, size)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if exists {
		db, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return nil, err
		}
		var got string
		var count int
		var loadedAt time.Time
		err = db.Pool.QueryRow(ctx, `SELECT d.fingerprint, d.loaded_at, (SELECT count(*) FROM meetings)
			FROM bench_dataset d`).Scan(&got, &loadedAt, &count)
		if err == nil && got == want && count == size {
			fmt.Fprintf(stdout, "bench: reusing %s: %s demo meetings (seed %d) loaded %s\n",
				name, bench.Thousands(size), cfg.seed, loadedAt.Local().Format(time.DateTime))
			return db, nil
		}
		db.Close()
		why := fmt.Sprintf("it holds %d meetings, data set %s, not %s", count, got, want)
		if err != nil {
			why = err.Error()
		}
		fmt.Fprintf(stdout, "bench: recreating %s: %s\n", name, why)
		if err := dropDatabase(ctx, admin, name); err != nil {
			return nil, err
		}
	}
	// template0 has no connections, so other sessions cloning template1
	// at the same moment cannot make this fail.
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE template0`); err != nil {
		return nil, fmt.Errorf("bench: create database %s: %w", name, err)
	}
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	if err := loadBenchDB(ctx, cfg, db, size, want, stdout); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// loadBenchDB migrates an empty database, loads size demo meetings in
// batches with InsertMeetings, vacuums and analyzes, and records the data
// set in bench_dataset.
func loadBenchDB(ctx context.Context, cfg benchConfig, db *postgres.DB, size int, fingerprint string, stdout io.Writer) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	store := postgres.NewMeetingStore(db)
	g := demo.New(cfg.seed)
	buf := make([]meeting.Meeting, 0, min(size, benchLoadBatch))
	start := time.Now()
	for loaded := 0; loaded < size; {
		buf = buf[:0]
		for len(buf) < cap(buf) && loaded+len(buf) < size {
			buf = append(buf, g.Next())
		}
		if err := store.InsertMeetings(ctx, buf); err != nil {
			return fmt.Errorf("bench: load after %d meetings: %w", loaded, err)
		}
		loaded += len(buf)
	}
	load := time.Since(start)
	t := time.Now()
	if _, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE) meetings`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	vacuum := time.Since(t)
	var bytes int64
	if err := db.Pool.QueryRow(ctx, `SELECT pg_total_relation_size('meetings')`).Scan(&bytes); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(stdout, "bench: loaded %s demo meetings in %s (%.0f meetings/s, generate + COPY + INSERT in batches of %d); VACUUM ANALYZE %s; table + indexes %.0f MiB\n",
		bench.Thousands(size), load.Round(time.Millisecond), float64(size)/load.Seconds(), benchLoadBatch,
		vacuum.Round(time.Millisecond), float64(bytes)/(1<<20))
	_, err := db.Pool.Exec(ctx, `
		CREATE TABLE bench_dataset (
			fingerprint text        NOT NULL,
			meetings    int         NOT NULL,
			seed        bigint      NOT NULL,
			load_ms     bigint      NOT NULL,
			loaded_at   timestamptz NOT NULL DEFAULT now()
		);
		COMMENT ON TABLE bench_dataset IS
			'Written by "meetingfinder bench": the demo data set this database holds, so a later run with the same size, seed, generator and schema reuses it.'`)
	if err == nil {
		_, err = db.Pool.Exec(ctx, `INSERT INTO bench_dataset (fingerprint, meetings, seed, load_ms) VALUES ($1, $2, $3, $4)`,
			fingerprint, size, cfg.seed, load.Milliseconds())
	}
	if err != nil {
		return fmt.Errorf("bench: record data set: %w", err)
	}
	return nil
}

// datasetFingerprint identifies a demo data set: its size and seed, the
// schema version and a hash of the generator's first meetings (so that a
// change to the generator or the schema forces a reload).
func datasetFingerprint(seed int64, size int) string {
	h := sha256.New()
	fmt.Fprintf(h, "size=%d seed=%d schema=%d\n", size, seed, postgres.LatestVersion())
	for _, m := range demo.Generate(seed, min(size, 1000)) {
		fmt.Fprintf(h, "%+v\n", m)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// dropDatabase drops database name (if it exists), closing its sessions.
func dropDatabase(ctx context.Context, admin *pgx.Conn, name string) error {
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("bench: drop database %s: %w", name, err)
	}
	return nil
}

// sqlCapture is a pgx query tracer that remembers the last query's SQL
// text and arguments.
type sqlCapture struct {
	mu   sync.Mutex
	sql  string
	args []any
}

// TraceQueryStart implements pgx.QueryTracer.
func (c *sqlCapture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	c.sql, c.args = d.SQL, slices.Clone(d.Args)
	c.mu.Unlock()
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (c *sqlCapture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// captureFindSQL returns the SQL text MeetingStore.Find sends for the
// nearby query (the same at every point) and its arguments at each point.
// It runs Find with a tracer on a one-connection pool of its own at the
// first few points; the arguments at the other points are those of the
// first point with the point replaced, once that rule has been checked
// against every captured point (else Find is run at every point, which is
// slow when the query is).
func captureFindSQL(ctx context.Context, dbURL string, points []orb.Point, filter func(orb.Point) meeting.Filter) (string, [][]any, error) {
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return "", nil, fmt.Errorf("bench: %w", err)
	}
	capture := &sqlCapture{}
	pcfg.ConnConfig.Tracer = capture
	pcfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return "", nil, fmt.Errorf("bench: %w", err)
	}
	defer pool.Close()
	store := postgres.NewMeetingStore(&postgres.DB{Pool: pool})
	var sqlText string
	args := make([][]any, len(points))
	run := func(i int) error {
		if _, err := store.Find(ctx, filter(points[i])); err != nil {
			return err
		}
		capture.mu.Lock()
		s, a := capture.sql, capture.args
		capture.mu.Unlock()
		if i == 0 {
			sqlText = s
		} else if s != sqlText {
			return errors.New("bench: MeetingStore.Find sent different SQL text for different points")
		}
		args[i] = a
		return nil
	}
	const sample = 8
	for i := range min(len(points), sample) {
		if err := run(i); err != nil {
			return "", nil, err
		}
	}
	// The argument that carries the point, as Find writes it (EWKT).
	ewkt := func(p orb.Point) string {
		return fmt.Sprintf("SRID=4326;POINT(%s %s)", strconv.FormatFloat(p.Lon(), 'f', -1, 64), strconv.FormatFloat(p.Lat(), 'f', -1, 64))
	}
	at := slices.IndexFunc(args[0], func(a any) bool { return a == any(ewkt(points[0])) })
	derive := func(i int) []any {
		a := slices.Clone(args[0])
		a[at] = ewkt(points[i])
		return a
	}
	sameArgs := func(a, b []any) bool {
		return slices.EqualFunc(a, b, func(x, y any) bool {
			if tx, ok := x.(time.Time); ok { // "now" differs from call to call
				_, ok := y.(time.Time)
				return ok && !tx.IsZero()
			}
			return fmt.Sprintf("%T %v", x, x) == fmt.Sprintf("%T %v", y, y)
		})
	}
	ok := at >= 0
	for i := 1; ok && i < min(len(points), sample); i++ {
		ok = sameArgs(derive(i), args[i])
	}
	for i := min(len(points), sample); i < len(points); i++ {
		if ok {
			args[i] = derive(i)
		} else if err := run(i); err != nil {
			return "", nil, err
		}
	}
	return sqlText, args, nil
}

// explainQuery prints the SQL text and EXPLAIN (ANALYZE, BUFFERS) of it with
// args.
func explainQuery(ctx context.Context, pool *pgxpool.Pool, sqlText string, args []any, stdout io.Writer) error {
	rows, err := pool.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+sqlText, args...)
	if err != nil {
		return fmt.Errorf("bench: explain: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("bench: explain: %w", err)
	}
	fmt.Fprintf(stdout, "bench: the query (arguments %v):\n%s\n\n%s\n\n", args, sqlText, strings.Join(lines, "\n"))
	return nil
}

// checkSameResults asks the first query points through the store and
// through the API and fails unless both return the same meetings in the
// same order, so that the phases compare like with like.
func checkSameResults(ctx context.Context, store *postgres.MeetingStore,
	getAPI func(context.Context, int) (*httpapi.MeetingListJSON, error),
	points []orb.Point, filter func(orb.Point) meeting.Filter) error {
	for i := range min(len(points), benchCheckPoints) {
		page, err := store.Find(ctx, filter(points[i]))
		if err != nil {
			return err
		}
		body, err := getAPI(ctx, i)
		if err != nil {
			return fmt.Errorf("bench: check: %w", err)
		}
		a := make([]int64, len(page.Results))
		for j, r := range page.Results {
			a[j] = r.ID
		}
		b := make([]int64, len(body.Meetings))
		for j, m := range body.Meetings {
			b[j] = m.ID
		}
		if !slices.Equal(a, b) {
			return fmt.Errorf("bench: check: at %v the store returned meetings %v but the API %v", points[i], a, b)
		}
	}
	return nil
}
