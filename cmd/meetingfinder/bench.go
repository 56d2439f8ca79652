package main

import (
	"context"
	"io"
)

func runBench(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	return usageError{"bench: not built yet"}
}
