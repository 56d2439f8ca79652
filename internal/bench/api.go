package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// checkPoints is how many query points are asked both through the store
// and through the API, before the timed phases, to check that the two
// return the same meetings in the same order.
const checkPoints = 20

// apiServer is the real HTTP API on a loopback listener, served as in
// production, and a client that asks it the nearby query at each point.
type apiServer struct {
	srv    *http.Server
	client *http.Client
	urls   []string  // GET /v1/meetings at each query point
	bodies sync.Pool // *bytes.Buffer for bodyOp
}

// startAPI serves the API over store on a free loopback port. Request logs
// are formatted as in production (JSON) but thrown away, so their cost
// counts and their volume does not. The caller calls close.
func startAPI(db *postgres.DB, store *postgres.MeetingStore, cfg NearbyConfig, points []orb.Point) (*apiServer, error) {
	api := httpapi.New(httpapi.Config{
		Store:  store,
		Ready:  db.CheckSchema,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &apiServer{
		srv: &http.Server{
			Handler:           api,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		},
		client: &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        2 * cfg.Concurrency,
				MaxIdleConnsPerHost: 2 * cfg.Concurrency,
				IdleConnTimeout:     2 * time.Minute,
			},
		},
	}
	a.bodies.New = func() any { return new(bytes.Buffer) }
	go a.srv.Serve(ln)
	a.urls = make([]string, len(points))
	for i, p := range points {
		a.urls[i] = fmt.Sprintf("http://%s/v1/meetings?lat=%s&lng=%s&radius_km=%s&limit=%d", ln.Addr(),
			strconv.FormatFloat(p.Lat(), 'f', -1, 64), strconv.FormatFloat(p.Lon(), 'f', -1, 64),
			strconv.FormatFloat(cfg.RadiusKM, 'f', -1, 64), cfg.Limit)
	}
	return a, nil
}

// close drops the client's idle connections and stops the server.
func (a *apiServer) close() {
	a.client.CloseIdleConnections()
	a.srv.Close()
}

// get asks the nearby query at point i (cycled) and decodes the answer.
func (a *apiServer) get(ctx context.Context, i int) (*httpapi.MeetingListJSON, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.urls[i%len(a.urls)], nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET /v1/meetings: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	var body httpapi.MeetingListJSON
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("GET /v1/meetings: decode: %w", err)
	}
	_, err = io.Copy(io.Discard, resp.Body) // so the connection is reused
	return &body, err
}

// bodyOp is an Op that asks the nearby query through the API and reads the
// body without decoding it, counting meetings by their "id" keys.
func (a *apiServer) bodyOp(ctx context.Context, seq int) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.urls[seq%len(a.urls)], nil)
	if err != nil {
		return 0, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b := a.bodies.Get().(*bytes.Buffer)
	defer a.bodies.Put(b)
	b.Reset()
	_, err = b.ReadFrom(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /v1/meetings: %s", resp.Status)
	}
	// Each meeting object starts with its id.
	return bytes.Count(b.Bytes(), []byte(`{"id":`)), err
}

// decodedOp is an Op that asks the nearby query through the API and
// decodes the JSON answer.
func (a *apiServer) decodedOp(ctx context.Context, seq int) (int, error) {
	body, err := a.get(ctx, seq)
	if err != nil {
		return 0, err
	}
	return len(body.Meetings), nil
}

// checkSameResults asks the first query points through the store and
// through the API and fails unless both return the same meetings in the
// same order, so that the phases compare like with like.
func checkSameResults(ctx context.Context, store *postgres.MeetingStore, api *apiServer,
	points []orb.Point, filter func(orb.Point) meeting.Filter) error {
	for i := range min(len(points), checkPoints) {
		page, err := store.Find(ctx, filter(points[i]))
		if err != nil {
			return err
		}
		body, err := api.get(ctx, i)
		if err != nil {
			return fmt.Errorf("bench: check: %w", err)
		}
		a := make([]int64, len(page.Results))
		for j, r := range page.Results {
			a[j] = r.ID
		}
		b := make([]int64, len(body.Meetings))
		for j, m := range body.Meetings {
			b[j] = m.ID
		}
		if !slices.Equal(a, b) {
			return fmt.Errorf("bench: check: at %v the store returned meetings %v but the API %v", points[i], a, b)
		}
	}
	return nil
}
