package httpapi

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterCap(t *testing.T) {
	at := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{PerMinute: 60, Burst: 2}, DefaultPublicRate, func() time.Time { return at })
	l.max = 4
	// "a" spends its burst, then four other clients come: the map stays
	// at four buckets, and "a", the least recently used, is dropped (so
	// it starts afresh).
	for range 2 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatal("a refused within its burst")
		}
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("a allowed past its burst")
	}
	for i := range 20 {
		l.allow(fmt.Sprintf("client %d", i))
		if n := l.len(); n > l.max {
			t.Fatalf("after %d clients the limiter holds %d buckets, cap %d", i+1, n, l.max)
		}
	}
	if ok, _ := l.allow("a"); !ok {
		t.Error("a's bucket was not the one dropped")
	}
	// A client seen recently keeps its bucket while others come and go.
	l.allow("b")
	l.allow("b")
	l.allow("c")
	l.allow("b") // b is now the most recently used, and empty
	l.allow("d")
	l.allow("e")
	if ok, _ := l.allow("b"); ok {
		t.Error("b's empty bucket was dropped while newer ones stayed")
	}
}

func TestLimiterSweepsIdle(t *testing.T) {
	at := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{PerMinute: 60, Burst: 2}, DefaultPublicRate, func() time.Time { return at })
	for i := range 100 {
		l.allow(fmt.Sprintf("client %d", i))
	}
	// Two seconds refill a burst of 2 at one a second: every bucket is full
	// again and forgetting it changes nothing.
	at = at.Add(3 * time.Second)
	l.allow("late")
	if n := l.len(); n != 1 {
		t.Errorf("after the others went idle the limiter holds %d buckets, want 1", n)
	}
}

func TestAddrKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"", ""},
		{"not an address", "not an address"},
	} {
		if got := addrKey(c.in); got != c.want {
			t.Errorf("addrKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
