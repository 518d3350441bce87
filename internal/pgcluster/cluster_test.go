package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// needBinaries skips without a PostgreSQL installation, except on CI, where
// a skipped database test would hide a broken setup.
func needBinaries(t *testing.T) {
	t.Helper()
	if _, err := FindBinaries(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// reachableTempDir is a temp dir the postgres user can reach (the server
// runs as that user when the tests run as root), on /dev/shm when roomy, as
// creating a cluster there is several times faster than on a VM disk.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp(tempBase(true), "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if os.Geteuid() == 0 {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func start(t *testing.T, opts Options) *Cluster {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	began := time.Now()
	c, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("cluster in %s started in %s", c.Dir(), time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestTempCluster(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	ctx := t.Context()
	c := start(t, Options{Throwaway: true})

	if !strings.HasPrefix(c.SocketDir(), c.Dir()) {
		t.Errorf("socket dir %s not inside %s", c.SocketDir(), c.Dir())
	}
	var one int
	if err := connect(t, c.ConnString()).QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var fsync string
	if err := connect(t, c.ConnString()).QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "off" {
		t.Errorf("throwaway cluster: fsync = %q, %v", fsync, err)
	}

	for range 2 { // the second call finds it and does nothing
		if err := c.CreateDatabase(ctx, "netzbot app"); err != nil {
			t.Fatalf("CreateDatabase: %v", err)
		}
	}
	var db string
	if err := connect(t, c.DSN("netzbot app")).QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || db != "netzbot app" {
		t.Fatalf("current_database() = %q, %v", db, err)
	}

	dir := c.Dir()
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s still there after Stop (%v)", dir, err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestPersistentDirKeepsData(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(reachableTempDir(t), "data")

	c := start(t, Options{Dir: dir})
	if _, err := connect(t, c.ConnString()).Exec(ctx,
		"CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}

	_, err := Start(ctx, Options{Dir: dir, Logger: quietLogger()})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another netzbot is already using DATA_DIR "+dir) {
		t.Fatalf("second Start on a running dir: err = %v, want the lock error", err)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pgdata", "PG_VERSION")); err != nil {
		t.Fatalf("persistent cluster gone after Stop: %v", err)
	}

	c = start(t, Options{Dir: dir})
	var body string
	if err := connect(t, c.ConnString()).QueryRow(ctx, "SELECT body FROM notes").Scan(&body); err != nil || body != "kept" {
		t.Fatalf("after restart: body = %q, %v", body, err)
	}
}

// TestRestartLongDir also covers a Dir too long for a socket path: the
// socket then moves to a short private dir.
func TestRestartLongDir(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(reachableTempDir(t), strings.Repeat("d", 100))

	c := start(t, Options{Dir: dir, Throwaway: true})
	if strings.HasPrefix(c.SocketDir(), dir) {
		t.Errorf("socket dir %s inside the long dir", c.SocketDir())
	}
	conn := connect(t, c.ConnString())
	if _, err := conn.Exec(ctx, "CREATE TABLE t (n int); INSERT INTO t VALUES (42)"); err != nil {
		t.Fatal(err)
	}

	began := time.Now()
	if err := c.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	t.Logf("restart took %s", time.Since(began).Round(time.Millisecond))
	if err := conn.Ping(ctx); err == nil {
		t.Error("connection survived a restart")
	}
	var n int
	if err := connect(t, c.ConnString()).QueryRow(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Fatalf("after Restart: n = %d, %v", n, err)
	}

	if err := c.StopServer(ctx); err != nil {
		t.Fatalf("StopServer: %v", err)
	}
	if conn, err := pgx.Connect(ctx, c.ConnString()); err == nil {
		conn.Close(ctx)
		t.Fatal("connected to a stopped server")
	}
	if err := c.StartServer(ctx); err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	if err := connect(t, c.ConnString()).QueryRow(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Fatalf("after StartServer: n = %d, %v", n, err)
	}

	sock := c.SocketDir()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("private socket dir %s left behind (%v)", sock, err)
	}
}

func TestKeepTempDir(t *testing.T) {
	needBinaries(t)
	t.Parallel()
	c := start(t, Options{Throwaway: true, Keep: true, LogOutput: io.Discard})
	dir := c.Dir()
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := c.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pgdata", "PG_VERSION")); err != nil {
		t.Fatalf("Keep: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, tempMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("kept dir still marked for the sweep (%v)", err)
	}
}

func TestUnreachableDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to the postgres user")
	}
	if _, err := serverOwner(); err != nil {
		t.Skip(err)
	}
	needBinaries(t)
	dir := filepath.Join(t.TempDir(), "data") // t.TempDir's parents are 0700
	wantAdvice := func(err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "postgres user cannot reach "+dir) ||
			!strings.Contains(err.Error(), "chmod o+x") {
			t.Fatalf("err = %v, want advice about traversable parents", err)
		}
	}
	_, err := Start(t.Context(), Options{Dir: dir, Logger: quietLogger()})
	wantAdvice(err)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("created %s although the server could not reach it (%v)", dir, err)
	}

	// An existing dir is locked before the check; the lock must be released
	// again, or the next Start after fixing permissions fails.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = Start(t.Context(), Options{Dir: dir, Logger: quietLogger()})
	wantAdvice(err)
	if _, err := os.Stat(filepath.Join(dir, "pgdata")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pgdata created although unreachable (%v)", err)
	}
	l, err := lockDir(dir)
	if err != nil {
		t.Fatalf("lock not released: %v", err)
	}
	l.Close()
}

// TestServerDiesWithUs kills a process running a cluster with SIGKILL (no
// chance to clean up), expects the server to go away by itself and a new
// Start on the same dir to work right away: a crashed bot restarted by
// systemd.
func TestServerDiesWithUs(t *testing.T) {
	if dir := os.Getenv("PGCLUSTER_TEST_HELPER_DIR"); dir != "" {
		c, err := Start(context.Background(), Options{Dir: dir, Throwaway: true, Logger: quietLogger()})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Println(c.proc.cmd.Process.Pid)
		select {} // wait to be killed
	}
	needBinaries(t)
	t.Parallel()
	dir := filepath.Join(reachableTempDir(t), "data")

	cmd := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithUs$")
	cmd.Env = append(os.Environ(), "PGCLUSTER_TEST_HELPER_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper did not report its server: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	killed := time.Now()

	c := start(t, Options{Dir: dir, Throwaway: true})
	t.Logf("started again %s after the kill", time.Since(killed).Round(time.Millisecond))
	if running(pid) {
		t.Errorf("old postgres %d still running", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	var one int
	if err := connect(t, c.ConnString()).QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

// running is false for a process that is gone or a zombie (exited, waiting
// for whoever adopted it to reap it, which is none of our business).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc: best effort
	}
	// pid (comm) state …; comm may contain spaces, so look after the last ')'.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}
