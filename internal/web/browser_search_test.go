package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
)

// gate stands in front of the test server and, for chosen text queries of
// GET /v1/meetings, holds the answer until released or drops the
// connection without one. It reports each held request as it arrives and
// how it ended: the client went away (the page aborted it) or it was
// answered.
type gate struct {
	mu   sync.Mutex
	held map[string]chan struct{} // q → closed to let the answer go
	drop map[string]bool          // q → close the connection unanswered

	arrived  chan string // q of a held request, as it arrives
	gone     chan string // q of a held request whose client went away
	answered chan string // q of a held request, answered after release
}

// newGate returns a gate that holds and drops nothing yet.
func newGate(t *testing.T) *gate {
	g := &gate{
		held: map[string]chan struct{}{}, drop: map[string]bool{},
		arrived: make(chan string, 16), gone: make(chan string, 16), answered: make(chan string, 16),
	}
	// Let every held handler go before the server waits for them.
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		for q, c := range g.held {
			close(c)
			delete(g.held, q)
		}
	})
	return g
}

// hold makes the answers to q wait for release.
func (g *gate) hold(q string) (release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := make(chan struct{})
	g.held[q] = c
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.held[q] == c {
			close(c)
			delete(g.held, q)
		}
	}
}

// dropping sets whether requests for q lose their connection unanswered.
func (g *gate) dropping(q string, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.drop[q] = on
}

// wrap puts g in front of next.
func (g *gate) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if r.URL.Path != "/v1/meetings" || q == "" {
			next.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		release, held := g.held[q]
		drop := g.drop[q]
		g.mu.Unlock()
		if drop {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if held {
			g.arrived <- q
			select {
			case <-release:
			case <-r.Context().Done():
				g.gone <- q
				return
			}
		}
		next.ServeHTTP(w, r)
		if held {
			g.answered <- q
		}
	})
}

// receive waits up to d for c to give want, failing the test on another
// value or none.
func receive(t *testing.T, c <-chan string, want, what string, d time.Duration) {
	t.Helper()
	select {
	case got := <-c:
		if got != want {
			t.Fatalf("%s: got q %q, want %q", what, got, want)
		}
	case <-time.After(d):
		t.Fatalf("%s: nothing for q %q after %v", what, want, d)
	}
}

// Page-side probes. countFetches wraps window.fetch to keep every URL the
// page asks for, so a test can tell when a request was started (even one
// aborted before it reached the network); textFetches counts those to
// /v1/meetings with a q.
const (
	countFetches = `(() => { if (!window.__mf) { window.__mf = []; const f = window.fetch; window.fetch = function (u) { window.__mf.push(String(u)); return f.apply(this, arguments); }; } window.__mf.length = 0; return true; })()`
	textFetches  = `window.__mf.filter(u => u.startsWith('/v1/meetings?') && new URLSearchParams(u.split('?')[1]).has('q')).length`
	listIDs      = `[...document.querySelectorAll('#list > li a')].map(a => a.dataset.id).join(' ')`
)

// setBox puts text in the search box without an input event, as if it
// was already there: only a key press can start its search.
func setBox(text string) string {
	return fmt.Sprintf(`(() => { const b = document.getElementById('q'); b.focus(); b.value = %q; return true; })()`, text)
}

// waitStatus waits up to 10 s for the status line to read want.
func waitStatus(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cond := fmt.Sprintf(`document.getElementById('status').textContent === %q`, want)
	if _, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("status = %q, want %q (%v)", eval[string](t, ctx, `document.getElementById('status').textContent`), want, err)
	}
}

// TestSearchAsYouType types into the finder page's search box and checks
// what the page asks the API and shows: a burst of typing makes one
// request (the debounce), Enter searches at once, the list keeps its
// meetings while an answer is awaited, an answer to a superseded search
// is aborted and never replaces a newer one, the API's order is kept,
// clearing the box brings back the list without text, a bad query or a
// failed connection is said in words, Show more pages text results, and
// a link with q reproduces the search.
func TestSearchAsYouType(t *testing.T) {
	g := newGate(t)
	srv, _ := newServerWith(t, g.wrap)
	rec := &recorder{}
	ctx := browserCtx(t, srv.URL, rec)

	// A shared link from New York, any day.
	base := srv.URL + "/?when=any&lat=40.7128&lng=-74.006"
	run(t, ctx, "open the page", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.ID("q")))
	nearby := waitQuery(t, ctx, []string{"lat=40.7128"}, []string{"q", "day"})
	nearbyQuery := eval[string](t, ctx, `document.getElementById('list').dataset.query`)
	if n := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`); n == 0 {
		t.Fatalf("no meetings near New York on any day (query %v)", nearby)
	}
	if got := eval[string](t, ctx, `document.getElementById('q').labels[0].textContent`); got != "Search meetings by name, place or type" {
		t.Errorf("search box label = %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById(document.getElementById('q').getAttribute('aria-describedby')).textContent`); !strings.Contains(got, "as you type") {
		t.Errorf("search box description = %q", got)
	}

	t.Run("debounce", func(t *testing.T) {
		eval[bool](t, ctx, countFetches)
		// Five changes in one task: no timer can run between them, so a
		// page that searched on every change would ask five times.
		if n := eval[int](t, ctx, `(() => { const b = document.getElementById('q'); b.focus();
			for (const v of ['s', 'se', 'ser', 'sere', 'serenity']) { b.value = v; b.dispatchEvent(new Event('input', {bubbles: true})); }
			return `+textFetches+`; })()`); n != 0 {
			t.Errorf("%d searches started while typing, want none before the pause", n)
		}
		q := waitQuery(t, ctx, []string{"q=serenity", "lat=40.7128"}, []string{"day"})
		if n := eval[int](t, ctx, textFetches); n != 1 {
			t.Errorf("typing s, se, ser, sere, serenity made %d searches, want 1: %s", n, eval[string](t, ctx, `window.__mf.join(' ')`))
		}
		if got := waitPage(t, ctx, "q", "serenity"); got != "serenity" {
			t.Errorf("address bar q = %q, want serenity", got)
		}
		// The list is in the API's order (best match, then nearest), not
		// re-sorted by start time.
		resp, err := http.Get(srv.URL + "/v1/meetings?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var body httpapi.MeetingListJSON
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/meetings?%s: %d %v", q.Encode(), resp.StatusCode, err)
		}
		if len(body.Meetings) < 2 {
			t.Fatalf("only %d meetings match serenity near New York: the order is not tested", len(body.Meetings))
		}
		var want []string
		for _, m := range body.Meetings {
			want = append(want, fmt.Sprint(m.ID))
		}
		if d := cmp.Diff(strings.Join(want, " "), eval[string](t, ctx, listIDs)); d != "" {
			t.Errorf("listed meetings are not in the API's order (-want +got):\n%s", d)
		}
		if got, want := eval[string](t, ctx, `document.getElementById('status').textContent`), fmt.Sprintf("%d meetings match “serenity”, best matches first.", len(body.Meetings)); got != want && body.NextCursor == nil {
			t.Errorf("status = %q, want %q", got, want)
		}
		if !eval[bool](t, ctx, `document.getElementById('sort').disabled`) {
			t.Error("the sort choice is still offered for text results")
		}
		eval[bool](t, ctx, `(document.getElementById('q').scrollIntoView({block: 'start'}), window.scrollBy(0, -60), true)`)
		screenshot(t, ctx, "finder-search")
	})

	t.Run("typing", func(t *testing.T) {
		// Real key presses: each pause of a debounce or longer between two
		// of them may start a search, and nothing else may.
		eval[bool](t, ctx, countFetches)
		eval[bool](t, ctx, `(() => { window.__keys = []; document.getElementById('q').addEventListener('input', () => window.__keys.push(performance.now())); return true; })()`)
		run(t, ctx, "type ' group'", chromedp.Focus(chromedp.ID("q")), chromedp.KeyEvent(" group"))
		waitQuery(t, ctx, []string{"q=serenity group"}, nil)
		pauses := eval[int](t, ctx, `(() => { const k = window.__keys; let n = 0; for (let i = 1; i < k.length; i++) if (k[i] - k[i-1] >= 145) n++; return n; })()`)
		n := eval[int](t, ctx, textFetches)
		t.Logf("typing ' group': %d searches, %d pauses of 145 ms or more between keys", n, pauses)
		if n > 1+pauses {
			t.Errorf("typing ' group' made %d searches with %d pauses between keys, want at most %d", n, pauses, 1+pauses)
		}
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "q" {
			t.Errorf("focus moved to %q while typing", got)
		}
	})

	t.Run("enter", func(t *testing.T) {
		// Enter starts the search in its own key press, with no pause.
		eval[bool](t, ctx, countFetches)
		if n := eval[int](t, ctx, `(() => { const b = document.getElementById('q'); b.value = 'big book';
			b.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true})); return `+textFetches+`; })()`); n != 1 {
			t.Errorf("Enter started %d searches at once, want 1", n)
		}
		waitQuery(t, ctx, []string{"q=big book"}, nil)
		// A real Enter on text put there without typing.
		eval[bool](t, ctx, setBox("step"))
		run(t, ctx, "enter", chromedp.KeyEvent(kb.Enter))
		waitQuery(t, ctx, []string{"q=step"}, nil)
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "q" {
			t.Errorf("focus after Enter = %q, want the box", got)
		}
		if eval[bool](t, ctx, `document.getElementById('where-pick').hidden === false && document.getElementById('place-results').hidden === false`) {
			t.Error("Enter in the search box looked for a place")
		}
	})

	// stale holds the answer to slow, asks for newer while it is held, and
	// checks that the list kept its meetings meanwhile and that the late
	// answer never replaces the newer one. aborts says whether the page
	// can abort (without AbortController only the sequence guard is left).
	stale := func(t *testing.T, slow, newer string, aborts bool) {
		before := eval[string](t, ctx, listIDs)
		if before == "" {
			t.Fatal("the list is empty before the slow search")
		}
		release := g.hold(slow)
		defer release()
		eval[bool](t, ctx, setBox(slow))
		run(t, ctx, "enter "+slow, chromedp.KeyEvent(kb.Enter))
		receive(t, g.arrived, slow, "held search", 10*time.Second)

		// While the answer is awaited the list keeps its meetings.
		if got := eval[string](t, ctx, listIDs); got != before {
			t.Errorf("the list changed while a search was under way:\nbefore %s\nduring %s", before, got)
		}
		if !eval[bool](t, ctx, `document.getElementById('list').hasAttribute('aria-busy')`) {
			t.Error("the list is not marked busy while a search is under way")
		}
		if got := eval[string](t, ctx, `document.getElementById('status').textContent`); got != "Searching…" {
			t.Errorf("status while searching = %q, want Searching…", got)
		}
		if got := eval[string](t, ctx, `document.activeElement.id`); got != "q" {
			t.Errorf("focus while searching = %q, want the box", got)
		}

		// A newer search while the old one is held.
		eval[bool](t, ctx, setBox(newer))
		run(t, ctx, "enter "+newer, chromedp.KeyEvent(kb.Enter))
		waitQuery(t, ctx, []string{"q=" + newer}, nil)
		shown := eval[string](t, ctx, listIDs)
		if aborts {
			receive(t, g.gone, slow, "superseded search aborted", 10*time.Second)
			release()
		} else {
			release()
			receive(t, g.answered, slow, "superseded search answered", 10*time.Second)
			// The answer is on its way to the page: it must not be shown.
			c, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			cond := fmt.Sprintf(`new URLSearchParams(document.getElementById('list').dataset.query || '').get('q') === %q`, slow)
			if _, err := chromedp.Run(c, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(20*time.Millisecond))); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the late answer to %q replaced the list for %q (%v)", slow, newer, err)
			}
		}
		if got := eval[string](t, ctx, listIDs); got != shown {
			t.Errorf("the list for %q changed after the late answer to %q", newer, slow)
		}
		if q := eval[string](t, ctx, `document.getElementById('list').dataset.query`); !strings.Contains(q, "q="+url.QueryEscape(newer)) {
			t.Errorf("the list shows the answer to %q, want %q", q, newer)
		}
	}
	t.Run("stale aborted", func(t *testing.T) { stale(t, "serenity gr", "serenity group", true) })
	t.Run("stale answered", func(t *testing.T) {
		eval[bool](t, ctx, `(window.__mfAbort = window.AbortController, window.AbortController = undefined, true)`)
		defer eval[bool](t, ctx, `(window.AbortController = window.__mfAbort, true)`)
		stale(t, "big bo", "big book", false)
	})

	t.Run("clear", func(t *testing.T) {
		eval[bool](t, ctx, `(document.getElementById('q').select(), true)`)
		run(t, ctx, "clear the box", chromedp.KeyEvent(kb.Backspace))
		waitQuery(t, ctx, []string{"lat=40.7128"}, []string{"q"})
		if got := eval[string](t, ctx, `document.getElementById('list').dataset.query`); got != nearbyQuery {
			t.Errorf("after clearing the list answers %q, want the nearby list's %q", got, nearbyQuery)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`); n == 0 {
			t.Error("no meetings after clearing the box")
		}
		if got := waitPage(t, ctx, "q", ""); got != "" {
			t.Errorf("address bar q = %q after clearing", got)
		}
		if eval[bool](t, ctx, `document.getElementById('sort').disabled`) {
			t.Error("the sort choice is still off after clearing the box")
		}
	})

	t.Run("too many words", func(t *testing.T) {
		rec.expect("q=one+two+three") // the 400 is provoked on purpose
		eval[bool](t, ctx, setBox("one two three four five six seven eight nine ten eleven"))
		run(t, ctx, "enter", chromedp.KeyEvent(kb.Enter))
		waitStatus(t, ctx, "The search text has more than 10 words. Shorten it and try again.")
		if !eval[bool](t, ctx, `document.getElementById('status').classList.contains('error')`) {
			t.Error("the status line is not marked as an error")
		}
		if !eval[bool](t, ctx, `document.getElementById('retry').hidden`) {
			t.Error("a bad query offers to try again unchanged")
		}
		if got := eval[string](t, ctx, `document.getElementById('q').getAttribute('aria-invalid')`); got != "true" {
			t.Errorf("search box aria-invalid = %q after the API refused its text", got)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#list > li').length`); n != 0 {
			t.Errorf("%d meetings still listed under a query that cannot be made", n)
		}
	})

	t.Run("connection lost", func(t *testing.T) {
		const word = "xyzzyq"
		rec.expect("q=" + word) // the failed load is provoked on purpose
		g.dropping(word, true)
		eval[bool](t, ctx, setBox(word))
		run(t, ctx, "enter", chromedp.KeyEvent(kb.Enter))
		waitStatus(t, ctx, "Meetings could not be loaded. Check your connection and try again.")
		if !eval[bool](t, ctx, `!document.getElementById('retry').hidden`) {
			t.Fatal("no Try again button after a failed connection")
		}
		g.dropping(word, false)
		run(t, ctx, "try again", chromedp.Click(chromedp.ID("retry")))
		waitQuery(t, ctx, []string{"q=" + word}, nil)
		waitStatus(t, ctx, "No meetings match “"+word+"”. Check the spelling, use fewer words or clear the search.")
		if eval[bool](t, ctx, `!document.getElementById('retry').hidden`) {
			t.Error("Try again is still offered after an answer")
		}
		if eval[bool](t, ctx, `document.getElementById('q').hasAttribute('aria-invalid')`) {
			t.Error("the search box is still marked invalid after another search")
		}
	})

	t.Run("more", func(t *testing.T) {
		// Anywhere: near a point the database store gives at most a short
		// page of text results (postgres.searchCapNear).
		run(t, ctx, "open a link with q and no place", chromedp.Navigate(srv.URL+"/?when=any&q=new"), chromedp.WaitVisible(chromedp.ID("q")))
		waitQuery(t, ctx, []string{"q=new", "limit=100"}, []string{"lat", "cursor"})
		if eval[bool](t, ctx, `document.getElementById('more').hidden`) {
			t.Fatal("no Show more for new: paging of text results is not tested")
		}
		settle(t, ctx)
		run(t, ctx, "show more", chromedp.Click(chromedp.ID("more")),
			poll(`document.querySelectorAll('#list > li').length > 100 && !document.getElementById('list').hasAttribute('aria-busy')`))
		ids := strings.Fields(eval[string](t, ctx, listIDs))
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("meeting %s listed twice after Show more", id)
			}
			seen[id] = true
		}
		if q := eval[string](t, ctx, `document.getElementById('list').dataset.query`); !strings.Contains(q, "q=new") || strings.Contains(q, "cursor") {
			t.Errorf("after Show more the list answers %q", q)
		}
	})

	t.Run("shared link", func(t *testing.T) {
		run(t, ctx, "open a link with q", chromedp.Navigate(base+"&q=serenity"), chromedp.WaitVisible(chromedp.ID("q")))
		waitQuery(t, ctx, []string{"q=serenity", "lat=40.7128"}, nil)
		if got := eval[string](t, ctx, `document.getElementById('q').value`); got != "serenity" {
			t.Errorf("box = %q, want serenity", got)
		}
		run(t, ctx, "español", change("lang", "es"), poll(`document.documentElement.lang === 'es'`))
		if got := eval[string](t, ctx, `document.getElementById('q').labels[0].textContent`); got != "Buscar reuniones por nombre, lugar o tipo" {
			t.Errorf("search box label in Spanish = %q", got)
		}
		if got := eval[string](t, ctx, `document.getElementById('q').value`); got != "serenity" {
			t.Errorf("box after changing language = %q", got)
		}
		run(t, ctx, "english", change("lang", "en"), poll(`document.documentElement.lang === 'en'`))
	})

	_, errs, excused := rec.snapshot()
	for _, e := range errs {
		t.Errorf("console: %s", e)
	}
	for _, e := range excused {
		t.Logf("expected failure: %s", e)
	}
}
