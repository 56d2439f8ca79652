package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects a fetch follows.
const MaxRedirects = 5

// The reasons a fetch is refused before any byte of the feed is read; Fetch
// turns them into errors with a plain message.
var (
	// ErrNotPublic: the feed's host is (or resolves to) a loopback,
	// private, link-local or otherwise non-public address, and the source
	// is not marked local.
	ErrNotPublic = errors.New("the address is not on the public internet (mark the source local to allow it)")
	// ErrTooManyRedirects: more than MaxRedirects redirects (a loop, often).
	ErrTooManyRedirects = fmt.Errorf("more than %d redirects", MaxRedirects)
	// ErrInsecureRedirect: a redirect from https to http.
	ErrInsecureRedirect = errors.New("a redirect from https to http")
)

// nonPublic lists the ranges that are not on the public internet beyond
// those netip.Addr's methods name (loopback, private, link-local,
// multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated, still routed in places)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// publicAddr reports whether a is an address on the public internet, one
// a feed from a source not marked local may be fetched from.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	// NAT64's well-known prefix carries an IPv4 address: check that one.
	if wk := netip.MustParsePrefix("64:ff9b::/96"); wk.Contains(a) {
		b := a.As16()
		return publicAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	return true
}

// lookupHost resolves a host name; tests replace it to make a public-looking
// name resolve to loopback.
var lookupHost = func(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// proxyFromEnvironment is the public client's proxy setting; tests replace
// it along with lookupHost, so that a proxy in their environment does not
// take the names they resolve.
var proxyFromEnvironment = http.ProxyFromEnvironment

// publicDialer dials only public addresses. It resolves the host itself,
// refuses the whole dial when any address is not public (a name that mixes
// public and private answers is not trusted), then dials the checked
// addresses by number, so a second lookup cannot answer otherwise; the
// dialer's Control checks the address of every connection once more, so
// nothing reaches a socket unchecked. Proxies, which the environment
// names, are dialled as they are.
type publicDialer struct {
	dialer  net.Dialer
	proxies sync.Map // host:port of the proxies the transport has used → true
}

func newPublicDialer() *publicDialer {
	d := &publicDialer{dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	d.dialer.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !publicAddr(ap.Addr()) {
			return fmt.Errorf("connect to %s: %w", address, ErrNotPublic)
		}
		return nil
	}
	return d
}

// proxy is the transport's Proxy: the environment's proxy, remembered so
// that DialContext lets it through.
func (d *publicDialer) proxy(r *http.Request) (*url.URL, error) {
	u, err := proxyFromEnvironment(r)
	if u != nil {
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		d.proxies.Store(net.JoinHostPort(u.Hostname(), port), true)
	}
	return u, err
}

// DialContext dials addr (host:port) when every address of host is public.
func (d *publicDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, ok := d.proxies.Load(addr); ok {
		var plain net.Dialer
		plain.Timeout, plain.KeepAlive = d.dialer.Timeout, d.dialer.KeepAlive
		return plain.DialContext(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		if !publicAddr(ip) {
			return nil, fmt.Errorf("%s: %w", host, ErrNotPublic)
		}
		ips = []netip.Addr{ip}
	} else if ips, err = lookupHost(ctx, host); err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	for _, ip := range ips {
		if !publicAddr(ip) {
			return nil, fmt.Errorf("%s is at %s: %w", host, ip, ErrNotPublic)
		}
	}
	var first error
	for _, ip := range ips {
		c, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// checkRedirect follows at most MaxRedirects redirects, to any host (a
// published spreadsheet redirects to its content host), but never from
// https to http; where the redirect leads is checked when it is dialled.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects-1 {
		return ErrTooManyRedirects
	}
	if req.URL.Scheme != "https" {
		for _, v := range via {
			if v.URL.Scheme == "https" {
				return ErrInsecureRedirect
			}
		}
	}
	return nil
}
