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
