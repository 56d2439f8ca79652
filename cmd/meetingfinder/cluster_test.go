package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/sharedtest"
)

// This file has the tests that run the real pieces of a deployment beyond
// one machine: a PostgreSQL primary with a streaming hot standby made by
// scripts/pg.sh (here), and nginx in front of two serve instances
// (nginx_test.go). Each skips, saying what is missing, unless
// MF_REQUIRE_CLUSTER=1 (set by .ci/run) makes that a failure.

// missingPiece skips the test because of why, or fails it when
// MF_REQUIRE_CLUSTER=1.
func missingPiece(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("MF_REQUIRE_CLUSTER") == "1" {
		t.Fatalf("%s, and MF_REQUIRE_CLUSTER=1 makes that a failure", why)
	}
	t.Skipf("%s: skipping (MF_REQUIRE_CLUSTER=1 makes this a failure)", why)
}

// pgBinDir returns the PostgreSQL bin folder that has initdb, pg_ctl and
// pg_basebackup, looked for as scripts/pg.sh does (MF_PG_BINDIR, pg_config
// --bindir, the newest /usr/lib/postgresql/*/bin), or an error saying what
// is missing.
func pgBinDir() (string, error) {
	var dirs []string
	if d := os.Getenv("MF_PG_BINDIR"); d != "" {
		dirs = append(dirs, d)
	} else {
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		major := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
		sort.Slice(found, func(i, j int) bool { return major(found[i]) > major(found[j]) })
		dirs = append(dirs, found...)
	}
	var missing []string
	for _, d := range dirs {
		missing = missing[:0]
		for _, tool := range []string{"initdb", "pg_ctl", "pg_basebackup"} {
			if fi, err := os.Stat(filepath.Join(d, tool)); err != nil || fi.Mode()&0o111 == 0 {
				missing = append(missing, tool)
			}
		}
		if len(missing) == 0 {
			return d, nil
		}
	}
	if len(dirs) == 0 {
		return "", fmt.Errorf("no PostgreSQL server binaries (initdb, pg_basebackup) found: apt-get install -y postgresql, or set MF_PG_BINDIR")
	}
	return "", fmt.Errorf("%s missing from %s (apt-get install -y postgresql, or set MF_PG_BINDIR)", strings.Join(missing, " and "), strings.Join(dirs, ", "))
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// sharedTempDir returns a new folder under /tmp named after prefix,
// removed when the test ends, that every user may reach: PostgreSQL and
// nginx's workers run as unprivileged users when the tests run as root.
func sharedTempDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pgCluster is a PostgreSQL cluster of the test's own, run by
// scripts/pg.sh on port with its data in data.
type pgCluster struct {
	script, bindir string
	port           int
	data           string
}

// sh runs scripts/pg.sh with the cluster's settings, vars and args, and
// returns its output; it fails the test when the script fails.
func (c pgCluster) sh(t *testing.T, vars []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{c.script}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MF_PG_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("MF_PG_PORT=%d", c.port), "MF_PG_DATA="+c.data, "MF_PG_BINDIR="+c.bindir)
	cmd.Env = append(cmd.Env, vars...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/pg.sh %s (port %d): %v\n%s", strings.Join(args, " "), c.port, err, out.String())
	}
	t.Logf("scripts/pg.sh %s (port %d): %s in %s", strings.Join(args, " "), c.port,
		strings.TrimSpace(strings.TrimPrefix(lastLine(out.String()), "pg.sh: ")), time.Since(start).Round(time.Millisecond))
	return out.String()
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// url returns the cluster's DATABASE_URL.
func (c pgCluster) url(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(c.sh(t, nil, "url"))
}

// pgTools returns pgBinDir's folder, or skips the test when initdb or
// pg_basebackup is missing (see missingPiece).
func pgTools(t *testing.T) string {
	t.Helper()
	bindir, err := pgBinDir()
	if err != nil {
		missingPiece(t, err.Error())
	}
	return bindir
}

// newPrimary creates and starts a cluster of the test's own with the
// binaries in bindir, on port in dir/primary, with the database
// "meetingfinder" migrated, and destroys it when the test ends.
func newPrimary(t *testing.T, bindir, dir string, port int) pgCluster {
	t.Helper()
	c := pgCluster{script: filepath.Join(sharedtest.RepoRoot(t), "scripts", "pg.sh"), bindir: bindir, port: port, data: filepath.Join(dir, "primary")}
	t.Cleanup(func() { c.sh(t, nil, "destroy") })
	c.sh(t, nil, "up")
	url := c.url(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v\n%s%s", err, out.String(), errOut.String())
	}
	return c
}

// replica makes and starts a streaming hot standby of c (scripts/pg.sh
// replica) on port in data, destroyed when the test ends.
func (c pgCluster) replica(t *testing.T, port int, data string) pgCluster {
	t.Helper()
	r := pgCluster{script: c.script, bindir: c.bindir, port: port, data: data}
	t.Cleanup(func() { r.sh(t, nil, "destroy") })
	c.sh(t, []string{fmt.Sprintf("MF_PG_REPLICA_PORT=%d", port), "MF_PG_REPLICA_DATA=" + data}, "replica")
	return r
}

// orgKey creates a trusted organization (its listings publish without
// moderation) on the database at url and returns its API key.
func orgKey(t *testing.T, url string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"org", "create", "--trusted", "Standby Intergroup", "--json"}, func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, &out, &errOut)
	var created struct{ Key struct{ Key string } }
	if err != nil || json.Unmarshal(out.Bytes(), &created) != nil || created.Key.Key == "" {
		t.Fatalf("org create: %v\n%s%s", err, out.String(), errOut.String())
	}
	return created.Key.Key
}

// postListing submits a listing named name through the API at base with
// key and returns the status, the new meeting's id (on 200) and how long
// the answer took; status 0 is a transport error.
func postListing(base, key, name string) (int, int64, time.Duration) {
	body, _ := json.Marshal(map[string]any{
		"name": name, "program": "aa", "day": 2, "start_time": "19:00", "end_time": "20:00",
		"timezone": "America/New_York", "types": []string{"open"}, "attendance": "in_person",
		"location": map[string]any{"name": "Grace Church", "address": "1 Elm St", "city": "New York", "lat": 40.72, "lng": -74.0},
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/org/meetings", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	client := &http.Client{Timeout: 30 * time.Second}
	start := time.Now()
	resp, err := client.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, 0, took
	}
	defer resp.Body.Close()
	var l struct{ Meeting struct{ ID int64 } }
	_ = json.NewDecoder(resp.Body).Decode(&l)
	return resp.StatusCode, l.Meeting.ID, took
}

// orgGet reads the listing id through the org API at base with key and
// returns its name ("" unless 200).
func orgGet(t *testing.T, base, key string, id int64) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/org/meetings/%d", base, id), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET the org's listing %d: %v", id, err)
	}
	defer resp.Body.Close()
	var l struct{ Meeting struct{ Name string } }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&l) != nil {
		return ""
	}
	return l.Meeting.Name
}

// readyBody is the part of /readyz these tests read.
type readyBody struct {
	Status    string            `json:"status"`
	Checks    map[string]string `json:"checks"`
	ReadModel struct {
		State string `json:"state"`
	} `json:"read_model"`
	ReplicaLag *float64 `json:"replica_lag_seconds"`
}

// ready returns base's /readyz status and body.
func ready(base string) (int, readyBody) {
	var b readyBody
	st := getJSON(base+"/readyz", &b)
	return st, b
}

// TestStandbyKeepsReadsWhenThePrimaryStops runs a primary of its own and
// a streaming hot standby of it (scripts/pg.sh up and replica), and two
// serve instances: A on the primary alone, B writing to the primary and
// reading from the standby (DATABASE_READ_URL). A listing written through
// A is seen through B. With the primary stopped, B's reads go on (its read
// model follows the standby; text search runs on the standby) while writes
// through either answer 503 quickly; with the primary started again, both
// instances write and see each other's writes without being restarted.
func TestStandbyKeepsReadsWhenThePrimaryStops(t *testing.T) {
	bindir := pgTools(t)
	dir := sharedTempDir(t, "mf-cluster-")
	ports := freePorts(t, 2)
	primary := newPrimary(t, bindir, dir, ports[0])
	primaryURL := primary.url(t)
	key := orgKey(t, primaryURL)
	standby := primary.replica(t, ports[1], filepath.Join(dir, "standby"))
	standbyURL := standby.url(t)

	a, aDone, aStop := startServeEnv(t, map[string]string{"DATABASE_URL": primaryURL}, "--sync-every", "100ms")
	t.Cleanup(func() { aStop(); <-aDone })
	b, bDone, bStop := startServeEnv(t, map[string]string{"DATABASE_URL": primaryURL, "DATABASE_READ_URL": standbyURL}, "--sync-every", "100ms")
	t.Cleanup(func() { bStop(); <-bDone })
	for _, base := range []string{a, b} {
		waitFor(t, 30*time.Second, "the read model of "+base+" to load", func() bool {
			st, body := ready(base)
			return st == http.StatusOK && body.Status == "ok" && body.ReadModel.State == "ok"
		})
	}
	if _, body := ready(b); body.Checks["replica"] != "ok" || body.ReplicaLag == nil {
		t.Fatalf("B's /readyz: %+v, want the replica ok with its lag", body)
	}

	st, id, _ := postListing(a, key, "Standby Serenity")
	if st != http.StatusOK || id == 0 {
		t.Fatalf("a listing written through A: status %d, id %d", st, id)
	}
	written := time.Now()
	meetingPath := fmt.Sprintf("/v1/meetings/%d", id)
	waitFor(t, 2*time.Second, "the listing on B (primary → standby → B's read model)", func() bool {
		return getJSON(b+meetingPath, nil) == http.StatusOK
	})
	t.Logf("B answered with the listing written through A %s after the write", time.Since(written).Round(time.Millisecond))
	// Read-your-writes: an organization that writes through B reads its
	// listing back through B at once, from the primary, however far B's
	// public reads (standby, read model) are behind.
	st, own, _ := postListing(b, key, "Own Write")
	if st != http.StatusOK || own == 0 {
		t.Fatalf("a listing written through B: status %d, id %d", st, own)
	}
	if got := orgGet(t, b, key, own); got != "Own Write" {
		t.Errorf("the org's own listing read back through B at once: name %q, want %q", got, "Own Write")
	}
	// The text index is filled by serve's refresh every 2 s; B's text
	// queries run on the standby.
	textPath := "/v1/meetings?q=serenity&lat=40.72&lng=-74.0"
	waitFor(t, 30*time.Second, "B's text search to find the listing", func() bool { return hasMeeting(b+textPath, id) })

	primary.sh(t, nil, "down")
	for _, path := range []string{meetingPath, "/v1/meetings?day=2", "/v1/meetings?lat=40.72&lng=-74.0", "/feeds/meeting-guide.json", textPath} {
		if !hasMeeting(b+path, id) {
			t.Errorf("GET %s on B with the primary stopped: no answer holding meeting %d", path, id)
		}
	}
	if !hasMeeting(a+meetingPath, id) {
		t.Errorf("GET %s on A with the primary stopped: no answer from its read model", meetingPath)
	}
	for _, base := range []string{a, b} {
		st, _, took := postListing(base, key, "Written While Down")
		if st != http.StatusServiceUnavailable {
			t.Errorf("a write through %s with the primary stopped: status %d, want 503", base, st)
		}
		if took > 5*time.Second {
			t.Errorf("a write through %s with the primary stopped took %s to fail, want a quick 503", base, took)
		}
		t.Logf("a write through %s with the primary stopped: %d in %s", base, st, took.Round(time.Millisecond))
	}
	if st, body := ready(b); st != http.StatusOK || body.Status != "degraded" || body.Checks["database"] != "unavailable" || body.Checks["replica"] != "ok" {
		t.Errorf("B's /readyz with the primary stopped: %d %+v, want 200 degraded, the database unavailable and the replica ok", st, body)
	}

	primary.sh(t, nil, "up")
	restarted := time.Now()
	var fromA, fromB int64
	waitFor(t, 30*time.Second, "a write through A to succeed again", func() bool {
		st, id, _ := postListing(a, key, "Back Again A")
		fromA = id
		return st == http.StatusOK
	})
	waitFor(t, 30*time.Second, "a write through B to succeed again", func() bool {
		st, id, _ := postListing(b, key, "Back Again B")
		fromB = id
		return st == http.StatusOK
	})
	for _, base := range []string{a, b} {
		for _, id := range []int64{fromA, fromB} {
			waitFor(t, 30*time.Second, fmt.Sprintf("meeting %d on %s", id, base), func() bool {
				return getJSON(fmt.Sprintf("%s/v1/meetings/%d", base, id), nil) == http.StatusOK
			})
		}
		waitFor(t, 30*time.Second, base+"'s /readyz to say ok again", func() bool {
			st, body := ready(base)
			return st == http.StatusOK && body.Status == "ok"
		})
	}
	t.Logf("both instances wrote, saw both writes and were ready again %s after the primary was started", time.Since(restarted).Round(time.Millisecond))
}

// hasMeeting GETs url and reports whether it answered 200 with a body
// that holds the meeting id (a meeting, a list of them, or a feed).
func hasMeeting(url string, id int64) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return false
	}
	var v any
	if json.Unmarshal(buf.Bytes(), &v) != nil {
		return false
	}
	return holdsID(v, float64(id))
}

// holdsID reports whether v (decoded JSON) holds an object whose "id" is
// id (or whose "slug" is, as in the Meeting Guide feed), at any depth.
func holdsID(v any, id float64) bool {
	switch v := v.(type) {
	case map[string]any:
		if n, ok := v["id"].(float64); ok && n == id {
			return true
		}
		if s, ok := v["slug"].(string); ok && s == strconv.FormatFloat(id, 'f', -1, 64) {
			return true
		}
		for _, e := range v {
			if holdsID(e, id) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if holdsID(e, id) {
				return true
			}
		}
	}
	return false
}

// TestStandbyDownFallsBackToThePrimary runs serve with a read URL that
// lists the standby and then the primary (target_session_attrs=
// prefer-standby) and stops the standby: /readyz says the replica is
// "fallback", reads go on, and a write through another instance on the
// primary reaches this one within 2 s, from the primary; with the standby
// back, the instance reads from it again once its connections are
// recycled (pool_max_conn_lifetime), with no restart.
func TestStandbyDownFallsBackToThePrimary(t *testing.T) {
	bindir := pgTools(t)
	dir := sharedTempDir(t, "mf-fallback-")
	ports := freePorts(t, 2)
	primary := newPrimary(t, bindir, dir, ports[0])
	primaryURL := primary.url(t)
	key := orgKey(t, primaryURL)
	standby := primary.replica(t, ports[1], filepath.Join(dir, "standby"))
	readURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/meetingfinder?sslmode=disable&target_session_attrs=prefer-standby&pool_max_conn_lifetime=2s",
		ports[1], ports[0])

	a, aDone, aStop := startServeEnv(t, map[string]string{"DATABASE_URL": primaryURL}, "--sync-every", "100ms")
	t.Cleanup(func() { aStop(); <-aDone })
	c, cDone, cStop := startServeEnv(t, map[string]string{"DATABASE_URL": primaryURL, "DATABASE_READ_URL": readURL}, "--sync-every", "100ms")
	t.Cleanup(func() { cStop(); <-cDone })
	for _, base := range []string{a, c} {
		waitFor(t, 30*time.Second, "the read model of "+base+" to load", func() bool {
			st, body := ready(base)
			return st == http.StatusOK && body.Status == "ok" && body.ReadModel.State == "ok"
		})
	}
	if _, body := ready(c); body.Checks["replica"] != "ok" {
		t.Fatalf("C's /readyz with the standby up: %+v, want the replica ok", body)
	}

	standby.sh(t, nil, "down")
	waitFor(t, 15*time.Second, "C's /readyz to say the replica fell back to the primary", func() bool {
		st, body := ready(c)
		return st == http.StatusOK && body.Status == "degraded" && body.Checks["replica"] == "fallback"
	})
	st, id, _ := postListing(a, key, "Written While The Standby Is Down")
	if st != http.StatusOK || id == 0 {
		t.Fatalf("a listing written through A: status %d, id %d", st, id)
	}
	written := time.Now()
	waitFor(t, 2*time.Second, "the listing on C, read from the primary", func() bool {
		return getJSON(fmt.Sprintf("%s/v1/meetings/%d", c, id), nil) == http.StatusOK
	})
	t.Logf("C answered with the listing %s after the write, with the standby down", time.Since(written).Round(time.Millisecond))
	if !hasMeeting(c+"/v1/meetings?lat=40.72&lng=-74.0", id) {
		t.Errorf("C's nearby reads with the standby down do not hold meeting %d", id)
	}

	standby.sh(t, nil, "up")
	waitFor(t, 60*time.Second, "C's /readyz to say ok again, reading from the standby", func() bool {
		st, body := ready(c)
		return st == http.StatusOK && body.Status == "ok" && body.Checks["replica"] == "ok"
	})
	st, id, _ = postListing(a, key, "Written With The Standby Back")
	if st != http.StatusOK {
		t.Fatalf("a listing written through A: status %d", st)
	}
	// A standby started again may take one of the primary's running-
	// transactions records (every 15 s) before its snapshots reach the
	// model's cursor, which never moves back: a generous deadline.
	back := time.Now()
	waitFor(t, 45*time.Second, "the listing on C, through the standby again", func() bool {
		return getJSON(fmt.Sprintf("%s/v1/meetings/%d", c, id), nil) == http.StatusOK
	})
	t.Logf("C answered with the listing written with the standby back %s after the write", time.Since(back).Round(time.Millisecond))
}
