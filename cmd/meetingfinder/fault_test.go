package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// proxy forwards TCP connections on a loopback port to target until it is
// cut, which closes every connection and refuses new ones, as a database
// that went away does; mend listens again on the same port.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// mend listens again on the same address.
func (p *proxy) mend() { p.listen(p.addr) }

// TestReadsGoOnWhenTheDatabaseGoesAway loads the read model, cuts the
// database off, and checks that public reads go on from memory while a
// write answers 503 quickly and /readyz says "degraded"; then mends the
// connection and checks that a write made meanwhile reaches the model.
func TestReadsGoOnWhenTheDatabaseGoesAway(t *testing.T) {
	db := pgtest.New(t)
	direct := pgtest.DatabaseURL(t, db)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr
	base, done, cancel := startServe(t, u.String(), "--sync-every", "100ms")
	t.Cleanup(func() { cancel(); <-done })

	ctx := context.Background()
	store := postgres.NewMeetingStore(db)
	insert := func(name string) int64 {
		t.Helper()
		m := meeting.Meeting{Source: "test", ExternalID: name, GroupKey: name, Name: name, Program: meeting.ProgramAA,
			Day: 3, Start: meeting.NewClock(18, 30), End: meeting.NoClock, TimeZone: "Europe/London", Types: []string{"O"},
			Attendance: meeting.AttendanceInPerson, Status: meeting.StatusPublished, Location: meeting.Location{City: "Leeds"}}
		if err := store.InsertMeetings(ctx, []meeting.Meeting{m}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE external_id = $1`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := insert("before")
	waitFor(t, 20*time.Second, "the read model to load and hold the first meeting", func() bool {
		var body struct {
			ReadModel struct {
				State    string
				Meetings int
			} `json:"read_model"`
		}
		return getJSON(base+"/readyz", &body) == http.StatusOK && body.ReadModel.State == "ok" && body.ReadModel.Meetings == 1
	})

	px.cut()
	for _, path := range []string{fmt.Sprintf("/v1/meetings/%d", first), "/v1/meetings?day=3", "/feeds/meeting-guide.json"} {
		if st := getJSON(base+path, nil); st != http.StatusOK {
			t.Errorf("GET %s with the database gone: status %d, want 200 from the model", path, st)
		}
	}
	start := time.Now()
	resp, err := http.Post(fmt.Sprintf("%s/v1/meetings/%d/change-requests", base, first), "application/json",
		strings.NewReader(`{"proposed":{"notes":"side door"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a write with the database gone: status %d, want 503", resp.StatusCode)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the write took %s to fail, want a quick 503", took)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if st := getJSON(base+"/readyz", &ready); st != http.StatusOK || ready.Status != "degraded" || ready.Checks["database"] != "unavailable" {
		t.Errorf("/readyz with the database gone: %d %+v, want 200 degraded with the database unavailable", st, ready)
	}

	second := insert("during") // written while this instance cannot see the database
	px.mend()
	waitFor(t, 10*time.Second, "the model to catch up with the write made meanwhile", func() bool {
		return getJSON(fmt.Sprintf("%s/v1/meetings/%d", base, second), nil) == http.StatusOK
	})
}
