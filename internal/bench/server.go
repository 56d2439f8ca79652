package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// How long the server under test may take to say where it serves, to load
// its read model, and to stop after an interrupt.
const (
	serverListenTimeout = time.Minute
	serverReadyTimeout  = 5 * time.Minute
	serverStopTimeout   = 20 * time.Second
)

// server is the real meetingfinder server under test, in a process of its
// own (so that its RSS and CPU time are its own), serving the bench
// database with the in-memory read model on a free loopback port.
type server struct {
	cmd     *exec.Cmd
	pid     int
	base    string    // http://127.0.0.1:PORT
	started time.Time // when the process was started
	exited  chan struct{}
	waitErr error // set before exited is closed

	mu       sync.Mutex
	load     modelLoad
	textLoad modelLoad // its text index's build, as logged
	messages []string  // its last warnings and errors (log lines)
}

// modelLoad is what the server logged when its read model (or its text
// index) loaded.
type modelLoad struct {
	Meetings int
	Took     time.Duration
	Logged   bool
}

// maxMessages is how many warning and error lines of the server are kept
// to explain a failure.
const maxMessages = 8

// startServer runs command (the meetingfinder binary and "serve", say)
// with --addr 127.0.0.1:0 and DATABASE_URL set to dbURL; the read model is
// on and Meilisearch off whatever the environment says, unless extra
// (KEY=value) says otherwise. It returns once the server says where it
// serves. The caller calls stop.
func startServer(ctx context.Context, command []string, dbURL string, extra ...string) (*server, error) {
	if len(command) == 0 {
		return nil, errors.New("bench: no server command to run")
	}
	s := &server{exited: make(chan struct{})}
	s.cmd = exec.Command(command[0], append(command[1:], "--addr", "127.0.0.1:0")...)
	s.cmd.Env = append(serverEnv(os.Environ(), dbURL), extra...) // of a key set twice, exec keeps the last
	listening := make(chan string, 1)
	s.cmd.Stdout = &lineWriter{line: func(l []byte) {
		if _, url, ok := bytes.Cut(l, []byte("serving on ")); ok {
			select {
			case listening <- strings.TrimSpace(string(url)):
			default:
			}
		}
	}}
	s.cmd.Stderr = &lineWriter{line: s.logLine}
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start the server: %w", err)
	}
	s.pid = s.cmd.Process.Pid
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	select {
	case s.base = <-listening:
		return s, nil
	case <-s.exited:
		return nil, s.failure("exited before serving", s.waitErr)
	case <-time.After(serverListenTimeout):
		err := s.failure("did not say where it serves", errors.New("timeout"))
		s.stop()
		return nil, err
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

// serverEnv returns environ with DATABASE_URL set to dbURL, the read
// model on, and the public rate limit and the bound on whole feeds off
// (the bench sends thousands of requests a second from one address, and
// its feed phase as many feeds at once as it has workers), and without what would change the
// server under test (a standby to read from, Meilisearch, a text log
// format, a geocoder).
func serverEnv(environ []string, dbURL string) []string {
	drop := map[string]bool{"DATABASE_URL": true, "DATABASE_READ_URL": true, "MF_READ_MODEL": true,
		"MEILI_URL": true, "MEILI_API_KEY": true, "MEILI_INDEX": true, "MF_LOG_FORMAT": true, "MF_GEOCODER_URL": true,
		"MF_PUBLIC_RATE_LIMIT": true, "MF_FEED_CONCURRENCY": true}
	out := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return append(out, "DATABASE_URL="+dbURL, "MF_READ_MODEL=on", "MF_PUBLIC_RATE_LIMIT=0", "MF_FEED_CONCURRENCY=0")
}

// logLine reads one line of the server's log (JSON, one object a line):
// the read model's load, and warnings and errors, are kept; request lines,
// the bulk of it, are skipped unparsed.
func (s *server) logLine(l []byte) {
	if bytes.Contains(l, []byte(`"msg":"request"`)) {
		return
	}
	var rec struct {
		Level    string `json:"level"`
		Msg      string `json:"msg"`
		Meetings int    `json:"meetings"`
		Duration int64  `json:"duration"` // slog writes durations as nanoseconds
	}
	if err := json.Unmarshal(l, &rec); err != nil {
		rec.Level = "ERROR" // not a log record: a panic, say
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch rec.Msg {
	case "read model loaded":
		s.load = modelLoad{Meetings: rec.Meetings, Took: time.Duration(rec.Duration), Logged: true}
	case "text index loaded":
		s.textLoad = modelLoad{Meetings: rec.Meetings, Took: time.Duration(rec.Duration), Logged: true}
	}
	if rec.Level == "WARN" || rec.Level == "ERROR" {
		if len(s.messages) == maxMessages {
			s.messages = s.messages[1:]
		}
		s.messages = append(s.messages, strings.TrimSpace(string(l)))
	}
}

// loaded returns what the server logged of its read model's load.
func (s *server) loaded() modelLoad {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load
}

// textLoaded returns what the server logged of its text index's build.
func (s *server) textLoaded() modelLoad {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.textLoad
}

// failure returns an error saying what went wrong with the server, with
// its last warnings and errors.
func (s *server) failure(what string, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := fmt.Sprintf("bench: the server (pid %d) %s: %v", s.pid, what, err)
	if len(s.messages) > 0 {
		msg += "; its last warnings and errors:\n  " + strings.Join(s.messages, "\n  ")
	}
	return errors.New(msg)
}

// readyz is the part of GET /readyz the bench reads.
type readyz struct {
	ReadModel *struct {
		State    string `json:"state"`
		Meetings int    `json:"meetings"`
	} `json:"read_model"`
	TextSearch *struct {
		Index       string `json:"index"`
		AnswersFrom string `json:"answers_from"`
	} `json:"text_search"`
}

// waitReady polls GET /readyz every 100 ms until the read model's state is
// "ok" and returns how many meetings it holds. A server without a read
// model is an error: the bench is about the model.
func (s *server) waitReady(ctx context.Context, client *http.Client) (int, error) {
	deadline := time.Now().Add(serverReadyTimeout)
	for {
		body, err := s.readyz(ctx, client)
		if err == nil && body.ReadModel == nil {
			return 0, s.failure("has no read model", errors.New("GET /readyz has no read_model"))
		}
		if err == nil && body.ReadModel.State == "ok" {
			return body.ReadModel.Meetings, nil
		}
		if time.Now().After(deadline) {
			return 0, s.failure("did not load its read model in "+serverReadyTimeout.String(), err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-s.exited:
			return 0, s.failure("exited while loading", s.waitErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// readyz asks GET /readyz once.
func (s *server) readyz(ctx context.Context, client *http.Client) (readyz, error) {
	var body readyz
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
	if err != nil {
		return body, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return body, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&body)
	_, _ = io.Copy(io.Discard, resp.Body)
	return body, err
}

// rss returns the server's resident set size now, 0 when unknown.
func (s *server) rss() uint64 {
	v, _ := procStatusBytes(s.pid, "VmRSS")
	return v
}

// peakRSS returns the server's largest resident set size so far (VmHWM),
// 0 when unknown.
func (s *server) peakRSS() uint64 {
	v, _ := procStatusBytes(s.pid, "VmHWM")
	return v
}

// cpu returns the CPU time the server has used so far.
func (s *server) cpu() (time.Duration, bool) { return processStatCPU(int32(s.pid)) }

// stop interrupts the server (it drains and stops as on a signal), kills
// it if it has not stopped within serverStopTimeout, and returns an error
// when it did not stop cleanly.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return s.waitErr
	default:
	}
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
		if s.waitErr != nil {
			return s.failure("did not stop cleanly", s.waitErr)
		}
		return nil
	case <-time.After(serverStopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return s.failure("had to be killed", errors.New("no exit "+serverStopTimeout.String()+" after an interrupt"))
	}
}

// lineWriter is an io.Writer that calls line with each complete line
// written to it, without its newline. It is for one writer at a time
// (exec.Cmd copies a pipe from one goroutine).
type lineWriter struct {
	line    func([]byte)
	partial []byte
}

// Write splits p into lines; a line not ended yet is kept for the next
// Write.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		if len(w.partial) > 0 {
			w.line(append(w.partial, p[:i]...))
			w.partial = w.partial[:0]
		} else {
			w.line(p[:i])
		}
		p = p[i+1:]
	}
	// A line longer than 1 MiB is cut rather than held without bound.
	if len(w.partial)+len(p) > 1<<20 {
		w.line(append(w.partial, p...))
		w.partial = w.partial[:0]
		return n, nil
	}
	w.partial = append(w.partial, p...)
	return n, nil
}
