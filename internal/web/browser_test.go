package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
// holding 3000 demo meetings, with map tiles served locally.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	if err := postgres.NewMeetingStore(db).InsertMeetings(ctx, demo.Generate(1, 3000)); err != nil {
		t.Fatalf("load demo meetings: %v", err)
	}
	api := httpapi.New(httpapi.Config{Store: postgres.NewMeetingStore(db), Ready: db.CheckSchema, Logger: discardLogger()})
	tile := tilePNG(t)
	api.Engine().GET("/test-tiles/:z/:x/:y", func(c *gin.Context) { c.Data(http.StatusOK, "image/png", tile) })
	web.Mount(api.Engine(), web.Config{TileURL: "/test-tiles/{z}/{x}/{y}.png", TileAttribution: "Test tiles"})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv
}

// recorder keeps every request the page makes and every console error.
type recorder struct {
	mu       sync.Mutex
	requests []string
	errors   []string
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
			r.errors = append(r.errors, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

func (r *recorder) snapshot() (requests, errs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...), append([]string(nil), r.errors...)
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
	srv := newServer(t)
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
			run(t, ctx, tc.name, tc.do)
			waitQuery(t, ctx, tc.want, tc.absent)
			if tc.page != "" {
				k, v, _ := strings.Cut(tc.page, "=")
				if got := pageQuery(t, ctx).Get(k); got != v {
					t.Errorf("%s: address bar %s = %q, want %q", tc.name, k, got, v)
				}
			}
		}
		// Sorted by distance, the list is in ascending distance order.
		if ok := eval[bool](t, ctx, `(() => { const ms = [...document.querySelectorAll('#list .meta')].length; return ms > 0; })()`); !ok {
			t.Error("no meetings after clearing the filters")
		}
		// The online filter shows only online or hybrid meetings.
		run(t, ctx, "online again", chromedp.Click(chromedp.CSS(`label[for=att-online]`)))
		waitQuery(t, ctx, []string{"attendance=online,hybrid"}, nil)
		if bad := eval[int](t, ctx, `[...document.querySelectorAll('#list .badge.kind')].filter(b => !/Online|Hybrid/.test(b.textContent)).length`); bad != 0 {
			t.Errorf("%d meetings listed under online that are neither online nor hybrid", bad)
		}
		run(t, ctx, "any attendance", chromedp.Click(chromedp.CSS(`label[for=att-any]`)))
		waitQuery(t, ctx, []string{"attendance=in_person,hybrid,online"}, nil)
	})

	t.Run("meeting", func(t *testing.T) {
		id := eval[string](t, ctx, `document.querySelector('#list > li a').dataset.id`)
		name := eval[string](t, ctx, `document.querySelector('#list > li a').textContent`)
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
		if resp, err := http.Get(srv.URL + href); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if !strings.Contains(string(body), "BEGIN:VCALENDAR") {
					t.Errorf("GET %s: not an iCalendar file: %.200s", href, body)
				}
			} else {
				t.Logf("GET %s: %d (the .ics route is not on this server yet; link checked only)", href, resp.StatusCode)
			}
		}
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
			run(t, ctx, "open a cluster", chromedp.Click(chromedp.CSS(`#map .mf-cluster`)), chromedp.Sleep(500*time.Millisecond))
			t.Logf("clusters before zoom %d, after %d", before, eval[int](t, ctx, `document.querySelectorAll('#map .mf-cluster').length`))
		}
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

	// Nothing left 127.0.0.1 and nothing went to the console.
	reqs, errs := rec.snapshot()
	for _, r := range reqs {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
			t.Errorf("request left 127.0.0.1: %s", r)
		}
	}
	for _, e := range errs {
		t.Errorf("console: %s", e)
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
