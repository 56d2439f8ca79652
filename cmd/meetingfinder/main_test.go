package main

import (
	"os"
	"testing"
)

// TestMain runs the tests or, with MF_TEST_MAIN=1 in the environment, the
// command itself: tests that need serve as a process of its own (to send
// it a real SIGTERM) start the test binary that way.
func TestMain(m *testing.M) {
	if os.Getenv("MF_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
