package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// TextConfig is what RunText measures and how. The meetingfinder bench
// command fills it from its flags and checks the values.
type TextConfig struct {
	Sizes []int // numbers of demo meetings, one data set (and database) each
	// Database, when not empty, names an existing database (on the server
	// of DATABASE_URL) to measure as it is instead of Sizes: nothing is
	// loaded or dropped, and the indexing phases (which write) are skipped
	// unless Reindex is set.
	Database    string
	Duration    time.Duration // measured time per query shape
	Warmup      time.Duration // unmeasured warm-up before each
	Concurrency int           // concurrent requests (workers)
	RadiusKM    float64       // radius of the queries with a point
	Limit       int           // page size
	Seed        int64         // seed of the demo data and of the query points
	Points      int           // number of distinct query points (cycled through)
	Keep        bool          // keep the bench databases for a later run
	Reindex     bool          // measure the indexing rate (full rebuild and refresh in place)
	// Serve is the command of the server under test (this binary and
	// "serve"): it runs in a process of its own on the bench database.
	Serve []string
	// Index is the text index the server answers with: TextMemory (the
	// default: the read model on, no Meilisearch, so the index in memory)
	// or TextPostgres (the read model off: PostgreSQL's embedded index),
	// or TextMeili (the Meilisearch of this process's MEILI_URL,
	// MEILI_API_KEY and MEILI_INDEX, filled by "meetingfinder reindex").
	Index string
}

// The text indexes RunText can measure (TextConfig.Index).
const (
	TextMemory   = "memory"
	TextPostgres = "postgres"
	TextMeili    = "meilisearch"
)

// textShape is one kind of text query and the queries it cycles through.
type textShape struct {
	name    string
	queries []string
}

// textShapes are the query shapes of the text phase: what people type,
// one letter at a time on a phone, often with typos. Words come from the
// demo generator's names.
var textShapes = []textShape{
	{"one word", []string{"serenity", "recovery", "hope", "freedom", "spirit", "sobriety", "basics", "miracles", "acceptance", "women"}},
	{"two words, a typo in each", []string{"serinity grup", "lving sobr", "hapy huor", "womens stpe", "fellowshp spirt", "newcomrs meting"}},
	{"one-letter prefix", []string{"a", "s", "b", "h", "n", "m", "g", "l", "c", "t"}},
	{"two-word prefix", []string{"big bo", "serenity gr", "happy ho", "new be", "living so", "sober si", "early bi", "rainbow gr"}},
}

// RunText benchmarks text search (GET /v1/meetings?q=…) through the real
// server (cfg.Serve, in a process of its own, as for the reads) answering
// from cfg.Index: the index in memory that its read model feeds, or
// PostgreSQL's embedded index, for every shape of textShapes with and
// without a point, on demo data sets of cfg.Sizes (databases
// meetingfinder_bench_<size>, as RunNearby uses, dropped afterwards
// unless cfg.Keep) or on cfg.Database. It writes how the server started
// (the text index's build), each phase's p50, p99, throughput and CPU per
// request (this process, the server and the database's backends) and the
// server's RSS to stdout, then a Markdown table, and, with cfg.Reindex or
// a fresh data set, the rate of a full rebuild and of a refresh in place
// of PostgreSQL's index and the lag until a changed meeting is found by a
// new word through the server. It fails when a request failed.
func RunText(ctx context.Context, databaseURL string, cfg TextConfig, stdout, stderr io.Writer) error {
	admin, machine, err := connectAdmin(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	fmt.Fprintf(stdout, "bench: %s\n", machine)
	if cfg.Index == "" {
		cfg.Index = TextMemory
	}
	fmt.Fprintf(stdout, "bench: text search (%s index), concurrency %d, %s warm-up + %s per shape, radius %g km, limit %d\n",
		cfg.Index, cfg.Concurrency, cfg.Warmup, cfg.Duration, cfg.RadiusKM, cfg.Limit)
	var rows []Row
	targets := make([]string, 0, len(cfg.Sizes))
	if cfg.Database != "" {
		targets = append(targets, cfg.Database)
	} else {
		for _, size := range cfg.Sizes {
			targets = append(targets, fmt.Sprintf("meetingfinder_bench_%d", size))
		}
	}
	for i, name := range targets {
		size := 0
		if cfg.Database == "" {
			size = cfg.Sizes[i]
		}
		got, err := runTextOn(ctx, cfg, admin, databaseURL, name, size, stdout)
		if cfg.Database == "" && !cfg.Keep {
			if derr := dropDatabase(context.WithoutCancel(ctx), admin, name); derr != nil {
				fmt.Fprintf(stderr, "bench: %v\n", derr)
			}
		}
		if err != nil {
			return err
		}
		rows = append(rows, got...)
	}
	fmt.Fprintf(stdout, "\nMachine: %s.\n\n", machine)
	if err := WriteMarkdown(stdout, rows); err != nil {
		return err
	}
	return failedRequests(rows)
}

// runTextOn measures database name: loading size demo meetings into it
// first when size > 0 (or reusing a kept one), then the query shapes and
// the indexing rate.
func runTextOn(ctx context.Context, cfg TextConfig, admin *pgx.Conn, baseURL, name string, size int, stdout io.Writer) ([]Row, error) {
	dbURL, err := withDatabase(baseURL, name, max(16, cfg.Concurrency+4))
	if err != nil {
		return nil, err
	}
	var db *postgres.DB
	fresh := false
	if size > 0 {
		// Only a data set loaded now is fresh: a kept one is measured
		// without the indexing phases, which change meetings.
		var existed bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&existed); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		db, err = prepareDB(ctx, Config{Seed: cfg.Seed}, admin, dbURL, name, size, stdout)
		fresh = err == nil && !existed
	} else {
		db, err = postgres.Open(ctx, dbURL)
	}
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if pending, err := db.SearchPending(ctx); err != nil {
		return nil, err
	} else if pending > 0 {
		if err := measureRebuild(ctx, db, stdout); err != nil {
			return nil, err
		}
		fresh = false // just measured
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings WHERE status = 'published' AND deleted_at IS NULL`).Scan(&n); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	label := Thousands(n)
	srv, err := startTextServer(ctx, cfg, dbURL, label, stdout)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	// The server refreshes its places view as it starts: let that pass.
	if err := settleDB(ctx, admin, name, label, stdout); err != nil {
		return nil, err
	}
	base := srv.base
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * cfg.Concurrency}}
	points := queryPoints(cfg.Seed, max(cfg.Points, 1))
	var rows []Row
	for _, sh := range textShapes {
		for _, withPoint := range []bool{false, true} {
			path := sh.name
			if withPoint {
				path += ", with a point"
			}
			urls := textURLs(base, sh.queries, points, withPoint, cfg)
			var rss *rssSampler
			p := Phase{Name: path, Concurrency: cfg.Concurrency, Warmup: cfg.Warmup, Duration: cfg.Duration,
				Op:        getOp(client, urls),
				ServerCPU: func() (time.Duration, bool) { return backendCPU(ctx, admin, name) },
				ServeCPU:  srv.cpu,
				Measure:   func() { rss = sampleRSS(srv.pid) }}
			res, err := Run(ctx, p)
			var r RSSRange
			if rss != nil {
				r = rss.Stop()
			}
			if err != nil {
				return nil, err
			}
			printPhase(stdout, label, path, res, r)
			rows = append(rows, Row{Dataset: label, Path: "HTTP (" + cfg.Index + "), " + path, Result: res, RSS: r})
		}
	}
	if cfg.Reindex || fresh {
		if err := measureRebuild(ctx, db, stdout); err != nil {
			return nil, err
		}
		if err := measureRefresh(ctx, db, client, base, cfg.Index, stdout); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// textReadyTimeout bounds how long the server may take to answer text
// queries from its index after it starts (a million meetings: the read
// model's load, then the text index's build).
const textReadyTimeout = 10 * time.Minute

// startTextServer starts the server under test on dbURL answering text
// queries from cfg.Index, waits until that index answers (GET /readyz:
// text_search.answers_from) and prints how long it took and the server's
// RSS.
func startTextServer(ctx context.Context, cfg TextConfig, dbURL, label string, stdout io.Writer) (*server, error) {
	var extra []string
	want := "memory"
	switch cfg.Index {
	case TextPostgres:
		extra, want = []string{"MF_READ_MODEL=off"}, "database"
	case TextMeili:
		if os.Getenv("MEILI_URL") == "" {
			return nil, errors.New("bench: --text-index meilisearch needs MEILI_URL (and MEILI_API_KEY, MEILI_INDEX) of an index filled by meetingfinder reindex")
		}
		want = "meilisearch"
		for _, k := range []string{"MEILI_URL", "MEILI_API_KEY", "MEILI_INDEX"} {
			if v := os.Getenv(k); v != "" {
				extra = append(extra, k+"="+v)
			}
		}
	}
	srv, err := startServer(ctx, cfg.Serve, dbURL, extra...)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(textReadyTimeout)
	for {
		body, err := srv.readyz(ctx, hc)
		if err == nil && body.TextSearch == nil {
			srv.stop()
			return nil, srv.failure("does not report its text index", errors.New("GET /readyz has no text_search"))
		}
		if err == nil && body.TextSearch.AnswersFrom == want {
			break
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, srv.failure("did not answer text queries from its "+cfg.Index+" index in "+textReadyTimeout.String(), err)
		}
		select {
		case <-ctx.Done():
			srv.stop()
			return nil, ctx.Err()
		case <-srv.exited:
			return nil, srv.failure("exited while loading", srv.waitErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	ready := time.Since(srv.started)
	for deadline := time.Now().Add(2 * time.Second); cfg.Index == TextMemory && !srv.textLoaded().Logged && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	ml, tl := srv.loaded(), srv.textLoaded()
	fmt.Fprintf(stdout, "bench: %s meetings: server pid %d on %s answers text queries from %s %s after start",
		label, srv.pid, srv.base, cfg.Index, ready.Round(time.Millisecond))
	if ml.Logged {
		fmt.Fprintf(stdout, "; read model of %s loaded in %s", Thousands(ml.Meetings), ml.Took.Round(time.Millisecond))
	}
	if tl.Logged {
		fmt.Fprintf(stdout, ", then its text index of %s built in %s (%.0f meetings/s)", Thousands(tl.Meetings),
			tl.Took.Round(time.Millisecond), float64(tl.Meetings)/max(tl.Took.Seconds(), 1e-9))
	}
	fmt.Fprintf(stdout, "; RSS %.0f MiB, peak %.0f MiB\n", mib(srv.rss()), mib(srv.peakRSS()))
	return srv, nil
}

// textURLs returns the requests of one shape: each query, at each point
// when withPoint, interleaved so consecutive requests differ.
func textURLs(base string, queries []string, points []orb.Point, withPoint bool, cfg TextConfig) []string {
	var out []string
	n := len(queries)
	if withPoint {
		n = max(len(points), len(queries))
	}
	for i := range n {
		v := url.Values{"q": {queries[i%len(queries)]}, "limit": {strconv.Itoa(cfg.Limit)}}
		if withPoint {
			p := points[i%len(points)]
			v.Set("lat", strconv.FormatFloat(p.Lat(), 'f', 6, 64))
			v.Set("lng", strconv.FormatFloat(p.Lon(), 'f', 6, 64))
			v.Set("radius_km", strconv.FormatFloat(cfg.RadiusKM, 'f', -1, 64))
		}
		out = append(out, base+"/v1/meetings?"+v.Encode())
	}
	return out
}

// getOp is an Op that GETs urls in turn and counts the meetings of each
// answer by their "id" keys; any status but 200 is an error.
func getOp(client *http.Client, urls []string) Op {
	return func(ctx context.Context, seq int) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[seq%len(urls)], nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		if _, err := b.ReadFrom(resp.Body); err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %s: %.200s", urls[seq%len(urls)], resp.Status, b.String())
		}
		return bytes.Count(b.Bytes(), []byte(`{"id":`)), nil
	}
}

// measureRebuild times a full rebuild of the text index and prints its
// rate.
func measureRebuild(ctx context.Context, db *postgres.DB, stdout io.Writer) error {
	start := time.Now()
	n, err := db.RebuildSearch(ctx)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "bench: text index rebuilt: %s meetings in %s (%.0f meetings/s)\n",
		Thousands(n), took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

// refreshSample is how many meetings measureRefresh changes.
const refreshSample = 20000

// measureRefresh changes the name of refreshSample meetings (and back),
// timing the refresh in place of PostgreSQL's index (RefreshSearch) each
// time, then renames one meeting to a word the index has never seen and
// measures how long after the write a query for that word through the
// server finds it: with the index in memory, as the server's read model
// follows the change log (every 250 ms by default); with PostgreSQL's,
// with refreshes every 250 ms here (serve runs one every 2 s).
func measureRefresh(ctx context.Context, db *postgres.DB, client *http.Client, base, index string, stdout io.Writer) error {
	for _, sql := range []string{
		`UPDATE meetings SET name = name || ' Benchmark' WHERE id IN (SELECT id FROM meetings ORDER BY id LIMIT $1)`,
		`UPDATE meetings SET name = left(name, -10) WHERE id IN (SELECT id FROM meetings ORDER BY id LIMIT $1)`,
	} {
		if _, err := db.Pool.Exec(ctx, sql, refreshSample); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		start := time.Now()
		n, err := db.RefreshSearch(ctx, 0)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(stdout, "bench: text index refreshed in place: %s changed meetings in %s (%.0f meetings/s)\n",
			Thousands(n), took.Round(time.Millisecond), float64(n)/took.Seconds())
	}
	word := "zq" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36) + "x"
	var id int64
	var old string
	if err := db.Pool.QueryRow(ctx, `SELECT id, name FROM meetings WHERE status = 'published' AND deleted_at IS NULL ORDER BY id LIMIT 1`).Scan(&id, &old); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	written := time.Now()
	if _, err := db.Pool.Exec(ctx, `UPDATE meetings SET name = $2 WHERE id = $1`, id, old+" "+word); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer db.Pool.Exec(context.WithoutCancel(ctx), `UPDATE meetings SET name = $2 WHERE id = $1`, id, old)
	op := getOp(client, []string{base + "/v1/meetings?q=" + word})
	for time.Since(written) < 10*time.Second {
		if index == TextPostgres {
			if _, err := db.RefreshSearch(ctx, 0); err != nil {
				return err
			}
		}
		if n, err := op(ctx, 0); err != nil {
			return err
		} else if n > 0 {
			how := "the server's read model polling the change log"
			if index == TextPostgres {
				how = "refresh every 250 ms"
			}
			fmt.Fprintf(stdout, "bench: a meeting renamed to a new word (%q) was found %s after the write (%s)\n",
				word, time.Since(written).Round(time.Millisecond), how)
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("bench: a meeting renamed to %q was not found within 10 s", word)
}
