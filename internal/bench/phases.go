package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// runner runs the phases of one data set and keeps their results.
type runner struct {
	cfg    Config
	admin  *pgx.Conn
	name   string // the database
	size   int
	label  string // size with thousands separators
	stdout io.Writer

	srv      *server // the server under test, once started
	baseline float64 // the raw PostGIS query's throughput, 0 until measured
	sqlRes   Result  // the raw PostGIS query's result
	rows     []Row
	feeds    []FeedResult
	load     LoadResult
}

// phaseSpec is one phase: short names it in progress lines and profile
// files, path describes it in the table.
type phaseSpec struct {
	short, path string
	op          Op
	duration    time.Duration // measured time; 0 means Config.Duration
	compare     bool          // show the ratio to the raw PostGIS query
	measure     func()        // Phase.Measure
}

// run runs ph with the configured warm-up and concurrency, counting the
// CPU time of the database's backends and of the server under test,
// sampling the server's RSS over the measured window and, when asked,
// writing a CPU profile of this process; it prints the result and adds
// its row.
func (r *runner) run(ctx context.Context, ph phaseSpec) (Result, error) {
	p := Phase{Name: ph.short, Concurrency: r.cfg.Concurrency, Warmup: r.cfg.Warmup, Duration: ph.duration, Op: ph.op,
		ServerCPU: func() (time.Duration, bool) { return backendCPU(ctx, r.admin, r.name) }}
	if p.Duration <= 0 {
		p.Duration = r.cfg.Duration
	}
	var rss *rssSampler
	p.Measure = func() {
		if ph.measure != nil {
			ph.measure()
		}
		if r.srv != nil {
			rss = sampleRSS(r.srv.pid)
		}
	}
	if r.srv != nil {
		p.ServeCPU = r.srv.cpu
	}
	prof, err := createProfile(r.cfg, r.size, ph.short)
	if err != nil {
		return Result{}, err
	}
	if prof != nil {
		p.Profile = prof
	}
	res, err := Run(ctx, p)
	if prof != nil {
		if cerr := prof.Close(); err == nil {
			err = cerr
		}
	}
	row := Row{Dataset: r.label, Path: ph.path, Result: res}
	if rss != nil {
		row.RSS = rss.Stop()
	}
	if ph.compare {
		row.Baseline = r.baseline
	}
	r.rows = append(r.rows, row)
	printPhase(r.stdout, r.label, ph.short, res, row.RSS)
	return res, err
}

// pgxPhases measures the nearby query through pgx: the SQL text and
// arguments MeetingStore.Find sends with the rows left undecoded (the raw
// PostGIS query, the baseline of the nearby phases), then Find itself.
func (r *runner) pgxPhases(ctx context.Context, db *postgres.DB, store *postgres.MeetingStore, points []orb.Point) error {
	sqlText, sqlArgs, err := findSQL(points, r.cfg.filter)
	if err != nil {
		return err
	}
	if r.cfg.Explain {
		if err := explainQuery(ctx, db.Pool, sqlText, sqlArgs[0], r.stdout); err != nil {
			return err
		}
	}
	res, err := r.run(ctx, phaseSpec{short: "sql", path: "nearby: pgx, same SQL (raw PostGIS; baseline), rows not decoded",
		op: sqlOp(db, sqlText, sqlArgs), compare: true})
	if err != nil {
		return err
	}
	r.baseline, r.sqlRes = res.Throughput(), res
	r.rows[len(r.rows)-1].Baseline = r.baseline
	_, err = r.run(ctx, phaseSpec{short: "store", path: "nearby: pgx, MeetingStore.Find", op: storeOp(store, r.cfg, points), compare: true})
	return err
}

// LoadResult is how the server under test started on one data set.
type LoadResult struct {
	Dataset  string        // e.g. "1,000,000"
	Meetings int           // meetings in the read model (GET /readyz)
	Took     time.Duration // the model's load, as the server logged it; 0 when not logged
	Ready    time.Duration // from starting the process to /readyz saying the model is ok
	RSS      uint64        // the server's RSS once ready
	LoadPeak uint64        // its peak RSS until then (VmHWM)
	RunPeak  uint64        // its peak RSS over the whole run (VmHWM at the end)
}

// startServer starts the server under test on database dbURL and waits
// until its read model is loaded.
func (r *runner) startServer(ctx context.Context, dbURL string) (*server, error) {
	srv, err := startServer(ctx, r.cfg.Serve, dbURL)
	if err != nil {
		return nil, err
	}
	n, err := srv.waitReady(ctx, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		srv.stop()
		return nil, err
	}
	ready := time.Since(srv.started)
	// The load's log line follows the model's switch to ready closely.
	for deadline := time.Now().Add(2 * time.Second); !srv.loaded().Logged && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	ld := srv.loaded()
	r.load = LoadResult{Dataset: r.label, Meetings: n, Took: ld.Took, Ready: ready, RSS: srv.rss(), LoadPeak: srv.peakRSS()}
	fmt.Fprintf(r.stdout, "bench: %s meetings: server pid %d on %s: read model of %s meetings loaded in %s (its log), ready %s after start; RSS %.0f MiB, peak %.0f MiB\n",
		r.label, srv.pid, srv.base, Thousands(n), ld.Took.Round(time.Millisecond), ready.Round(time.Millisecond),
		mib(r.load.RSS), mib(r.load.LoadPeak))
	if n == 0 {
		srv.stop()
		return nil, fmt.Errorf("bench: the server's read model holds no meetings")
	}
	r.srv = srv
	return srv, r.settle(ctx)
}

// settle waits, up to settleTimeout, until no session on the bench
// database has been busy for settleQuiet (the server refreshes its places
// view as it starts, alongside the model's load), so that the timed
// phases do not measure start-up work.
func (r *runner) settle(ctx context.Context) error {
	return settleDB(ctx, r.admin, r.name, r.label, r.stdout)
}

// settleDB waits, up to settleTimeout, until no session on database name
// has been busy for settleQuiet, and says how long that took.
func settleDB(ctx context.Context, admin *pgx.Conn, name, label string, stdout io.Writer) error {
	start := time.Now()
	quietSince := time.Time{}
	for time.Since(start) < settleTimeout {
		var busy int
		err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND state = 'active' AND now() - query_start > interval '100 milliseconds'`, name).Scan(&busy)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		switch {
		case busy > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= settleQuiet:
			fmt.Fprintf(stdout, "bench: %s meetings: the database was quiet %s after the server was ready\n",
				label, time.Since(start).Round(100*time.Millisecond))
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	fmt.Fprintf(stdout, "bench: %s meetings: the database was still busy %s after the server was ready; going on\n", label, settleTimeout)
	return nil
}

// How long settle waits for the bench database to be quiet, and how long
// it must stay so.
const (
	settleTimeout = 2 * time.Minute
	settleQuiet   = time.Second
)

// httpPhases checks that the server answers the nearby query as
// PostgreSQL does and runs the HTTP phases of the configured groups.
func (r *runner) httpPhases(ctx context.Context, store *postgres.MeetingStore, c *client, points []orb.Point) error {
	nearby := c.nearbyURLs(r.cfg, points)
	ids, err := checkSameResults(ctx, store, c, nearby, points, r.cfg.filter)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("bench: check: no meetings near the first %d query points", checkPoints)
	}
	// The feed runs first, on the server as the load left it, so that its
	// RSS growth is its own, not hidden in memory an earlier phase left
	// free.
	etag := ""
	if r.cfg.runs(PhaseFeed) {
		if etag, err = r.feedPhase(ctx, c); err != nil {
			return err
		}
	}
	var phases []phaseSpec
	if r.cfg.runs(PhaseNearby) {
		phases = append(phases,
			phaseSpec{short: "http", path: "nearby: HTTP, read model, body read", op: c.bodyOp(nearby, meetingMarker), compare: true},
			phaseSpec{short: "decoded", path: "nearby: HTTP, read model, JSON decoded", op: c.decodedOp(nearby), compare: true})
	}
	var filters *tracked
	if r.cfg.runs(PhaseFilters) {
		ops := make([]Op, len(noPointFilters))
		for i, u := range c.filterURLs() {
			ops[i] = c.bodyOp([]string{u}, meetingMarker)
		}
		filters = newRoundRobin(noPointFilters, ops)
		phases = append(phases, phaseSpec{short: "filters", path: "no-point filters: HTTP, " + strings.Join(noPointFilters, ", ") + " in turn",
			op: filters.op, measure: filters.reset})
	}
	if r.cfg.runs(PhaseBMLT) {
		phases = append(phases,
			phaseSpec{short: "bmlt10", path: "BMLT nearest 10: HTTP (geo_width=-10)", op: c.bodyOp(c.bmltURLs(points, "geo_width=-10"), bmltMarker)},
			phaseSpec{short: "bmlt10km", path: "BMLT 10 km: HTTP (geo_width_km=10)", op: c.bodyOp(c.bmltURLs(points, "geo_width_km=10"), bmltMarker)})
	}
	for _, ph := range phases {
		if _, err := r.run(ctx, ph); err != nil {
			return err
		}
		switch {
		case ph.short == "filters":
			filters.print(r.stdout, r.label, "filters")
		case ph.short == "http" && r.baseline > 0:
			r.printRatio(r.rows[len(r.rows)-1].Result)
		}
	}
	if !r.cfg.runs(PhaseMixed) {
		return nil
	}
	if etag == "" {
		if etag, err = c.feedETag(ctx); err != nil {
			return err
		}
	}
	return r.mixedPhase(ctx, c, points, nearby, ids, etag)
}

// printRatio writes the nearby query's throughput over HTTP as a multiple
// of the raw PostGIS query's and, when the CPU time is known, the same
// for CPU-bound capacity, which the neighbours' load does not sway.
func (r *runner) printRatio(res Result) {
	fmt.Fprintf(r.stdout, "bench: %s meetings: nearby over HTTP / raw PostGIS: throughput %.2f×", r.label, res.Throughput()/r.baseline)
	cores := r.sqlRes.Cores
	if base := r.sqlRes.Capacity(cores); base > 0 && res.Capacity(cores) > 0 {
		fmt.Fprintf(r.stdout, "; CPU-bound capacity on %d cores %.2f× (%.0f vs %.0f req/s; CPU per request %.2f vs %.2f ms)",
			cores, res.Capacity(cores)/base, res.Capacity(cores), base, float64(cores)*1000/res.Capacity(cores), float64(cores)*1000/base)
	}
	fmt.Fprintln(r.stdout)
}

// feedPhase downloads the whole Meeting Guide feed once in gzip and once
// not, then measures If-None-Match with the gzip answer's ETag. It
// returns that ETag.
func (r *runner) feedPhase(ctx context.Context, c *client) (string, error) {
	etag := ""
	for _, gz := range []bool{true, false} {
		f, err := c.download(ctx, r.srv, r.label, gz)
		if err != nil {
			return "", err
		}
		r.feeds = append(r.feeds, f)
		fmt.Fprintf(r.stdout, "bench: %s meetings, feed %-8s first byte %.0f ms, total %.2f s, %.1f MiB; server RSS %.0f → peak %.0f (+%.0f) MiB, %.0f MiB 1 s after\n",
			r.label, f.Encoding, ms(f.FirstByte), f.Total.Seconds(), float64(f.Bytes)/(1<<20),
			mib(f.RSS.First), mib(f.RSS.Max), float64(f.Growth())/(1<<20), mib(f.After))
		if gz {
			etag = f.ETag
		} else if f.Meetings != r.load.Meetings {
			return "", fmt.Errorf("bench: the feed holds %d meetings, the read model %d", f.Meetings, r.load.Meetings)
		}
	}
	if etag == "" {
		return "", fmt.Errorf("bench: the whole feed has no ETag")
	}
	_, err := r.run(ctx, phaseSpec{short: "feed304", path: "Meeting Guide feed: HTTP, If-None-Match → 304", op: c.notModifiedOp(etag)})
	return etag, err
}

// mixedPhase runs the mixed workload for Config.MixedDuration and prints
// each kind's latencies and the server's RSS over the run.
func (r *runner) mixedPhase(ctx context.Context, c *client, points []orb.Point, nearby []string, ids []int64, etag string) error {
	m := newMixed(map[byte]Op{
		'N': c.bodyOp(nearby, meetingMarker),
		'F': c.bodyOp(c.filterURLs(), meetingMarker),
		'B': c.bodyOp(c.bmltURLs(points, "geo_width=-10"), bmltMarker),
		'K': c.bodyOp(c.bmltURLs(points, "geo_width_km=10"), bmltMarker),
		'P': c.bodyOp(c.meetingURLs(ids), nil),
		'X': c.notModifiedOp(etag),
	})
	_, err := r.run(ctx, phaseSpec{short: "mixed", path: "mixed: HTTP, 70 % nearby, 10 % no-point filters, 10 % BMLT, 5 % meeting pages, 5 % feed If-None-Match",
		op: m.op, duration: r.cfg.MixedDuration, measure: m.reset})
	m.print(r.stdout, r.label, "mixed")
	rss := r.rows[len(r.rows)-1].RSS
	fmt.Fprintf(r.stdout, "bench: %s meetings, mixed: server RSS first %.0f, last %.0f, min %.0f, max %.0f MiB (%d samples)\n",
		r.label, mib(rss.First), mib(rss.Last), mib(rss.Min), mib(rss.Max), rss.Samples)
	return err
}

// WriteLoadMarkdown writes how the server under test started on each data
// set as a Markdown table. It returns w's write error.
func WriteLoadMarkdown(w io.Writer, loads []LoadResult) error {
	var b strings.Builder
	b.WriteString("| meetings | in the read model | model load s (server log) | start to ready s | RSS when ready MiB | peak RSS while loading MiB | peak RSS over the run MiB |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range loads {
		took := "–"
		if l.Took > 0 {
			took = fmt.Sprintf("%.1f", l.Took.Seconds())
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.1f | %.0f | %.0f | %.0f |\n", l.Dataset, Thousands(l.Meetings), took,
			l.Ready.Seconds(), mib(l.RSS), mib(l.LoadPeak), mib(l.RunPeak))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
