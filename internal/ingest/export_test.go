package ingest

import (
	"context"
	"net/netip"
)

// PublicAddr exposes publicAddr to the tests.
var PublicAddr = publicAddr

// SetLookup makes the public client resolve host names with f until the
// returned func restores the resolver.
func SetLookup(f func(ctx context.Context, host string) ([]netip.Addr, error)) (restore func()) {
	old := lookupHost
	lookupHost = f
	return func() { lookupHost = old }
}
