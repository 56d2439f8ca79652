package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
)

// TestReadyzReadModel checks what /readyz says of the database and the
// read model together: reads go on while either answers.
func TestReadyzReadModel(t *testing.T) {
	e := newEnv(t)
	spec := newSpecCheck(t)
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	for _, tc := range []struct {
		name       string
		db         httpapi.Checker
		model      httpapi.ReadModelStatus
		wantStatus int
		want       string
		wantModel  string
		wantFrom   string
	}{
		{"loaded and fresh", up, httpapi.ReadModelStatus{Ready: true, Meetings: 7, Lag: 200 * time.Millisecond}, 200, "ok", "ok", "memory"},
		{"loading, database up", up, httpapi.ReadModelStatus{}, 200, "ok", "loading", "database"},
		{"loaded, database down", down, httpapi.ReadModelStatus{Ready: true, Meetings: 7, Lag: time.Second}, 200, "degraded", "ok", "memory"},
		{"stale", up, httpapi.ReadModelStatus{Ready: true, Meetings: 7, Lag: time.Minute}, 200, "degraded", "degraded", "memory"},
		{"loading, database down", down, httpapi.ReadModelStatus{}, 503, "unavailable", "loading", "database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httpapi.New(httpapi.Config{Store: e.store, Ready: tc.db, Logger: quietLogger(), Now: func() time.Time { return now },
				ReadModel: func() httpapi.ReadModelStatus { return tc.model }})
			res, _ := spec.exchange(t, srv, request(t, http.MethodGet, "/readyz"))
			var body struct {
				Status    string                `json:"status"`
				Checks    map[string]string     `json:"checks"`
				ReadModel httpapi.ReadModelJSON `json:"read_model"`
			}
			res.decode(t, &body)
			if res.status != tc.wantStatus || body.Status != tc.want || body.Checks["read_model"] != tc.wantModel || body.ReadModel.AnswersFrom != tc.wantFrom {
				t.Errorf("status %d %+v, want %d %s with read_model %s answering from %s", res.status, body, tc.wantStatus, tc.want, tc.wantModel, tc.wantFrom)
			}
		})
	}
}

// TestReadyzReplica checks what /readyz says of a standby answering the
// public reads: its lag, degraded beyond MaxReplicaLag, and unavailable
// reads when it is down with no read model loaded.
func TestReadyzReplica(t *testing.T) {
	e := newEnv(t)
	spec := newSpecCheck(t)
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	lag := func(d time.Duration) func(context.Context) (time.Duration, error) {
		return func(context.Context) (time.Duration, error) { return d, nil }
	}
	gone := func(context.Context) (time.Duration, error) { return 0, errors.New("connection refused") }
	for _, tc := range []struct {
		name        string
		primary     httpapi.Checker
		replica     func(context.Context) (time.Duration, error)
		model       *httpapi.ReadModelStatus
		wantStatus  int
		want, check string
		wantLag     float64
	}{
		{"caught up", up, lag(0), nil, 200, "ok", "ok", 0},
		{"behind within the limit", up, lag(4 * time.Second), nil, 200, "ok", "ok", 4},
		{"behind beyond the limit", up, lag(12 * time.Second), nil, 200, "degraded", "degraded", 12},
		{"primary down, replica up", down, lag(0), nil, 200, "degraded", "ok", 0},
		{"replica down, no read model", up, gone, nil, 503, "unavailable", "unavailable", -1},
		{"replica down, read model loaded", up, gone, &httpapi.ReadModelStatus{Ready: true, Meetings: 7}, 200, "degraded", "unavailable", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := httpapi.Config{Store: e.store, Ready: tc.primary, Logger: quietLogger(), Now: func() time.Time { return now },
				ReplicaLag: tc.replica, MaxReplicaLag: 10 * time.Second}
			if tc.model != nil {
				cfg.ReadModel = func() httpapi.ReadModelStatus { return *tc.model }
			}
			res, _ := spec.exchange(t, httpapi.New(cfg), request(t, http.MethodGet, "/readyz"))
			var body struct {
				Status string            `json:"status"`
				Checks map[string]string `json:"checks"`
				Lag    *float64          `json:"replica_lag_seconds"`
			}
			res.decode(t, &body)
			gotLag := -1.0
			if body.Lag != nil {
				gotLag = *body.Lag
			}
			if res.status != tc.wantStatus || body.Status != tc.want || body.Checks["replica"] != tc.check || gotLag != tc.wantLag {
				t.Errorf("status %d %+v lag %v, want %d %s with replica %s, lag %v", res.status, body, gotLag, tc.wantStatus, tc.want, tc.check, tc.wantLag)
			}
		})
	}
}

// TestReadyzTextSearch checks what /readyz says of the text index: which
// one, and what answers text queries while it cannot.
func TestReadyzTextSearch(t *testing.T) {
	e := newEnv(t)
	spec := newSpecCheck(t)
	for _, tc := range []struct {
		st   httpapi.TextSearchStatus
		want httpapi.TextSearchJSON
	}{
		{httpapi.TextSearchStatus{Index: httpapi.TextIndexMemory, Ready: true, Meetings: 7}, httpapi.TextSearchJSON{Index: "memory", State: "ok", AnswersFrom: "memory", Meetings: 7}},
		{httpapi.TextSearchStatus{Index: httpapi.TextIndexMemory}, httpapi.TextSearchJSON{Index: "memory", State: "loading", AnswersFrom: "database"}},
		{httpapi.TextSearchStatus{Index: httpapi.TextIndexPostgres, Ready: true}, httpapi.TextSearchJSON{Index: "postgres", State: "ok", AnswersFrom: "database"}},
		{httpapi.TextSearchStatus{Index: httpapi.TextIndexMeilisearch, Ready: true}, httpapi.TextSearchJSON{Index: "meilisearch", State: "ok", AnswersFrom: "meilisearch"}},
		{httpapi.TextSearchStatus{Index: httpapi.TextIndexMeilisearch}, httpapi.TextSearchJSON{Index: "meilisearch", State: "degraded", AnswersFrom: "database"}},
	} {
		srv := httpapi.New(httpapi.Config{Store: e.store, Ready: ready, Logger: quietLogger(), Now: func() time.Time { return now },
			TextSearch: func() httpapi.TextSearchStatus { return tc.st }})
		res, _ := spec.exchange(t, srv, request(t, http.MethodGet, "/readyz"))
		var body struct {
			Status     string                 `json:"status"`
			TextSearch httpapi.TextSearchJSON `json:"text_search"`
		}
		res.decode(t, &body)
		if res.status != http.StatusOK || body.Status != "ok" || body.TextSearch != tc.want {
			t.Errorf("%+v: status %d %+v, want 200 ok with %+v", tc.st, res.status, body, tc.want)
		}
	}
}
