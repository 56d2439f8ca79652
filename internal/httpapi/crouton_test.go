package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/feed/bmlt"
)

// croutonDir is where `npm ci --prefix e2e/crouton` puts crouton.
var croutonDir = filepath.Join("..", "..", "e2e", "crouton", "node_modules", "@bmlt-enabled", "croutonjs")

// findChromium returns a headless-capable Chromium binary: $MF_CHROMIUM, or
// the first of chromium, chromium-browser, google-chrome on PATH.
func findChromium() string {
	if p := os.Getenv("MF_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needBrowser skips the test when Chromium or crouton is missing, or
// fails it when MF_REQUIRE_BROWSER=1 (as in CI, where .ci/run installs
// both).
func needBrowser(t *testing.T) string {
	t.Helper()
	chromium := findChromium()
	_, err := os.Stat(filepath.Join(croutonDir, "crouton.js"))
	var missing []string
	if chromium == "" {
		missing = append(missing, "Chromium (apt-get install chromium, or set MF_CHROMIUM)")
	}
	if err != nil {
		missing = append(missing, "crouton (npm ci --prefix e2e/crouton)")
	}
	if len(missing) > 0 {
		msg := "browser test needs " + strings.Join(missing, " and ")
		if os.Getenv("MF_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + "; MF_REQUIRE_BROWSER=1 makes this a failure")
		}
		t.Skip(msg)
	}
	return chromium
}

// tilePNG is a 1×1 transparent PNG served for every map tile, so that the
// map draws without reaching a tile server.
var tilePNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

// croutonPage is an HTML page that loads crouton from /crouton/ and starts
// it with config (JSON) on our /bmlt root server. start is the JavaScript
// that runs after construction. When crouton reports completion the page
// adds <div id="mf-done">.
const croutonPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>crouton</title>
<link rel="stylesheet" href="/crouton/crouton.css">
<script src="/crouton/crouton.js"></script>
</head><body>
<div id="bmlt-tabs"></div>
<script>
var config = %s;
config.on_complete = function() { var d = document.createElement("div"); d.id = "mf-done"; document.body.appendChild(d); };
window.onerror = function(msg) { var d = document.createElement("div"); d.id = "mf-error"; d.textContent = msg; document.body.appendChild(d); };
var crouton = new Crouton(config);
%s
</script>
</body></html>`

// TestCroutonRendersOurMeetings points crouton (the BMLT meeting-list
// widget) at our BMLT API in headless Chromium, in its table mode and its
// map-search mode, and looks for our meetings in the rendered page. Map
// tiles come from the test server; nothing leaves the machine.
func TestCroutonRendersOurMeetings(t *testing.T) {
	chromium := needBrowser(t)
	e := newFeedEnv(t)
	abs, err := filepath.Abs(croutonDir)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	mux := http.NewServeMux()
	mux.Handle("/crouton/", http.StripPrefix("/crouton/", http.FileServer(http.Dir(abs))))
	mux.HandleFunc("/tiles/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(tilePNG)
	})
	mux.HandleFunc("/page/", func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[strings.TrimPrefix(r.URL.Path, "/page/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, p)
	})
	mux.Handle("/", e.srv)
	ts := httptest.NewServer(mux)
	defer ts.Close()

	page := func(name string, config map[string]any, start string) {
		config["root_server"] = ts.URL + "/bmlt"
		config["template_path"] = "/crouton/templates"
		config["tileUrl"] = ts.URL + "/tiles/{z}/{x}/{y}.png"
		config["nominatimUrl"] = ts.URL + "/nominatim/"
		b, _ := json.Marshal(config)
		pages[name] = fmt.Sprintf(croutonPage, b, start)
	}
	page("table.html", map[string]any{
		"service_body":           []string{bmlt.ServiceBodyID("nyc-intergroup")},
		"recurse_service_bodies": true,
		"extra_meetings":         []int64{e.ids["London Thursday"]},
		"has_days":               true,
	}, "crouton.render();")
	page("map.html", map[string]any{
		"map_search": map[string]any{"latitude": 40.75, "longitude": -73.98, "width": -2, "zoom": 12, "coordinates_search": true},
	}, "")

	for _, c := range []struct {
		page    string
		want    []string
		notWant []string
	}{
		{"table.html", []string{"Downtown Big Book", "Sunrise Online", "Harbor Hybrid", "London Thursday"}, []string{"Brooklyn Step Study"}},
		// The two nearest meetings that are not virtual.
		{"map.html", []string{"Downtown Big Book", "Harbor Hybrid"}, []string{"Sunrise Online", "Brooklyn Step Study", "London Thursday"}},
	} {
		t.Run(strings.TrimSuffix(c.page, ".html"), func(t *testing.T) {
			dom := dumpDOM(t, chromium, ts.URL+"/page/"+c.page)
			if !strings.Contains(dom, `<div id="mf-done">`) {
				t.Errorf("crouton did not report completion (on_complete)")
			}
			if i := strings.Index(dom, `<div id="mf-error">`); i >= 0 {
				t.Errorf("JavaScript error on the page: %.300s", dom[i:])
			}
			for _, name := range c.want {
				if !strings.Contains(dom, name) {
					t.Errorf("the rendered page does not show %q", name)
				}
			}
			for _, name := range c.notWant {
				if strings.Contains(dom, name) {
					t.Errorf("the rendered page shows %q, which the query excludes", name)
				}
			}
			if t.Failed() {
				t.Logf("DOM (%d bytes): %.3000s", len(dom), dom)
			}
		})
	}
}

// dumpDOM loads url in headless Chromium and returns the DOM once the
// page's scripts have run (virtual time lets timers and network settle).
// Every host name other than 127.0.0.1 resolves to nothing.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=20000", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}
