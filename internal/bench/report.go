package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

var header = []string{"scenario", "netzbot", "baseline", "ratio", "target", "result", "notes"}

func (r Result) cells() []string {
	return []string{r.Scenario, r.Netzbot, r.Baseline, r.Ratio, r.Target, string(r.Verdict), r.Notes}
}

// Failed counts rows that missed their target or could not run.
func (rep *Report) Failed() int {
	n := 0
	for _, r := range rep.Results {
		if r.Verdict == Fail {
			n++
		}
	}
	return n
}

// machine describes where the run happened.
func (rep *Report) machine() string {
	mode := "full run"
	if rep.Quick {
		mode = "quick run (--quick)"
	}
	if rep.Scale != 1 {
		mode += fmt.Sprintf(", sizes ×%g", rep.Scale)
	}
	return fmt.Sprintf("%s, %d CPUs, %s, %s, PostgreSQL %s, %s, took %s",
		rep.Started.Format("2006-01-02 15:04 MST"), rep.CPUs, rep.OS, rep.GoVersion, rep.PGVersion, mode,
		rep.Duration.Round(time.Second))
}

// WriteText prints the table for a terminal.
func (rep *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rep.Results {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", rep.machine())
	return err
}

// WriteMarkdown writes the table as a Markdown document.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# netzbot benchmarks\n\n")
	b.WriteString("Written by `go run ./cmd/netzbot bench --out docs/benchmarks.md`; see\n")
	b.WriteString("README.md, section Performance, and internal/bench for what each\n")
	b.WriteString("scenario does. Every ratio compares with a baseline measured in the same\n")
	b.WriteString("run on the same machine.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", rep.Started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %d CPUs, %s\n", rep.CPUs, rep.OS)
	fmt.Fprintf(&b, "- Go: %s\n", rep.GoVersion)
	fmt.Fprintf(&b, "- PostgreSQL: %s (throwaway cluster: fsync off)\n", rep.PGVersion)
	mode := "full"
	if rep.Quick {
		mode = "quick (`--quick`)"
	}
	if rep.Scale != 1 {
		mode += fmt.Sprintf(", sizes ×%g", rep.Scale)
	}
	fmt.Fprintf(&b, "- Run: %s, took %s\n\n", mode, rep.Duration.Round(time.Second))
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(header)) + "\n")
	for _, r := range rep.Results {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortDurations(d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
}

// ms formats a duration in milliseconds with sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f < 10:
		return fmt.Sprintf("%.2f ms", f)
	case f < 100:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.0f ms", f)
}

// ratio formats a/b as "1.23×".
func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func verdict(ok bool) Verdict {
	if ok {
		return Pass
	}
	return Fail
}
