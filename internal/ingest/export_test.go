package ingest

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
)

// PublicAddr exposes publicAddr to the tests.
var PublicAddr = publicAddr

// SetLookup makes the public client resolve host names with f, and use no
// proxy, until the returned func restores both.
func SetLookup(f func(ctx context.Context, host string) ([]netip.Addr, error)) (restore func()) {
	old, oldProxy := lookupHost, proxyFromEnvironment
	lookupHost = f
	proxyFromEnvironment = func(*http.Request) (*url.URL, error) { return nil, nil }
	return func() { lookupHost, proxyFromEnvironment = old, oldProxy }
}
