package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/nominatim"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/readmodel"
	"github.com/meetingfinder/meetingfinder/internal/search"
	"github.com/meetingfinder/meetingfinder/internal/search/memindex"
	"github.com/meetingfinder/meetingfinder/internal/web"
)

// shutdownGrace is how long in-flight requests may finish after a signal.
const shutdownGrace = 15 * time.Second

// runServe serves the HTTP API and the finder page, with the search of
// setupSearch and the scheduled imports of --sources, until ctx ends; then
// it drains in-flight requests for up to shutdownGrace.
func runServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	tileURL := fs.String("tile-url", getenv("MF_TILE_URL"), "map tile URL template for the finder page ({z}/{x}/{y}; default OpenStreetMap; env MF_TILE_URL)")
	tileAttr := fs.String("tile-attribution", getenv("MF_TILE_ATTRIBUTION"), "HTML credit for the map tiles (env MF_TILE_ATTRIBUTION)")
	geocoderURL := fs.String("geocoder-url", getenv("MF_GEOCODER_URL"), "optional Nominatim-compatible geocoder for GET /v1/places and for the scheduled imports' meetings with an address and no point (env MF_GEOCODER_URL; unset = the listings' own places only, imports offline)")
	geocodeMax := fs.String("geocode-max", getenv("MF_GEOCODE_MAX"), fmt.Sprintf("addresses one scheduled import may send to the geocoder, one a second (env MF_GEOCODE_MAX; default %d; 0: none)", ingest.DefaultGeocodeMax))
	sourcesFile := fs.String("sources", "", "sources `FILE` (JSON) to re-import on their schedule (see \"meetingfinder import -h\")")
	readModel := fs.Bool("read-model", getenv("MF_READ_MODEL") != "off", "answer public reads from the in-memory read model (env MF_READ_MODEL=off turns it off)")
	syncEvery := fs.Duration("sync-every", 250*time.Millisecond, "how often the read model reads the change log")
	maxLag := fs.Duration("max-replica-lag", httpapi.DefaultMaxReplicaLag, "replica lag above which /readyz says degraded (with DATABASE_READ_URL)")
	publicRate := fs.String("public-rate-limit", getenv("MF_PUBLIC_RATE_LIMIT"), fmt.Sprintf("requests a minute per client address on the public routes, in bursts of a sixth of it (env MF_PUBLIC_RATE_LIMIT; default %.0f; 0 turns the limit off)", httpapi.DefaultPublicRate.PerMinute))
	feedConcurrency := fs.String("feed-concurrency", getenv("MF_FEED_CONCURRENCY"), fmt.Sprintf("whole feeds (Meeting Guide, .geojson, .ics) sent at once; beyond it 503 with Retry-After (env MF_FEED_CONCURRENCY; default %d; 0 means no bound)", httpapi.DefaultMaxFeeds))
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	rate, err := parsePublicRate(*publicRate)
	if err != nil {
		return err
	}
	maxFeeds, err := parseFeedConcurrency(*feedConcurrency)
	if err != nil {
		return err
	}
	geo, err := newImportGeocoder(*geocoderURL, *geocodeMax, getenv)
	if err != nil {
		return err
	}
	log := newLogger(getenv, stderr)
	db, err := openCurrent(ctx, getenv)
	if err != nil {
		return fmt.Errorf("refusing to serve: %w", err)
	}
	defer db.Close()
	readDB, err := openRead(ctx, getenv, db, log)
	if err != nil {
		return fmt.Errorf("refusing to serve: %w", err)
	}
	if readDB != db {
		defer readDB.Close()
	}
	imports, runImports, err := scheduledImports(ctx, db, *sourcesFile, geo, log)
	if err != nil {
		return err
	}
	listings := postgres.NewListingStore(db)
	// Without Meilisearch, the read model feeds a text index in memory.
	var text *memindex.Index
	if *readModel && getenv("MEILI_URL") == "" {
		text = memindex.New(memindex.Options{Logger: log})
	}
	reads, model := publicReads(readDB, *readModel, text, log)
	sc, err := setupSearch(ctx, db, readDB, reads, text, getenv, log)
	if err != nil {
		return err
	}
	var background sync.WaitGroup
	defer background.Wait()
	bgctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	startBackground(bgctx, &background, db, sc, model, *syncEvery, log)
	cfg := httpapi.Config{
		Store:          sc.store,
		Feeds:          reads,
		Places:         sc.places,
		Search:         sc.check,
		TextSearch:     sc.text,
		Ready:          db.CheckSchema,
		Logger:         log,
		Orgs:           postgres.NewOrgStore(db),
		Listings:       listings,
		ChangeRequests: listings,
		TrustedProxies: splitList(getenv("MF_TRUSTED_PROXIES")),
		PublicRate:     rate,
		MaxFeeds:       maxFeeds,
		Sources:        imports,
		MaxReplicaLag:  *maxLag,
		ReplicaLag:     replicaLag(db, readDB),
	}
	if geo.client != nil {
		cfg.Geocoder = geo.client
	}
	// Organizations' uploads follow the rules of imports: points checked
	// against the address, centroids, the geocoder, then zones. The
	// offline zone data loads on the first upload (within its time limit),
	// as on the first import, so that a server nobody uploads to never
	// holds it.
	rules := &ingest.Importer{Places: postgres.NewPlaceStore(db), Logger: log}
	geo.configure(rules, db)
	cfg.Resolver = rules
	if model != nil {
		cfg.DataVersion = model.DataVersion
		cfg.ReadModel = func() httpapi.ReadModelStatus {
			st := model.Status()
			return httpapi.ReadModelStatus{Ready: st.Ready, Meetings: st.Meetings, Lag: st.Lag}
		}
	}
	api := httpapi.New(cfg)
	// The page's places to pick from are the listings' own busiest cities.
	web.Mount(api.Engine(), web.Config{TileURL: *tileURL, TileAttribution: *tileAttr, Places: sc.places.Busiest})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "meetingfinder: serving on %s\n  try: curl '%s/v1/meetings?lat=40.7128&lng=-74.006'\n  or open %s/ in a browser\n", url, url, url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Scheduled imports stop with the server; an import in progress is
	// cancelled (its transaction rolls back) before serve returns.
	ictx, stopImports := context.WithCancel(ctx)
	importsDone := make(chan struct{})
	go func() { defer close(importsDone); runImports(ictx) }()
	defer func() { stopImports(); <-importsDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", slog.Duration("grace", shutdownGrace))
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// parsePublicRate reads --public-rate-limit (MF_PUBLIC_RATE_LIMIT):
// requests a minute per client address, with bursts of a sixth of that
// (100 for the default 600); empty means the default, 0 no limit.
func parsePublicRate(s string) (httpapi.Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return httpapi.DefaultPublicRate, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return httpapi.Rate{}, usageError{fmt.Sprintf("serve: --public-rate-limit (MF_PUBLIC_RATE_LIMIT): %q is not a whole number of requests a minute (0 turns the limit off)", s)}
	}
	if n == 0 {
		return httpapi.NoLimit, nil
	}
	return httpapi.Rate{PerMinute: float64(n), Burst: max(1, n/6)}, nil
}

// parseFeedConcurrency reads --feed-concurrency (MF_FEED_CONCURRENCY) as
// httpapi.Config.MaxFeeds: empty means the default (0), 0 no bound (-1).
func parseFeedConcurrency(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, usageError{fmt.Sprintf("serve: --feed-concurrency (MF_FEED_CONCURRENCY): %q is not a whole number of feeds (0 means no bound)", s)}
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// replicaLag returns readDB's lag measure for /readyz when it is a
// standby apart from the primary db, else nil.
func replicaLag(db, readDB *postgres.DB) func(context.Context) (time.Duration, error) {
	if readDB == db {
		return nil
	}
	return func(ctx context.Context) (time.Duration, error) {
		lag, onPrimary, err := readDB.ReplicaLag(ctx)
		if err == nil && onPrimary {
			return 0, httpapi.ErrReadsFromPrimary
		}
		return lag, err
	}
}

// importGeocoder is the configured geocoder (nil when none) and how many
// addresses one import may send it.
type importGeocoder struct {
	client *nominatim.Client
	max    int // as ingest.Importer.GeocodeMax
}

// newImportGeocoder returns the geocoder at url (none when url is empty;
// User-Agent from MF_GEOCODER_USER_AGENT) with the per-run cap max (""
// for ingest.DefaultGeocodeMax, "0" for none). A bad URL or cap is a
// usageError.
func newImportGeocoder(url, max string, getenv env) (importGeocoder, error) {
	var g importGeocoder
	if max = strings.TrimSpace(max); max != "" {
		n, err := strconv.Atoi(max)
		if err != nil || n < 0 {
			return g, usageError{fmt.Sprintf("--geocode-max %q: want a whole number of addresses, 0 for none", max)}
		}
		g.max = n
		if n == 0 {
			g.max = -1
		}
	}
	if url == "" {
		return g, nil
	}
	c, err := nominatim.New(url, getenv("MF_GEOCODER_USER_AGENT"), nil)
	if err != nil {
		return g, usageError{"--geocoder-url: " + err.Error()}
	}
	g.client = c
	return g, nil
}

// configure gives im the geocoder, its cache in db and the cap, when a
// geocoder is configured.
func (g importGeocoder) configure(im *ingest.Importer, db *postgres.DB) {
	if g.client == nil {
		return
	}
	im.Geocoder, im.GeocodeCache, im.GeocodeMax = g.client, postgres.NewGeocodeCache(db), g.max
}

// openRead returns the database that answers public reads: the standby
// at DATABASE_READ_URL, checked to be a standby at primary's schema
// version, or primary itself when it is not set.
func openRead(ctx context.Context, getenv env, primary *postgres.DB, log *slog.Logger) (*postgres.DB, error) {
	url := getenv("DATABASE_READ_URL")
	if url == "" {
		return primary, nil
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
	}
	fallback := postgres.PrefersStandby(url)
	if err := db.CheckReplica(ctx, fallback); err != nil {
		db.Close()
		return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
	}
	if fallback {
		log.Info("public reads from the standby at DATABASE_READ_URL, or from the primary it lists after it while the standby is unreachable; writes to DATABASE_URL")
	} else {
		log.Info("public reads from the standby at DATABASE_READ_URL; writes to DATABASE_URL")
	}
	return db, nil
}

// modelGCPercent is the garbage collector's target with the read model:
// the model is hundreds of megabytes the collector need not scan (it holds
// no pointers), so collecting when the heap has grown by a quarter of it,
// rather than by all of it (GOGC=100), costs little and keeps the process
// near its live size. GOGC in the environment wins.
const modelGCPercent = 25

// publicReads returns the store that answers public reads from db (the
// standby, when there is one): the in-memory read model over PostgreSQL
// when on (with PostgreSQL answering until the model is loaded, and text
// queries), else PostgreSQL alone. With text, the model feeds it: every
// load is built into it in the background, every change applied.
func publicReads(db *postgres.DB, on bool, text *memindex.Index, log *slog.Logger) (readmodel.Store, *readmodel.Model) {
	pg := postgres.NewMeetingStore(db)
	if !on {
		return pg, nil
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(modelGCPercent)
	}
	opts := readmodel.Options{Logger: log}
	if text != nil {
		opts.OnLoad = func(n int, parts ...iter.Seq[*meeting.Meeting]) {
			done := text.Load(n, parts...)
			go func() {
				<-done
				debug.FreeOSMemory() // the build's garbage is about the size of the index
			}()
		}
		opts.OnChange = text.Change
	}
	model := readmodel.New(db, db, opts)
	return readmodel.Reads{Model: model, Fallback: pg}, model
}

// startBackground starts serve's background work on wg until ctx ends:
// the read model and change-log pruning, the search setup's work (places
// refresh, outbox) once the model is loaded, and the deferred text
// indexing.
func startBackground(ctx context.Context, wg *sync.WaitGroup, db *postgres.DB, sc *searchSetup, model *readmodel.Model, syncEvery time.Duration, log *slog.Logger) {
	wg.Go(func() {
		// The places refresh and the outbox compete with the read model's
		// load for the database: let the load go first (for at most a
		// minute).
		waitLoaded(ctx, model, time.Minute)
		sc.run(ctx)
	})
	if model != nil {
		wg.Go(func() { _ = model.Run(ctx, syncEvery) })
		wg.Go(func() { pruneChanges(ctx, db, log) })
	}
	// Writers leave text indexing to this loop: it indexes the meetings
	// waiting at start (all of them after migration 0007 on an existing
	// database) and then new and changed ones every few seconds.
	wg.Go(func() { db.RunSearchRefresh(ctx, postgres.SearchRefreshEvery, log) })
}

// waitLoaded returns once model (when there is one) is loaded, after
// limit, or when ctx ends.
func waitLoaded(ctx context.Context, model *readmodel.Model, limit time.Duration) {
	if model == nil {
		return
	}
	for deadline := time.Now().Add(limit); !model.Ready() && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// changeRetention is how long the change log keeps a change: a read model
// that has not read it for longer loads everything again.
const changeRetention = 24 * time.Hour

// pruneChanges deletes changes older than changeRetention every hour.
// Every instance may run it: deleting what is already gone is harmless.
func pruneChanges(ctx context.Context, db *postgres.DB, log *slog.Logger) {
	for {
		if _, err := db.PruneChanges(ctx, changeRetention); err != nil && ctx.Err() == nil {
			log.Warn("pruning the change log failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// searchSetup is the search part of serve: the store that answers meeting
// queries, the place finder, the /readyz check of the external index and
// report of the text index, and the background work (outbox delivery,
// place refresh).
type searchSetup struct {
	store  meeting.Store
	places *postgres.PlaceStore
	check  httpapi.Checker // nil without an external index
	text   func() httpapi.TextSearchStatus
	run    func(ctx context.Context)
}

// placesRefresh is how often serve rebuilds the places view.
const placesRefresh = 10 * time.Minute

// setupSearch wires text search: with MEILI_URL, Meilisearch, fed by the
// outbox of db (the primary); else, with text (the read model on), the
// index in memory that the read model feeds (publicReads); else
// PostgreSQL's embedded index alone. In front of an index, PostgreSQL at
// readDB answers text queries while the index cannot (Meilisearch down,
// the memory index being built). reads answers everything else and, with
// the read model, loads the hits of the memory index by id.
func setupSearch(ctx context.Context, db, readDB *postgres.DB, reads readmodel.Store, text *memindex.Index, getenv env, log *slog.Logger) (*searchSetup, error) {
	pg := postgres.NewMeetingStore(readDB)
	places := postgres.NewPlaceStore(db)
	// Refresh the places at start (imports and demo loads since the last
	// run are then visible) and every placesRefresh.
	refresh := func(ctx context.Context) {
		for {
			if err := places.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Warn("places refresh failed", slog.String("error", err.Error()))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(placesRefresh):
			}
		}
	}
	idx := newMeili(getenv)
	if idx == nil && text != nil {
		loader, ok := reads.(search.Loader)
		if !ok {
			return nil, fmt.Errorf("search: the public reads (%T) cannot load meetings by id", reads)
		}
		log.Info("search: text queries from an index in memory, fed by the read model; PostgreSQL while it is built")
		return &searchSetup{
			store:  search.NewStore(reads, text, loader, log),
			places: places,
			text: func() httpapi.TextSearchStatus {
				st := text.Status()
				return httpapi.TextSearchStatus{Index: httpapi.TextIndexMemory, Ready: st.Ready, Meetings: st.Meetings}
			},
			run: refresh,
		}, nil
	}
	if idx == nil {
		return &searchSetup{store: reads, places: places, run: refresh,
			text: func() httpapi.TextSearchStatus {
				return httpapi.TextSearchStatus{Index: httpapi.TextIndexPostgres, Ready: true}
			}}, nil
	}
	ob := postgres.NewOutbox(db)
	if err := ob.Enable(ctx, true); err != nil {
		return nil, err
	}
	log.Info("search: Meilisearch at MEILI_URL, PostgreSQL as fallback; run \"meetingfinder reindex\" once to build the index")
	run := func(ctx context.Context) {
		go refresh(ctx)
		// Until the index exists with its settings, text queries fall back
		// to PostgreSQL and changes wait in the outbox.
		for wait := time.Second; ; wait = min(2*wait, postgres.MaxBackoff) {
			err := idx.Setup(ctx)
			if err == nil {
				break
			}
			log.Warn("search: Meilisearch setup failed; retrying", slog.String("error", err.Error()), slog.Duration("in", wait))
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		ob.Run(ctx, idx, time.Second, log)
	}
	st := search.NewStore(reads, idx, pg, log)
	return &searchSetup{
		store:  st,
		places: places,
		check:  idx.Health,
		text: func() httpapi.TextSearchStatus {
			return httpapi.TextSearchStatus{Index: httpapi.TextIndexMeilisearch, Ready: !st.Degraded()}
		},
		run: run,
	}, nil
}
