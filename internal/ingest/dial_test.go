package ingest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/ingest"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::1111": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "::ffff:127.0.0.1": false,
		"10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "fd00::1": false,
		"169.254.169.254": false, "fe80::1": false, "fe80::1%eth0": false,
		"0.0.0.0": false, "::": false, "100.64.0.1": false, "255.255.255.255": false, "224.0.0.1": false,
		"64:ff9b::7f00:1": false, "64:ff9b::808:808": true,
	} {
		if got := ingest.PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

// counted is a test server on loopback that counts its requests.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
	t.Cleanup(srv.Close)
	return srv, &n
}

func ok(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("[]")) }

// TestPublicClientRefusesLocalAddresses: without "local", loopback and
// private addresses are refused before connecting, whether given as a
// number or as a name that resolves to one (DNS cannot dodge the check).
func TestPublicClientRefusesLocalAddresses(t *testing.T) {
	srv, hits := counted(t, ok)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	restore := ingest.SetLookup(func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "feeds.example.org":
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "mixed.example.org": // one public answer does not excuse a private one
			return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("no such host")
	})
	defer restore()
	client := ingest.NewClient(0)
	for _, loc := range []string{
		srv.URL,
		"http://feeds.example.org:" + port + "/meetings.json",
		"http://mixed.example.org:" + port + "/meetings.json",
		"http://[::1]:" + port + "/",
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1:" + port + "/",
	} {
		_, err := ingest.Fetch(context.Background(), client, loc, meeting.CacheValidators{}, 0)
		if !meeting.IsKind(err, meeting.KindForbidden) || !strings.Contains(err.Error(), "marked local") {
			t.Errorf("Fetch(%s): %v (kind %q), want forbidden, saying to mark the source local", loc, err, meeting.ErrorKind(err))
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server got %d requests, want none", hits.Load())
	}

	// A run of a source not marked local fails with the reason; marked
	// local, it reads the same server.
	e := newEnv(t)
	src := meeting.Source{Name: "here", Location: srv.URL, Format: meeting.FormatMeetingGuide}
	rep := e.im.Run(context.Background(), src, ingest.Options{Force: true})
	if rep.Status != meeting.ImportFailed || !strings.Contains(rep.Error, "not on the public internet") {
		t.Errorf("run of a loopback source not marked local: %s, %q", rep.Status, rep.Error)
	}
	src.Local = true
	if rep := e.im.Run(context.Background(), src, ingest.Options{Force: true}); rep.Status != meeting.ImportOK {
		t.Errorf("run of a loopback source marked local: %s, %q", rep.Status, rep.Error)
	}
}

func TestRedirects(t *testing.T) {
	client := ingest.NewLocalClient(0)
	fetch := func(loc string) error {
		_, err := ingest.Fetch(context.Background(), client, loc, meeting.CacheValidators{}, 0)
		return err
	}

	t.Run("a loop ends with a clear error", func(t *testing.T) {
		var srv *httptest.Server
		srv, hits := counted(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, srv.URL+"/again", http.StatusFound) })
		err := fetch(srv.URL + "/feed.json")
		if !meeting.IsKind(err, meeting.KindUnavailable) || !strings.Contains(err.Error(), "redirected more than 5 times") {
			t.Errorf("redirect loop: %v", err)
		}
		if n := hits.Load(); n != ingest.MaxRedirects {
			t.Errorf("the looping server got %d requests, want %d", n, ingest.MaxRedirects)
		}
	})

	t.Run("to another host is followed", func(t *testing.T) {
		content, hits := counted(t, ok)
		// "localhost" names another host than 127.0.0.1, as a published
		// spreadsheet's content host is another than its own.
		other := strings.Replace(content.URL, "127.0.0.1", "localhost", 1)
		start, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other+"/export", http.StatusTemporaryRedirect)
		})
		if err := fetch(start.URL); err != nil || hits.Load() != 1 {
			t.Errorf("redirect to another host: %v, %d requests there", err, hits.Load())
		}
	})

	t.Run("https to http is refused", func(t *testing.T) {
		plain, hits := counted(t, ok)
		secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, plain.URL+"/feed.json", http.StatusMovedPermanently)
		}))
		defer secure.Close()
		c := ingest.NewLocalClient(0)
		c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: secure.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
		_, err := ingest.Fetch(context.Background(), c, secure.URL+"/feed.json", meeting.CacheValidators{}, 0)
		if !meeting.IsKind(err, meeting.KindForbidden) || !strings.Contains(err.Error(), "https to http") {
			t.Errorf("https → http: %v (kind %q)", err, meeting.ErrorKind(err))
		}
		if hits.Load() != 0 {
			t.Errorf("the http server got %d requests", hits.Load())
		}
	})
}
