package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// findSQL returns the SQL text MeetingStore.Find sends for the nearby
// query (the same at every point) and its arguments at each point, as the
// store's query builder makes them (postgres.FindSQL).
func findSQL(points []orb.Point, filter func(orb.Point) meeting.Filter) (string, [][]any, error) {
	var sqlText string
	args := make([][]any, len(points))
	for i, p := range points {
		s, a := postgres.FindSQL(filter(p))
		if i == 0 {
			sqlText = s
		} else if s != sqlText {
			return "", nil, errors.New("bench: MeetingStore.Find builds different SQL text for different points")
		}
		args[i] = a
	}
	return sqlText, args, nil
}

// explainQuery prints the SQL text and EXPLAIN (ANALYZE, BUFFERS) of it with
// args.
func explainQuery(ctx context.Context, pool *pgxpool.Pool, sqlText string, args []any, stdout io.Writer) error {
	rows, err := pool.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+sqlText, args...)
	if err != nil {
		return fmt.Errorf("bench: explain: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("bench: explain: %w", err)
	}
	fmt.Fprintf(stdout, "bench: the query (arguments %v):\n%s\n\n%s\n\n", args, sqlText, strings.Join(lines, "\n"))
	return nil
}
