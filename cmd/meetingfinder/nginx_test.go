package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// serveProcess is serve running as a process of its own: the test binary
// started with MF_TEST_MAIN=1 (see TestMain).
type serveProcess struct {
	cmd    *exec.Cmd
	addr   chan string   // the "serving on" address, once
	base   string        // http://HOST:PORT, once serving
	stderr *syncBuffer   // its log
	exited chan struct{} // closed when it has exited, with err set
	err    error         // how it exited
}

// launchServe starts serve on addr with flags and the environment vars
// (KEY=VALUE; DATABASE_URL and the like are not inherited), killed when the
// test ends if it still runs. waitServing waits for it to listen.
func launchServe(t *testing.T, vars []string, addr string, flags ...string) *serveProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"serve", "--addr", addr}, flags...)...)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "DATABASE_") && !strings.HasPrefix(k, "MEILI_") && !strings.HasPrefix(k, "MF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "MF_TEST_MAIN=1"), vars...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, addr: make(chan string, 1), stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "meetingfinder: serving on "); ok {
				p.addr <- strings.TrimSpace(rest)
			}
		}
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitServing waits for p to listen and returns its base URL.
func (p *serveProcess) waitServing(t *testing.T) string {
	t.Helper()
	select {
	case p.base = <-p.addr:
		return p.base
	case <-p.exited:
		t.Fatalf("serve exited before listening: %v\n%s", p.err, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30 s:\n%s", p.stderr.String())
	}
	return ""
}

// nginxPath returns the nginx binary, or skips the test (see missingPiece).
func nginxPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if fi, err := os.Stat("/usr/sbin/nginx"); err == nil && fi.Mode()&0o111 != 0 {
		return "/usr/sbin/nginx"
	}
	missingPiece(t, "nginx is not installed (apt-get install -y nginx)")
	return ""
}

// nginxConf is the load balancer of TestNginxRetriesAStoppingInstance: round
// robin over the upstreams, and a request that cannot be sent to one (its
// port refuses connections while it stops or starts) or that it answers
// 502/503 is sent to the next. Its access log records which upstreams each
// request went to.
const nginxConf = `# Written by TestNginxRetriesAStoppingInstance.
worker_processes 1;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log notice;
{{user}}
events { worker_connections 512; }
http {
	log_format upstreams '$status "$upstream_addr" "$upstream_status" $request_time';
	access_log {{dir}}/access.log upstreams;
	client_body_temp_path {{dir}}/client_body;
	proxy_temp_path {{dir}}/proxy;
	fastcgi_temp_path {{dir}}/fastcgi;
	uwsgi_temp_path {{dir}}/uwsgi;
	scgi_temp_path {{dir}}/scgi;
	upstream serve {
{{servers}}	}
	server {
		listen {{listen}};
		location / {
			proxy_pass http://serve;
			proxy_set_header Host $host;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_next_upstream error timeout http_502 http_503;
			proxy_next_upstream_tries 3;
			proxy_next_upstream_timeout 10s;
			proxy_connect_timeout 2s;
			proxy_send_timeout 10s;
			proxy_read_timeout 60s;
		}
	}
}
`

// startNginx runs nginx on a free loopback port in front of upstreams
// (HOST:PORT), in a folder of its own, until the test ends; it returns its
// base URL and the folder (access.log, error.log).
func startNginx(t *testing.T, nginx string, upstreams []string) (string, string) {
	t.Helper()
	dir := sharedTempDir(t, "mf-nginx-")
	listen := fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1)[0])
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "\t\tserver %s max_fails=1 fail_timeout=2s;\n", u)
	}
	userLine := ""
	if os.Geteuid() == 0 {
		// The workers leave root; name a group that exists (Debian has no
		// group "nobody", nginx's default).
		if u, err := user.Lookup("nobody"); err == nil {
			if g, err := user.LookupGroupId(u.Gid); err == nil {
				userLine = fmt.Sprintf("user %s %s;", u.Username, g.Name)
			}
		}
	}
	conf := strings.NewReplacer("{{dir}}", dir, "{{user}}", userLine, "{{servers}}", servers.String(), "{{listen}}", listen).Replace(nginxConf)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful shutdown
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	base := "http://" + listen
	for deadline := time.Now().Add(20 * time.Second); getJSON(base+"/healthz", nil) != http.StatusOK; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s%s", err, out.String(), errLog)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not answer within 20 s:\n%s", out.String())
		}
	}
	return base, dir
}

// readLoop sends public reads through base from two clients until stop is
// called, and counts them and what went wrong (any status but 200, a body
// without the want meetings, a transport error).
type readLoop struct {
	total atomic.Int64
	mu    sync.Mutex
	errs  []string
	stop  func()
}

func startReadLoop(base string, want int, id int64) *readLoop {
	l := &readLoop{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	paths := []string{"/v1/meetings?limit=200", fmt.Sprintf("/v1/meetings/%d", id), "/feeds/meeting-guide.json"}
	for w := range 2 {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i++ {
				path := paths[i%len(paths)]
				if msg := l.check(client, base+path, path, want); msg != "" {
					l.mu.Lock()
					l.errs = append(l.errs, msg)
					l.mu.Unlock()
				}
				l.total.Add(1)
				time.Sleep(2 * time.Millisecond) // a steady load, not all the CPU
			}
		})
	}
	l.stop = func() { cancel(); wg.Wait() }
	return l
}

// check GETs url and returns what is wrong with the answer, or "".
func (l *readLoop) check(client *http.Client, url, path string, want int) string {
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Sprintf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Sprintf("GET %s: reading the body: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("GET %s: status %d: %.200s", path, resp.StatusCode, body)
	}
	switch {
	case strings.HasPrefix(path, "/v1/meetings?"):
		var page struct{ Meetings []json.RawMessage }
		if err := json.Unmarshal(body, &page); err != nil || len(page.Meetings) != want {
			return fmt.Sprintf("GET %s: %d meetings (%v), want %d", path, len(page.Meetings), err, want)
		}
	case strings.HasPrefix(path, "/feeds/"):
		var feed []json.RawMessage
		if err := json.Unmarshal(body, &feed); err != nil || len(feed) != want {
			return fmt.Sprintf("GET %s: %d meetings (%v), want %d", path, len(feed), err, want)
		}
	}
	return ""
}

// errors returns what went wrong so far.
func (l *readLoop) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// TestNginxRetriesAStoppingInstance runs nginx in front of two serve
// processes on one database, both importing one Meeting Guide feed (served
// by the test on 127.0.0.1) on a schedule. While two clients read through
// nginx, each instance in turn gets a real SIGTERM, with a request still
// in flight that it must answer before exiting, and is started again on
// the same port: the clients see no error (nginx sends what the stopping
// instance refuses to the other). Across both instances and their
// restarts, the scheduled import runs, and fetches the feed, once.
func TestNginxRetriesAStoppingInstance(t *testing.T) {
	nginx := nginxPath(t)
	db := pgtest.New(t)
	feedJSON, err := os.ReadFile("../../internal/ingest/testdata/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(feedJSON)
	}))
	t.Cleanup(feed.Close)
	sources := filepath.Join(t.TempDir(), "sources.json")
	if err := os.WriteFile(sources, fmt.Appendf(nil, `{"sources": [{"name": "intergroup", "location": %q, "format": "meetingguide",
		"timezone": "America/Chicago", "refresh": "1h", "local": true}]}`, feed.URL+"/meetings.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	const imported = 7 // of the fixture's 8 records (one has no name)
	// A load test: its clients all come from 127.0.0.1 through nginx, so
	// the public per-address limit is off (in production the balancer's
	// address goes in MF_TRUSTED_PROXIES and each client has its own).
	vars := []string{"DATABASE_URL=" + pgtest.DatabaseURL(t, db), "MF_PUBLIC_RATE_LIMIT=0", "MF_TRUSTED_PROXIES=127.0.0.1"}
	flags := []string{"--sources", sources, "--sync-every", "100ms"}

	// Both start at once, so both find the source due.
	procs := []*serveProcess{launchServe(t, vars, "127.0.0.1:0", flags...), launchServe(t, vars, "127.0.0.1:0", flags...)}
	all := append([]*serveProcess(nil), procs...)
	var addrs []string
	for _, p := range procs {
		addrs = append(addrs, strings.TrimPrefix(p.waitServing(t), "http://"))
	}
	var id int64
	for _, p := range procs {
		waitFor(t, 30*time.Second, "the scheduled import on "+p.base+"'s read model", func() bool {
			var page struct{ Meetings []struct{ ID int64 } }
			st, body := ready(p.base)
			if st != http.StatusOK || body.ReadModel.State != "ok" ||
				getJSON(p.base+"/v1/meetings?limit=200", &page) != http.StatusOK || len(page.Meetings) != imported {
				return false
			}
			id = page.Meetings[0].ID
			return true
		})
	}
	lb, nginxDir := startNginx(t, nginx, addrs)
	accessLog := filepath.Join(nginxDir, "access.log")

	loop := startReadLoop(lb, imported, id)
	time.Sleep(500 * time.Millisecond)
	for i, p := range procs {
		// A change request still sending its body when SIGTERM comes.
		body, w := io.Pipe()
		answer := make(chan int, 1)
		go func() {
			resp, err := http.Post(p.base+"/v1/meetings/999999999/change-requests", "application/json", body)
			if err != nil {
				answer <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answer <- resp.StatusCode
		}()
		w.Write([]byte(`{"proposed": {"notes": "`))
		time.Sleep(200 * time.Millisecond)
		before := loop.total.Load()
		stopped := time.Now()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		select {
		case <-p.exited:
			t.Fatalf("instance %d exited (%v) with a request in flight", i, p.err)
		default:
		}
		w.Write([]byte(`side door"}}`))
		w.Close()
		if st := <-answer; st != http.StatusNotFound { // no such meeting: the handler ran
			t.Errorf("the request in flight at SIGTERM on instance %d: status %d, want 404 from the handler", i, st)
		}
		select {
		case <-p.exited:
			if p.err != nil {
				t.Fatalf("instance %d after SIGTERM: %v\n%s", i, p.err, p.stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("instance %d did not exit within 30 s of SIGTERM", i)
		}
		t.Logf("instance %d drained and exited %s after SIGTERM", i, time.Since(stopped).Round(time.Millisecond))
		time.Sleep(time.Second) // reads meanwhile go to the other one alone
		q := launchServe(t, vars, addrs[i], flags...)
		q.waitServing(t)
		waitFor(t, 30*time.Second, "the restarted instance's read model", func() bool {
			st, body := ready(q.base)
			return st == http.StatusOK && body.ReadModel.State == "ok"
		})
		// nginx keeps a server that failed out of the rotation for its
		// fail_timeout: stopping the other one before nginx sends this one
		// requests again would leave it no live upstream.
		waitFor(t, 30*time.Second, "nginx to send requests to the restarted instance", servedBy(accessLog, addrs[i]))
		t.Logf("instance %d was back in nginx's rotation %s after SIGTERM; %d reads through nginx meanwhile", i, time.Since(stopped).Round(time.Millisecond), loop.total.Load()-before)
		procs[i], all = q, append(all, q)
		time.Sleep(500 * time.Millisecond) // both serve
	}
	loop.stop()
	errs := loop.errors()
	for i, e := range errs {
		if i == 10 {
			t.Errorf("… and %d more", len(errs)-10)
			break
		}
		t.Error(e)
	}
	t.Logf("%d reads through nginx, %d failed", loop.total.Load(), len(errs))
	if len(errs) > 0 {
		errLog, _ := os.ReadFile(filepath.Join(nginxDir, "error.log"))
		t.Logf("nginx's error.log, first errors:\n%s", firstLines(string(errLog), "[error]", 10))
	}

	access, err := os.ReadFile(accessLog)
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]int{}
	retried := 0
	for line := range strings.Lines(string(access)) {
		if _, rest, ok := strings.Cut(line, `"`); ok {
			ups, _, _ := strings.Cut(rest, `"`)
			if strings.Contains(ups, ",") {
				retried++
			}
			parts := strings.Split(ups, ", ")
			served[parts[len(parts)-1]]++
		}
	}
	for _, a := range addrs {
		if served[a] == 0 {
			t.Errorf("nginx sent no request to %s: %v", a, served)
		}
	}
	t.Logf("nginx: answers by upstream %v; %d requests went on to the next upstream", served, retried)

	if n := fetches.Load(); n != 1 {
		t.Errorf("the feed was fetched %d times by two instances and two restarts, want once", n)
	}
	var runs int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM import_runs WHERE source = 'intergroup'`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("%d import runs recorded, want 1", runs)
	}
	skipped := 0
	for _, p := range all {
		if strings.Contains(p.stderr.String(), "skipping this run") {
			skipped++
		}
	}
	t.Logf("the feed was fetched %d time(s); %d of %d serve processes logged that another instance had the import (the others found it done at start)", fetches.Load(), skipped, len(all))
}

// firstLines returns the first n lines of s that hold substr.
func firstLines(s, substr string, n int) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, substr) && len(out) < n {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// servedBy returns a condition for waitFor: nginx's access log at path has,
// since the condition was made, a request answered by upstream (HOST:PORT).
func servedBy(path, upstream string) func() bool {
	var from int64
	if fi, err := os.Stat(path); err == nil {
		from = fi.Size()
	}
	return func() bool {
		f, err := os.Open(path)
		if err != nil {
			return false
		}
		defer f.Close()
		if _, err := f.Seek(from, io.SeekStart); err != nil {
			return false
		}
		b, _ := io.ReadAll(f)
		return strings.Contains(string(b), `200 "`+upstream+`"`) || strings.Contains(string(b), `, `+upstream+`"`)
	}
}
