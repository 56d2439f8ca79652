package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// feedSettle is how long the feed phase waits after a download before it
// reads the server's RSS "after": long enough for the server to have
// returned what the download's buffers held to its allocator, not to the
// operating system (the Go runtime gives memory back over minutes).
const feedSettle = time.Second

// FeedResult is one download of the whole Meeting Guide feed.
type FeedResult struct {
	Dataset  string // e.g. "1,000,000"
	Encoding string // "gzip" or "identity"
	// Meetings is how many meetings the body held, counted by their
	// "slug" keys; -1 when not counted (a gzip body is not decompressed,
	// to leave the CPU to the server).
	Meetings  int
	FirstByte time.Duration // from sending the request to the first body byte
	Total     time.Duration // from sending the request to the body's end
	Bytes     int64         // body bytes as sent (compressed when gzip)
	ETag      string
	// RSS is the server's resident set size sampled every 100 ms during
	// the download: First is before it, Max its peak.
	RSS RSSRange
	// After is the server's RSS feedSettle after the download.
	After uint64
}

// Growth returns how much the server's RSS grew during the download:
// its peak less what it was before.
func (f FeedResult) Growth() int64 { return int64(f.RSS.Max) - int64(f.RSS.First) }

// slugMarker starts every meeting's slug in a Meeting Guide feed; a slug
// inside a string would have its quotes escaped.
var slugMarker = []byte(`"slug":`)

// download fetches the whole Meeting Guide feed once, gzip or not,
// sampling the server's RSS meanwhile.
func (c *client) download(ctx context.Context, srv *server, dataset string, gz bool) (FeedResult, error) {
	res := FeedResult{Dataset: dataset, Encoding: "identity", Meetings: -1}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.feedURL(), nil)
	if err != nil {
		return res, err
	}
	if gz {
		res.Encoding = "gzip"
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rss := sampleRSS(srv.pid)
	start := time.Now()
	resp, err := c.feed.Do(req)
	if err != nil {
		rss.Stop()
		return res, err
	}
	defer resp.Body.Close()
	count := &markerCounter{marker: slugMarker}
	var w io.Writer = count
	if gz {
		w = io.Discard
	}
	res.Bytes, err = copyTimed(w, resp.Body, start, &res.FirstByte)
	res.Total = time.Since(start)
	res.RSS = rss.Stop()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", pathOf(c.feedURL()), resp.Status)
	}
	if err == nil && gz != (resp.Header.Get("Content-Encoding") == "gzip") {
		err = fmt.Errorf("GET %s: asked for gzip %v, got Content-Encoding %q", pathOf(c.feedURL()), gz, resp.Header.Get("Content-Encoding"))
	}
	if err != nil {
		return res, fmt.Errorf("bench: feed download: %w", err)
	}
	if !gz {
		res.Meetings = count.n
	}
	res.ETag = resp.Header.Get("ETag")
	time.Sleep(feedSettle)
	res.After = srv.rss()
	return res, nil
}

// copyTimed copies r to w in 256 KiB reads and sets *first to the time
// from start to the first byte read.
func copyTimed(w io.Writer, r io.Reader, start time.Time, first *time.Duration) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			if n == 0 {
				*first = time.Since(start)
			}
			n += int64(k)
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// feedETag returns the ETag of the whole feed in gzip, reading the
// answer's headers only.
func (c *client) feedETag(ctx context.Context) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // drops the connection: the server stops streaming
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.feedURL(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.feed.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		return "", fmt.Errorf("bench: GET %s: %s, ETag %q: want 200 with an ETag", pathOf(c.feedURL()), resp.Status, etag)
	}
	return etag, nil
}

// markerCounter is an io.Writer that counts the occurrences of marker in
// what is written to it, also across writes.
type markerCounter struct {
	marker []byte
	tail   []byte // the last len(marker)-1 bytes written
	n      int
}

// Write counts the markers that end in p.
func (m *markerCounter) Write(p []byte) (int, error) {
	k := len(m.marker) - 1
	if len(m.tail) > 0 {
		// Markers that start in the tail and end in p.
		head := p[:min(len(p), k)]
		joined := append(append([]byte(nil), m.tail...), head...)
		m.n += bytes.Count(joined, m.marker)
	}
	m.n += bytes.Count(p, m.marker)
	if len(p) >= k {
		m.tail = append(m.tail[:0], p[len(p)-k:]...)
	} else {
		m.tail = append(m.tail, p...)
		m.tail = m.tail[max(0, len(m.tail)-k):]
	}
	return len(p), nil
}

// WriteFeedMarkdown writes feed downloads as a Markdown table. It returns
// w's write error.
func WriteFeedMarkdown(w io.Writer, feeds []FeedResult) error {
	var b strings.Builder
	b.WriteString("| meetings | encoding | meetings in body | first byte ms | total s | MiB sent | server RSS before MiB | peak MiB | growth MiB | after 1 s MiB |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range feeds {
		counted := "–"
		if f.Meetings >= 0 {
			counted = Thousands(f.Meetings)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %.2f | %.1f | %.0f | %.0f | %.0f | %.0f |\n",
			f.Dataset, f.Encoding, counted, ms(f.FirstByte), f.Total.Seconds(), float64(f.Bytes)/(1<<20),
			mib(f.RSS.First), mib(f.RSS.Max), float64(f.Growth())/(1<<20), mib(f.After))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
