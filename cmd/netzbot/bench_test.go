package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/pgcluster"
)

// TestBenchQuickRunsEndToEnd runs `netzbot bench` the way a developer
// does, with its own PostgreSQL, the fake Bot API, the echo bot and the
// real bot, at a tiny size: it checks that the command still works, not
// how fast anything is.
func TestBenchQuickRunsEndToEnd(t *testing.T) {
	if _, err := pgcluster.FindBinaries(); errors.Is(err, pgcluster.ErrNoBinaries) && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL server binaries:", err)
	}
	clearEnv(t)
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, stdout, stderr := runCmd(t, ctx, "", "bench", "--quick", "--only", "updates", "--scale", "0.02", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"scenario", "1. update throughput", "updates/s (echo bot)", "1. reply latency", "PostgreSQL"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "bench: updates: round 1/2") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| scenario | netzbot | baseline | ratio | target | result | notes |", "| 1. update throughput |", " CPUs, ", "- Go: go", "- PostgreSQL: "} {
		if !strings.Contains(string(md), want) {
			t.Errorf("%s lacks %q:\n%s", out, want, md)
		}
	}
	if code, _, stderr := runCmd(t, ctx, "", "bench", "--only", "nonsense"); code != 2 || !strings.Contains(stderr, "updates") {
		t.Errorf("unknown scenario: exit %d, %q; want 2 and the list of scenarios", code, stderr)
	}
}
