// Package sharedtest finds, for tests, the repository root and the real
// listings in ../shared/data beside it (present on development machines and
// in CI, never copied into the repository). Tests that read those files
// skip with a clear message when the folder is absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the folder holding go.mod above the test's working
// directory, failing the test when there is none.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("sharedtest: no go.mod above the test directory")
		}
		dir = parent
	}
}

// Data returns the folder of real sample files: $MF_SHARED_DATA, or
// ../shared/data beside the repository. It skips the test when the folder
// is absent.
func Data(tb testing.TB) string {
	tb.Helper()
	d := os.Getenv("MF_SHARED_DATA")
	if d == "" {
		d = filepath.Join(RepoRoot(tb), "..", "shared", "data")
	}
	if _, err := os.Stat(d); err != nil {
		tb.Skipf("../shared/data not present: %v (set MF_SHARED_DATA to run these tests)", err)
	}
	return d
}
