package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Row is one line of a results table: a phase's result on a data set,
// compared with a baseline's throughput.
type Row struct {
	Dataset string // what the phase ran against, e.g. "100,000"
	Path    string // how the requests were made, e.g. "HTTP API"
	Result  Result
	// Baseline is the baseline's throughput in requests per second; the
	// row shows Result's throughput divided by it. 0 leaves the cell empty.
	Baseline float64
	// RSS is the application server's resident set size during the
	// phase; no samples leaves the cell empty (the server is this
	// process, or there is none).
	RSS RSSRange
}

// WriteMarkdown writes rows as a GitHub-flavoured Markdown table, ready to
// paste into a README. It returns w's write error. Errors count the
// warm-up's too. "bench CPU" is this
// process (for the HTTP phases only the client), "serve CPU" the server
// in a process of its own, "DB CPU" the PostgreSQL backends; "machine
// busy" is the whole machine, "(others)" the part of it that was none of
// these (Result.OthersBusy).
func WriteMarkdown(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| meetings | path | conc. | requests | errors | p50 ms | p99 ms | req/s | ÷ baseline | rows/req | bench CPU ms/req | serve CPU ms/req | DB CPU ms/req | server RSS MiB | machine busy (others) |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		res := r.Result
		ratio := ""
		if r.Baseline > 0 {
			ratio = fmt.Sprintf("%.2f", res.Throughput()/r.Baseline)
		}
		busy := "–"
		if res.MachineBusy >= 0 {
			busy = fmt.Sprintf("%.0f%%", 100*res.MachineBusy)
		}
		if o := res.OthersBusy(); o >= 0 {
			busy += fmt.Sprintf(" (%.0f%%)", 100*o)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %.2f | %.2f | %.0f | %s | %.1f | %s | %s | %s | %s | %s |\n",
			r.Dataset, r.Path, res.Concurrency, res.Requests, res.Errors, ms(res.P50), ms(res.P99),
			res.Throughput(), ratio, res.RowsPerRequest(), msCell(res.CPUPerRequest()),
			msCell(res.ServeCPUPerRequest()), msCell(res.ServerCPUPerRequest()), rssCell(r.RSS), busy)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// msCell formats a CPU time per request in milliseconds, "–" when 0
// (unknown).
func msCell(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", ms(d))
}

// rssCell formats an RSS range in MiB: "min–max", or one figure when they
// round alike; "–" without samples.
func rssCell(r RSSRange) string {
	if r.Samples == 0 {
		return "–"
	}
	lo, hi := fmt.Sprintf("%.0f", mib(r.Min)), fmt.Sprintf("%.0f", mib(r.Max))
	if lo == hi {
		return lo
	}
	return lo + "–" + hi
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Thousands formats n with commas between groups of three digits
// (1000000 → "1,000,000").
func Thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
