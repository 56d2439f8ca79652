package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/postgres"
)

// sqlCapture is a pgx query tracer that remembers the last query's SQL
// text and arguments.
type sqlCapture struct {
	mu   sync.Mutex
	sql  string
	args []any
}

// TraceQueryStart implements pgx.QueryTracer.
func (c *sqlCapture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	c.sql, c.args = d.SQL, slices.Clone(d.Args)
	c.mu.Unlock()
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (c *sqlCapture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// last returns the SQL text and arguments of the last query.
func (c *sqlCapture) last() (string, []any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sql, c.args
}

// captureSample is at how many points captureFindSQL runs Find before it
// derives the arguments at the others.
const captureSample = 8

// captureFindSQL returns the SQL text MeetingStore.Find sends for the
// nearby query (the same at every point) and its arguments at each point.
// It runs Find with a tracer on a one-connection pool of its own at the
// first few points; the arguments at the other points are those of the
// first point with the point replaced, once that rule has been checked
// against every captured point (else Find is run at every point, which is
// slow when the query is).
func captureFindSQL(ctx context.Context, dbURL string, points []orb.Point, filter func(orb.Point) meeting.Filter) (string, [][]any, error) {
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return "", nil, fmt.Errorf("bench: %w", err)
	}
	capture := &sqlCapture{}
	pcfg.ConnConfig.Tracer = capture
	pcfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return "", nil, fmt.Errorf("bench: %w", err)
	}
	defer pool.Close()
	store := postgres.NewMeetingStore(&postgres.DB{Pool: pool})
	var sqlText string
	args := make([][]any, len(points))
	run := func(i int) error {
		if _, err := store.Find(ctx, filter(points[i])); err != nil {
			return err
		}
		s, a := capture.last()
		if i == 0 {
			sqlText = s
		} else if s != sqlText {
			return errors.New("bench: MeetingStore.Find sent different SQL text for different points")
		}
		args[i] = a
		return nil
	}
	sample := min(len(points), captureSample)
	for i := range sample {
		if err := run(i); err != nil {
			return "", nil, err
		}
	}
	derive, ok := pointArgs(points, args[:sample])
	for i := sample; i < len(points); i++ {
		if ok {
			args[i] = derive(i)
		} else if err := run(i); err != nil {
			return "", nil, err
		}
	}
	return sqlText, args, nil
}

// pointArgs returns a function that gives Find's arguments at points[i] as
// those captured at points[0] with the point replaced, and whether that
// rule holds at every captured point (captured[i] being the arguments at
// points[i]).
func pointArgs(points []orb.Point, captured [][]any) (derive func(i int) []any, ok bool) {
	at := slices.IndexFunc(captured[0], func(a any) bool { return a == any(pointEWKT(points[0])) })
	derive = func(i int) []any {
		a := slices.Clone(captured[0])
		a[at] = pointEWKT(points[i])
		return a
	}
	ok = at >= 0
	for i := 1; ok && i < len(captured); i++ {
		ok = sameArgs(derive(i), captured[i])
	}
	return derive, ok
}

// pointEWKT returns p as Find passes it to the query (EWKT).
func pointEWKT(p orb.Point) string {
	return fmt.Sprintf("SRID=4326;POINT(%s %s)", strconv.FormatFloat(p.Lon(), 'f', -1, 64), strconv.FormatFloat(p.Lat(), 'f', -1, 64))
}

// sameArgs reports whether two queries' arguments are equal, taking any two
// times as equal ("now" differs from call to call).
func sameArgs(a, b []any) bool {
	return slices.EqualFunc(a, b, func(x, y any) bool {
		if tx, ok := x.(time.Time); ok {
			_, ok := y.(time.Time)
			return ok && !tx.IsZero()
		}
		return fmt.Sprintf("%T %v", x, x) == fmt.Sprintf("%T %v", y, y)
	})
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
