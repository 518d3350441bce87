package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/bench"
)

// runBench measures netzbot against its baselines on a throwaway PostgreSQL
// and the fake Bot API: progress on stderr, the table on stdout.
func runBench(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "small sizes: the whole run takes under a minute")
	out := fs.String("out", "", "also write the table as Markdown to this file, e.g. docs/benchmarks.md")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end of the run to this file")
	only := fs.String("only", "", "run only these scenarios, comma-separated: "+scenarioNames())
	scale := fs.Float64("scale", 1, "multiply every scenario's size by this factor (tests use a tiny one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: bench takes no arguments, got %q", errUsage, fs.Args())
	}
	if *scale <= 0 {
		return fmt.Errorf("%w: --scale must be above 0", errUsage)
	}
	opt := bench.Options{Quick: *quick, Scale: *scale, Progress: stderr, Binary: selfBinary(),
		SampleData: func(ctx context.Context, pool *pgxpool.Pool) error {
			return loadSampleData(ctx, pool, slog.New(slog.DiscardHandler))
		}}
	for _, name := range strings.Split(*only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			opt.Only = append(opt.Only, name)
		}
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, opt)
	if err != nil {
		if errors.Is(err, bench.ErrUsage) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return err
	}
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			return err
		}
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *out != "" {
		if err := writeMarkdown(*out, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "bench: wrote %s\n", *out)
	}
	if n := rep.Failed(); n > 0 {
		fmt.Fprintf(stderr, "bench: %d of %d rows missed their target (marked FAIL)\n", n, len(rep.Results))
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d scenarios could not run; see the table", rep.Errors)
	}
	return nil
}

func scenarioNames() string {
	var names []string
	for _, s := range bench.Scenarios() {
		names = append(names, s.Name())
	}
	return strings.Join(names, ", ")
}

// selfBinary is this executable, which the footprint scenario runs as
// `serve`; empty inside a test binary, which cannot serve.
func selfBinary() string {
	exe, err := os.Executable()
	if err != nil || strings.HasSuffix(filepath.Base(exe), ".test") {
		return ""
	}
	return exe
}

func writeMarkdown(path string, rep *bench.Report) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteMarkdown(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
