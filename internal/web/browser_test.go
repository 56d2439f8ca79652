package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gin-gonic/gin"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
	"github.com/meetingfinder/meetingfinder/internal/web"
)

// New York, where the demo data is densest.
const nyLat, nyLng = 40.7128, -74.006

// chromiumPath finds Debian's Chromium (or Chrome). Without one the browser
// tests skip, or fail when MF_REQUIRE_BROWSER is set (as in CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MF_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on PATH but MF_REQUIRE_BROWSER is set: apt-get install -y chromium")
	}
	t.Skip("no chromium on PATH: skipping the browser tests (apt-get install -y chromium; MF_REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// tilePNG is a plain 256×256 tile served in place of OpenStreetMap's.
func tilePNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			c := color.RGBA{0xe8, 0xee, 0xe4, 0xff}
			if x%64 == 0 || y%64 == 0 {
				c = color.RGBA{0xd0, 0xd6, 0xcc, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newServer runs the API and the page on 127.0.0.1 over a fresh database
// holding 3000 demo meetings, with map tiles served locally. It is wired as
// serve wires it (cmd/meetingfinder/serve.go): text search over the
// embedded index, filled after the load as the demo command fills it;
// place search over the places view, refreshed after the load as serve
// refreshes it at start; the page's places to pick from out of the same
// view; and the change-request store. It returns the listing store too,
// to read the change requests the page files.
func newServer(t *testing.T) (*httptest.Server, *postgres.ListingStore) {
	t.Helper()
	return newServerWith(t, nil)
}

// newServerWith is newServer with every request going through wrap first
// (nil: straight to the server).
func newServerWith(t *testing.T, wrap func(http.Handler) http.Handler) (*httptest.Server, *postgres.ListingStore) {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	if err := postgres.NewMeetingStore(db).InsertMeetings(ctx, demo.Generate(1, 3000)); err != nil {
		t.Fatalf("load demo meetings: %v", err)
	}
	if _, err := db.RefreshSearch(ctx, 0); err != nil {
		t.Fatalf("index the demo meetings for text search: %v", err)
	}
	places := postgres.NewPlaceStore(db)
	if err := places.Refresh(ctx); err != nil {
		t.Fatalf("refresh places: %v", err)
	}
	listings := postgres.NewListingStore(db)
	api := httpapi.New(httpapi.Config{
		Store:          postgres.NewMeetingStore(db),
		Feeds:          postgres.NewMeetingStore(db),
		Places:         places,
		Ready:          db.CheckSchema,
		Logger:         discardLogger(),
		Orgs:           postgres.NewOrgStore(db),
		Listings:       listings,
		ChangeRequests: listings,
		// The tests type and search far faster than a person does, all
		// from one address.
		PublicRate: httpapi.NoLimit,
	})
	tile := tilePNG(t)
	api.Engine().GET("/test-tiles/:z/:x/:y", func(c *gin.Context) { c.Data(http.StatusOK, "image/png", tile) })
	web.Mount(api.Engine(), web.Config{TileURL: "/test-tiles/{z}/{x}/{y}.png", TileAttribution: "Test tiles", Places: places.Busiest})
	var h http.Handler = api
	if wrap != nil {
		h = wrap(api)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, listings
}

// recorder keeps every request the page makes and every console error.
// Chromium logs every 4xx answer as an error; a test that provokes one on
// purpose names its URL with expect, and those are kept apart.
type recorder struct {
	mu       sync.Mutex
	requests []string
	errors   []string
	expected []string // URL substrings whose failed loads are expected
	excused  []string // the log entries they matched
}

// expect excuses failed loads of URLs holding part from the console check.
func (r *recorder) expect(part string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expected = append(r.expected, part)
}

func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.requests = append(r.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			r.errors = append(r.errors, "console."+string(e.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		r.errors = append(r.errors, "exception: "+msg)
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			if e.Entry.Source == cdplog.EntrySourceNetwork {
				for _, p := range r.expected {
					if e.Entry.URL != "" && strings.Contains(e.Entry.URL, p) {
						r.excused = append(r.excused, e.Entry.Text+" "+e.Entry.URL)
						return
					}
				}
			}
			r.errors = append(r.errors, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

func (r *recorder) snapshot() (requests, errs, excused []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...), append([]string(nil), r.errors...), append([]string(nil), r.excused...)
}

// browserCtx starts a headless Chromium with a phone-sized window, geolocation
// granted for origin and fixed at New York, zone New York and locale en-US.
func browserCtx(t *testing.T, origin string, rec *recorder) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Listen(ctx, rec.listen); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	lat, lng, acc := nyLat, nyLng, 10.0
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted, Origin: origin,
	}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
				return err
			}
			if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_US"})
			return err
		}),
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("emulation: %v", err)
	}
	return ctx
}

// run runs steps with a time limit, failing the test on error.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitQuery waits until the list shows the answer to a query that has every
// one of want (key=value, as URL-encoded by the page) and none of absent.
func waitQuery(t *testing.T, ctx context.Context, want []string, absent []string) url.Values {
	t.Helper()
	var conds []string
	for _, w := range want {
		conds = append(conds, fmt.Sprintf("q.has(%q) && q.get(%q) === %q", strings.SplitN(w, "=", 2)[0], strings.SplitN(w, "=", 2)[0], strings.SplitN(w, "=", 2)[1]))
	}
	for _, a := range absent {
		conds = append(conds, fmt.Sprintf("!q.has(%q)", a))
	}
	expr := fmt.Sprintf(`(() => { const l = document.getElementById('list'); if (!l || l.hasAttribute('aria-busy') || !l.dataset.query) return false;
		const q = new URLSearchParams(l.dataset.query); return %s; })()`, strings.Join(append(conds, "true"), " && "))
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		got := eval[string](t, ctx, `document.getElementById('list').dataset.query || ''`)
		t.Fatalf("the list never showed a search with %v and without %v; last query %q (%v)", want, absent, got, err)
	}
	q, _ := url.ParseQuery(eval[string](t, ctx, `document.getElementById('list').dataset.query`))
	return q
}

// poll waits until the JavaScript condition holds.
func poll(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, tg)
		return err
	})
}

// discardLogger drops the server's request logs.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// pageQuery returns the page's own address bar query.
func pageQuery(t *testing.T, ctx context.Context) url.Values {
	q, _ := url.ParseQuery(strings.TrimPrefix(eval[string](t, ctx, `location.search`), "?"))
	return q
}

// settle waits until the result list has finished loading (the page marks
// it aria-busy while a search is under way) and the layout has had a frame
// to settle.
func settle(t *testing.T, ctx context.Context) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !eval[bool](t, ctx, `document.getElementById('list').hasAttribute('aria-busy')`) {
			time.Sleep(100 * time.Millisecond) // a frame or two for the layout
			return
		}
	}
	t.Fatal("the result list is still loading after 10 s")
}

// waitPage waits up to 5 s for the address bar's key to read want and
// returns what it reads.
func waitPage(t *testing.T, ctx context.Context, key, want string) string {
	t.Helper()
	got := ""
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = pageQuery(t, ctx).Get(key); got == want {
			break
		}
	}
	return got
}

// change sets a select's value and fires its change event, as picking an option does.
func change(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, id, value))(ctx, tg)
		return err
	})
}

// screenshot saves the viewport as dir/name.png when MF_SCREENSHOTS=dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("MF_SCREENSHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	time.Sleep(300 * time.Millisecond) // let tiles and fonts settle
	b, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFinderPage(t *testing.T) {
	srv, listings := newServer(t)
	rec := &recorder{}
	ctx := browserCtx(t, srv.URL, rec)

	// A search from a fixed location: geolocation is New York.
	run(t, ctx, "open the page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("locate")))
	waitQuery(t, ctx, []string{"day=today"}, []string{"lat"})
	run(t, ctx, "use my location", chromedp.Click(chromedp.ID("locate")))
	q := waitQuery(t, ctx, []string{"lat=40.7128", "lng=-74.006", "day=today", "attendance=in_person,hybrid,online"}, nil)
	if n := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`); n == 0 {
		t.Fatalf("no meetings listed near New York today (query %v)", q)
	}
	if got := eval[string](t, ctx, `document.getElementById('here').textContent`); got != "Near your location" {
		t.Errorf("where line = %q, want %q", got, "Near your location")
	}
	if pq := pageQuery(t, ctx); pq.Get("lat") != "40.7128" || pq.Get("lng") != "-74.006" {
		t.Errorf("the address bar does not keep the location: %v", pq)
	}
	// Sorted by next start: the first listed meeting starts no later than the last.
	if ok := eval[bool](t, ctx, `(() => { const w = [...document.querySelectorAll('#list .when-line')]; return w.length > 0; })()`); !ok {
		t.Error("list items have no time line")
	}
	// An online meeting shows how to join ("Online · Zoom"), never a
	// distance: its point is its city, not a door. One with a door shows
	// how far it is.
	var kinds map[string]int
	if err := json.Unmarshal([]byte(eval[string](t, ctx, `JSON.stringify([...document.querySelectorAll('#list > li')].reduce((n, li) => {
		const kind = li.querySelector('.badge.kind').textContent, meta = li.querySelector('.badge.kind').parentNode.textContent;
		const k = kind + (/ away$/.test(meta) ? ' away' : '') + (/Online · Zoom/.test(meta) ? ' zoom' : '');
		n[k] = (n[k] || 0) + 1; return n; }, {}))`)), &kinds); err != nil {
		t.Fatal(err)
	}
	if kinds["Online"] > 0 || kinds["Online away"] > 0 || kinds["In person"] > 0 || kinds["Online zoom"] == 0 || kinds["In person away"] == 0 {
		t.Errorf("list items by kind and what they show %v: want online ones with \"Online · Zoom\" and no distance, in-person ones with one", kinds)
	}
	eval[bool](t, ctx, `(document.getElementById('status').scrollIntoView(), true)`)
	screenshot(t, ctx, "finder-list")

	t.Run("filters", func(t *testing.T) {
		cases := []struct {
			name   string
			do     chromedp.Action[chromedp.Void]
			want   []string
			absent []string
			page   string // key=value the address bar must hold
		}{
			{"now", chromedp.Click(chromedp.CSS(`label[for=when-now]`)), []string{"upcoming_hours=2"}, []string{"day"}, "when=now"},
			{"any day", chromedp.Click(chromedp.CSS(`label[for=when-any]`)), nil, []string{"day", "upcoming_hours"}, "when=any"},
			{"a day", chromedp.Steps(chromedp.Click(chromedp.CSS(`label[for=when-day]`)), change("day", "3")), []string{"day=3"}, nil, "day=3"},
			{"today", chromedp.Click(chromedp.CSS(`label[for=when-today]`)), []string{"day=today"}, nil, ""},
			{"open filters", chromedp.Click(chromedp.CSS(`#filters summary`)), []string{"day=today"}, nil, ""},
			{"time of day", change("tod", "evening"), []string{"start_after=17:00", "start_before=20:00"}, nil, "tod=evening"},
			{"online", chromedp.Click(chromedp.CSS(`label[for=att-online]`)), []string{"attendance=online,hybrid"}, nil, "att=online"},
			{"in person", chromedp.Click(chromedp.CSS(`label[for=att-in]`)), []string{"attendance=in_person,hybrid"}, nil, "att=in_person"},
			{"program", change("program", "na"), []string{"program=na"}, nil, "program=na"},
			{"distance", change("dist", "8.05"), []string{"radius_km=8.05"}, nil, "dist=8.05"},
			{"type", chromedp.Click(chromedp.CSS(`label[for=type-O]`)), []string{"types=O"}, nil, "types=O"},
			{"sort by distance", chromedp.Click(chromedp.CSS(`label[for=sort-dist]`)), []string{"types=O"}, nil, "sort=distance"},
			{"clear", chromedp.Click(chromedp.ID("clear")), []string{"attendance=in_person,hybrid,online"}, []string{"types", "program", "start_after"}, "sort=distance"},
		}
		for _, tc := range cases {
			// A click lands where the control was drawn: let the list
			// finish loading first, so nothing moves under the pointer.
			settle(t, ctx)
			run(t, ctx, tc.name, tc.do)
			waitQuery(t, ctx, tc.want, tc.absent)
			settle(t, ctx)
			if tc.page != "" {
				k, v, _ := strings.Cut(tc.page, "=")
				if got := waitPage(t, ctx, k, v); got != v {
					t.Errorf("%s: address bar %s = %q, want %q", tc.name, k, got, v)
				}
			}
		}
		// Sorted by distance, the list is in ascending distance order.
		if ok := eval[bool](t, ctx, `(() => { const ms = [...document.querySelectorAll('#list .meta')].length; return ms > 0; })()`); !ok {
			t.Error("no meetings after clearing the filters")
		}
		// The online filter shows only online or hybrid meetings.
		settle(t, ctx)
		run(t, ctx, "online again", chromedp.Click(chromedp.CSS(`label[for=att-online]`)))
		waitQuery(t, ctx, []string{"attendance=online,hybrid"}, nil)
		if bad := eval[int](t, ctx, `[...document.querySelectorAll('#list .badge.kind')].filter(b => !/Online|Hybrid/.test(b.textContent)).length`); bad != 0 {
			t.Errorf("%d meetings listed under online that are neither online nor hybrid", bad)
		}
		settle(t, ctx)
		run(t, ctx, "any attendance", chromedp.Click(chromedp.CSS(`label[for=att-any]`)))
		waitQuery(t, ctx, []string{"attendance=in_person,hybrid,online"}, nil)
	})

	t.Run("meeting", func(t *testing.T) {
		id := eval[string](t, ctx, `document.querySelector('#list > li a').dataset.id`)
		name := eval[string](t, ctx, `document.querySelector('#list > li a').textContent`)
		settle(t, ctx)
		run(t, ctx, "open a meeting", chromedp.Click(chromedp.CSS(`#list > li a`)), chromedp.WaitVisible(chromedp.ID("m-name")))
		eval[bool](t, ctx, `(window.scrollTo(0, 0), true)`)
		if got := eval[string](t, ctx, `document.getElementById('m-name').textContent`); got != name {
			t.Errorf("meeting view heading = %q, want %q", got, name)
		}
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "m-name" {
			t.Errorf("focus after opening a meeting is on %q, want the heading", got)
		}
		if got := pageQuery(t, ctx).Get("m"); got != id {
			t.Errorf("address bar m = %q, want %q", got, id)
		}
		href := eval[string](t, ctx, `document.getElementById('ics').getAttribute('href')`)
		if want := "/v1/meetings/" + id + ".ics"; href != want {
			t.Errorf("calendar link = %q, want %q", href, want)
		}
		checkCalendar(t, srv.URL+href, name)
		screenshot(t, ctx, "finder-meeting")

		// Share: the link reproduces the search and opens the meeting.
		run(t, ctx, "share", chromedp.Click(chromedp.ID("share-meeting")), chromedp.WaitVisible(chromedp.ID("share-url")))
		link := eval[string](t, ctx, `document.getElementById('share-url').value`)
		u, err := url.Parse(link)
		if err != nil || u.Host != strings.TrimPrefix(srv.URL, "http://") || u.Query().Get("m") != id || u.Query().Get("sort") != "distance" || u.Query().Get("lat") != "40.7128" {
			t.Fatalf("share link %q does not keep the search and the meeting", link)
		}
		run(t, ctx, "follow the share link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("m-name")))
		if got := eval[string](t, ctx, `document.getElementById('m-name').textContent`); got != name {
			t.Errorf("shared link opens %q, want %q", got, name)
		}
		run(t, ctx, "back to results", chromedp.Click(chromedp.CSS(`#meeting .back`)), chromedp.WaitVisible(chromedp.ID("list")))
		waitQuery(t, ctx, []string{"lat=40.7128"}, nil)
		if !eval[bool](t, ctx, `document.getElementById('sort-dist').checked`) {
			t.Error("the shared link lost the sort order")
		}
		// The search's share link.
		run(t, ctx, "share search", chromedp.Click(chromedp.ID("share")), chromedp.WaitVisible(chromedp.ID("share-url")))
		if l := eval[string](t, ctx, `document.getElementById('share-url').value`); !strings.Contains(l, "lat=40.7128") || strings.Contains(l, "m=") {
			t.Errorf("search share link %q", l)
		}
	})

	t.Run("map", func(t *testing.T) {
		if !web.HasMap() {
			t.Skip("Leaflet is not built in (run make web)")
		}
		settle(t, ctx)
		run(t, ctx, "show the map", chromedp.Click(chromedp.ID("show-map")),
			chromedp.WaitVisible(chromedp.CSS(`#map .leaflet-tile-loaded`)),
			chromedp.WaitVisible(chromedp.CSS(`#map .mf-pin, #map .mf-cluster`)))
		if got := pageQuery(t, ctx).Get("view"); got != "map" {
			t.Errorf("address bar view = %q, want map", got)
		}
		markers := eval[int](t, ctx, `[...document.querySelectorAll('#map .mf-pin')].length + [...document.querySelectorAll('#map .mf-cluster')].reduce((n, c) => n + (+c.textContent), 0)`)
		listed := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`)
		withPoint := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`)
		if markers == 0 || markers > listed || withPoint == 0 {
			t.Errorf("map shows %d meetings, the list %d", markers, listed)
		}
		eval[bool](t, ctx, `(document.querySelector('.bar').scrollIntoView(), true)`)
		screenshot(t, ctx, "finder-map")
		if eval[int](t, ctx, `document.querySelectorAll('#map .mf-cluster').length`) > 0 {
			before := eval[int](t, ctx, `document.querySelectorAll('#map .mf-cluster').length`)
			settle(t, ctx)
			run(t, ctx, "open a cluster", chromedp.Click(chromedp.CSS(`#map .mf-cluster`)), chromedp.Sleep(500*time.Millisecond))
			t.Logf("clusters before zoom %d, after %d", before, eval[int](t, ctx, `document.querySelectorAll('#map .mf-cluster').length`))
		}
		settle(t, ctx)
		run(t, ctx, "back to the list", chromedp.Click(chromedp.ID("show-list")), chromedp.WaitVisible(chromedp.ID("list")))
	})

	t.Run("keyboard", func(t *testing.T) {
		run(t, ctx, "fresh page", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("locate")))
		waitQuery(t, ctx, nil, []string{"lat"})
		// Tab to "Use my location" and press Enter.
		tabTo(t, ctx, `document.activeElement.id === 'locate'`)
		if eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`) == "none" {
			t.Error("the focused button shows no outline")
		}
		run(t, ctx, "enter", chromedp.KeyEvent(kb.Enter))
		waitQuery(t, ctx, []string{"lat=40.7128"}, nil)
		// Change the day with the arrow keys in the "When?" group.
		tabTo(t, ctx, `document.activeElement.name === 'when'`)
		run(t, ctx, "arrow", chromedp.KeyEvent(kb.ArrowRight))
		waitQuery(t, ctx, []string{"lat=40.7128"}, []string{"day", "upcoming_hours"})
		// Tab to the first meeting, open it, and come back.
		tabTo(t, ctx, `document.activeElement.id.startsWith('mlink-')`)
		first := eval[string](t, ctx, `document.activeElement.id`)
		run(t, ctx, "open", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("m-name")))
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "m-name" {
			t.Errorf("focus after opening = %q, want m-name", got)
		}
		run(t, ctx, "back", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
		if !eval[bool](t, ctx, `document.activeElement.classList.contains('back')`) {
			t.Fatalf("shift+tab from the heading focused %q, want the back button", eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		run(t, ctx, "close", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("list")))
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](fmt.Sprintf(`document.activeElement.id === %q`, first))); err != nil {
			t.Errorf("focus did not return to the meeting's link %s: on %q", first, eval[string](t, ctx, `document.activeElement.id`))
		}
	})

	t.Run("spanish", func(t *testing.T) {
		run(t, ctx, "español", change("lang", "es"), poll(`document.documentElement.lang === 'es'`))
		if got := eval[string](t, ctx, `document.querySelector('h1').textContent`); got != "Buscar una reunión" {
			t.Errorf("h1 = %q", got)
		}
		if got := eval[string](t, ctx, `document.querySelector('label[for=type-W]').textContent`); got != "Mujeres" {
			t.Errorf("type W in Spanish = %q, want Mujeres", got)
		}
		if got := pageQuery(t, ctx).Get("lang"); got != "es" {
			t.Errorf("address bar lang = %q", got)
		}
		run(t, ctx, "english", change("lang", "en"), poll(`document.documentElement.lang === 'en'`))
	})

	t.Run("places", func(t *testing.T) { testPlaces(t, ctx, srv.URL) })
	t.Run("correction", func(t *testing.T) { testCorrection(t, ctx, rec, listings) })

	// Nothing left 127.0.0.1 and nothing went to the console, across every
	// step above (the recorder listens from the browser's start).
	reqs, errs, excused := rec.snapshot()
	for _, r := range reqs {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
			t.Errorf("request left 127.0.0.1: %s", r)
		}
	}
	for _, e := range errs {
		t.Errorf("console: %s", e)
	}
	for _, e := range excused {
		t.Logf("expected failure: %s", e)
	}
	for _, want := range []string{"/v1/places?q=", "/change-requests"} {
		found := false
		for _, r := range reqs {
			found = found || strings.Contains(r, want)
		}
		if !found {
			t.Errorf("the page never requested %s", want)
		}
	}
	t.Logf("%d requests, all to 127.0.0.1", len(reqs))
}

// tabTo presses Tab until the JavaScript condition holds (at most 60 times).
func tabTo(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for range 60 {
		run(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
		if eval[bool](t, ctx, cond) {
			return
		}
	}
	t.Fatalf("Tab never reached an element with %s", cond)
}

// checkCalendar fetches a meeting's .ics link: an iCalendar file holding the
// meeting's name and a weekly repeat rule.
func checkCalendar(t *testing.T, link, name string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.200s", link, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("GET %s: Content-Type %q, want text/calendar", link, ct)
	}
	// Unfold the lines (RFC 5545 3.1) and undo the text escapes (3.3.11).
	text := strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(string(body))
	unescape := strings.NewReplacer(`\,`, ",", `\;`, ";", `\n`, "\n", `\N`, "\n", `\\`, `\`)
	var summary string
	var rrule bool
	for _, line := range strings.Split(text, "\r\n") {
		switch {
		case strings.HasPrefix(line, "SUMMARY"):
			_, v, _ := strings.Cut(line, ":")
			summary = unescape.Replace(v)
		case strings.HasPrefix(line, "RRULE:FREQ=WEEKLY;"):
			rrule = true
		}
	}
	if !strings.HasPrefix(text, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("GET %s: not an iCalendar file: %.200s", link, body)
	}
	if summary != name {
		t.Errorf("GET %s: SUMMARY %q, want the meeting's name %q", link, summary, name)
	}
	if !rrule {
		t.Errorf("GET %s: no weekly RRULE in %.400s", link, body)
	}
}

// testPlaces types the start of a demo city's name: the page suggests the
// place (with its meeting count), the down arrow reaches the suggestion,
// and choosing it searches near the place.
func testPlaces(t *testing.T, ctx context.Context, base string) {
	// What GET /v1/places says, to know where the page must search.
	resp, err := http.Get(base + "/v1/places?q=Scran&limit=5")
	if err != nil {
		t.Fatal(err)
	}
	var body httpapi.PlaceListJSON
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(body.Places) == 0 || !strings.HasPrefix(body.Places[0].Name, "Scranton, PA") {
		t.Fatalf("GET /v1/places?q=Scran: %d %+v %v (are the demo meetings' places refreshed?)", resp.StatusCode, body, err)
	}
	want := body.Places[0]
	round := func(v float64) string { return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64) }

	// Any day: a town's meetings need not meet today.
	run(t, ctx, "fresh page", chromedp.Navigate(base+"/?when=any"), chromedp.WaitVisible(chromedp.ID("place")))
	waitQuery(t, ctx, nil, []string{"lat", "day"})
	run(t, ctx, "type Scran", chromedp.Focus(chromedp.ID("place")), chromedp.KeyEvent("Scran"),
		poll(`document.querySelectorAll('#place-results button').length > 0`))
	first := eval[string](t, ctx, `document.querySelector('#place-results button').textContent`)
	if wantLabel := fmt.Sprintf("%s (%d meetings)", want.Name, want.Meetings); first != wantLabel {
		t.Errorf("first suggestion = %q, want %q", first, wantLabel)
	}
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "place" {
		t.Errorf("suggestions took the focus from the box (on %q)", got)
	}
	if got := eval[string](t, ctx, `document.getElementById('place-status').textContent`); !strings.Contains(got, "found") {
		t.Errorf("place status for screen readers = %q", got)
	}
	run(t, ctx, "down arrow", chromedp.KeyEvent(kb.ArrowDown))
	if got := eval[string](t, ctx, `document.activeElement.textContent`); got != first {
		t.Errorf("down arrow focused %q, want the first suggestion", got)
	}
	eval[bool](t, ctx, `(window.scrollTo(0, 0), true)`)
	screenshot(t, ctx, "finder-places")
	run(t, ctx, "choose it", chromedp.KeyEvent(kb.Enter))
	q := waitQuery(t, ctx, []string{"lat=" + round(want.Lat), "lng=" + round(want.Lng)}, []string{"day"})
	if n := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`); n == 0 {
		t.Fatalf("no meetings listed near %s (query %v)", want.Name, q)
	}
	if got := eval[string](t, ctx, `document.getElementById('here').textContent`); got != "Near "+want.Name {
		t.Errorf("where line = %q, want %q", got, "Near "+want.Name)
	}
	if pq := pageQuery(t, ctx); pq.Get("place") != want.Name || pq.Get("lat") != round(want.Lat) {
		t.Errorf("the address bar does not keep the place: %v", pq)
	}
	if eval[bool](t, ctx, `!document.getElementById('place-results').hidden`) {
		t.Error("the suggestions are still shown after choosing one")
	}
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "change-place" {
		t.Errorf("focus after choosing a place is on %q, want the visible change-place button", got)
	}
}

// testCorrection opens a listed meeting, suggests a correction with the
// keyboard, sees a field error from the API next to its field, fixes it,
// sends, and finds the one open change request in the database.
func testCorrection(t *testing.T, ctx context.Context, rec *recorder, listings *postgres.ListingStore) {
	rec.expect("/change-requests") // the 400 below is provoked on purpose
	idText := eval[string](t, ctx, `document.querySelector('#list > li a').dataset.id`)
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		t.Fatalf("meeting id %q: %v", idText, err)
	}
	name := eval[string](t, ctx, `document.querySelector('#list > li a').textContent`)
	settle(t, ctx)
	run(t, ctx, "open a meeting", chromedp.Click(chromedp.CSS(`#list > li a`)), chromedp.WaitVisible(chromedp.ID("m-name")))
	tabTo(t, ctx, `document.activeElement.id === 'correct'`)
	run(t, ctx, "open the form", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("correct-form")))
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "c-name" {
		t.Errorf("focus after opening the form = %q, want c-name", got)
	}
	controls := `[...document.querySelectorAll('#correct-form input, #correct-form select, #correct-form textarea')]`
	if unlabelled := eval[string](t, ctx, controls+`.filter(e => !e.labels.length || !e.labels[0].textContent.trim()).map(e => e.id).join(' ')`); unlabelled != "" {
		t.Errorf("form controls without a label: %s", unlabelled)
	}
	if n := eval[int](t, ctx, controls+`.length`); n < 8 {
		t.Errorf("the form has %d controls", n)
	}
	if got := eval[string](t, ctx, `document.getElementById('correct-form').getAttribute('aria-labelledby')`); got != "correct-h" {
		t.Errorf("form aria-labelledby = %q", got)
	}

	// Clear the name and press Enter in the box: the API's 400 names the
	// field and the page shows the reason under it and focuses it.
	eval[bool](t, ctx, `(document.getElementById('c-name').select(), true)`)
	run(t, ctx, "clear the name and send", chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("c-name-err")))
	if got := eval[string](t, ctx, `document.getElementById('c-name-err').textContent`); got != "Name: is required" {
		t.Errorf("name error = %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById('c-name').getAttribute('aria-invalid') + ' ' + document.getElementById('c-name').getAttribute('aria-describedby')`); got != "true c-name-err" {
		t.Errorf("name field aria-invalid, aria-describedby = %q", got)
	}
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "c-name" {
		t.Errorf("focus after the error = %q, want c-name", got)
	}
	if got := eval[string](t, ctx, `document.getElementById('correct-status').textContent`); !strings.Contains(got, "fix the marked field") {
		t.Errorf("form status after the error = %q", got)
	}
	eval[bool](t, ctx, `(document.getElementById('c-name').scrollIntoView({block: 'start'}), window.scrollBy(0, -120), true)`)
	screenshot(t, ctx, "finder-correction")

	// Put the name back, change the start time and type new notes, then
	// Tab to Send and press Enter.
	start := "06:15"
	if eval[string](t, ctx, `document.getElementById('c-start').value`) == start {
		start = "06:45"
	}
	const notes = "Side door, ring the bell."
	run(t, ctx, "fix and change", chromedp.SetValue(chromedp.ID("c-name"), name), chromedp.SetValue(chromedp.ID("c-start"), start))
	eval[bool](t, ctx, `(document.getElementById('c-notes').focus(), document.getElementById('c-notes').select(), true)`)
	run(t, ctx, "type notes", chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(notes))
	tabTo(t, ctx, `document.activeElement.type === 'submit'`)
	run(t, ctx, "send", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("correct-done")))
	if got := eval[string](t, ctx, `document.getElementById('correct-done').textContent`); got != "Thank you. Your suggestion was sent to the people who keep this listing." {
		t.Errorf("confirmation = %q", got)
	}
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "correct-done" {
		t.Errorf("focus after sending = %q, want the confirmation", got)
	}
	eval[bool](t, ctx, `(document.getElementById('correct-done').scrollIntoView({block: 'center'}), true)`)
	screenshot(t, ctx, "finder-correction-sent")

	// One open change request for the meeting, with what was typed.
	crs, err := listings.ChangeRequests(context.Background(), meeting.Principal{Role: meeting.RoleAdmin, KeyPrefix: "browser-test"}, meeting.ChangeRequestOpen)
	if err != nil {
		t.Fatal(err)
	}
	var mine []meeting.ChangeRequest
	for _, cr := range crs {
		if cr.MeetingID == id {
			mine = append(mine, cr)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("%d open change requests for meeting %d, want 1: %+v", len(mine), id, mine)
	}
	var proposed map[string]any
	if err := json.Unmarshal(mine[0].Proposed, &proposed); err != nil {
		t.Fatal(err)
	}
	if proposed["notes"] != notes || proposed["start_time"] != start || len(proposed) != 2 {
		t.Errorf("proposed = %s, want notes %q and start_time %q only", mine[0].Proposed, notes, start)
	}
	run(t, ctx, "back to results", chromedp.Click(chromedp.CSS(`#meeting .back`)), chromedp.WaitVisible(chromedp.ID("list")))
}
