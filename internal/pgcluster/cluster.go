// Package pgcluster runs a private PostgreSQL server from the binaries the
// system already has (initdb, postgres), so netzbot works without an
// administrator setting up a database: for tests and demos a throwaway
// cluster in a temp dir, for a small deployment a persistent one in DATA_DIR.
//
// The server listens only on a unix socket in a directory nobody else can
// enter, so trust authentication is safe; it runs as a child process that
// dies with us, so a crashed bot or test never leaves a server behind.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// Port only names the socket file (.s.PGSQL.5432); with a private
	// socket directory it cannot clash with another server.
	Port = 5432

	pgdataName = "pgdata"
	initdbName = "pgdata.initdb" // initdb writes here first, so pgdata is never half made
	socketName = "run"
	logName    = "postgres.log"
	lockFile   = "netzbot.lock"

	// maxSocketPath is sun_path (108 bytes) minus the terminating NUL.
	maxSocketPath = 107

	readyTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	maxLogSize   = 10 << 20 // rotate postgres.log beyond this at start
)

// Options configure Start.
type Options struct {
	// Dir holds the cluster (Dir/pgdata), its lock and its log. Empty means
	// a new temp dir.
	Dir string
	// Keep leaves a temp Dir in place on Stop, for looking at it afterwards.
	// A Dir that was given is never removed.
	Keep bool
	// Throwaway trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off): for tests and demos, never for real data.
	Throwaway bool
	// Logger gets one line about where the cluster lives; nil means
	// slog.Default().
	Logger *slog.Logger
	// LogOutput gets the server's own log; nil means Dir/postgres.log.
	LogOutput io.Writer
}

// Cluster is a running (or stopped, see StopServer) PostgreSQL server owned
// by this process.
type Cluster struct {
	opts    Options
	logger  *slog.Logger
	dir     string
	temp    bool
	binDir  string
	pgdata  string
	version string // major version from PG_VERSION
	sockDir string
	// privateSock: sockDir is a short temp dir of its own (Dir was too long
	// for a socket path), removed on Stop.
	privateSock bool
	owner       *owner
	lock        *os.File
	logFile     *os.File
	logOut      io.Writer
	tail        *tailBuffer

	mu     sync.Mutex // serialises Start/Stop/Restart
	proc   *process
	closed bool
}

// process is one run of the postmaster.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the postmaster has exited
	err  error         // Wait's result, valid after done
}

// Start prepares Dir (initdb on first use), takes its lock and starts the
// server, returning once it accepts connections.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	began := time.Now()
	c := &Cluster{opts: opts, logger: opts.Logger, tail: newTailBuffer(8 << 10)}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.owner, err = serverOwner(); err != nil {
		return nil, err
	}
	if err := c.makeDir(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.release()
		}
	}()
	if c.lock, err = lockDir(c.dir); err != nil {
		return nil, err
	}
	if err := c.owner.checkReachable(c.dir); err != nil {
		return nil, err
	}
	initialized, err := c.ensurePGData(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.makeSocketDir(); err != nil {
		return nil, err
	}
	if err := c.openLog(); err != nil {
		return nil, err
	}
	if err := c.startServer(ctx); err != nil {
		return nil, err
	}
	logPath := "(LogOutput)"
	if c.logFile != nil {
		logPath = c.logFile.Name()
	}
	c.logger.Info("postgres ready",
		"data_dir", c.dir,
		"socket_dir", c.sockDir,
		"server_log", logPath,
		"version", c.version,
		"initdb", initialized,
		"throwaway", opts.Throwaway,
		"temp", c.temp,
		"startup_ms", time.Since(began).Milliseconds())
	return c, nil
}

// Dir is the directory holding pgdata, the lock and the log.
func (c *Cluster) Dir() string { return c.dir }

// DataDir is the PostgreSQL data directory (Dir/pgdata).
func (c *Cluster) DataDir() string { return c.pgdata }

// SocketDir is where the server's unix socket lives.
func (c *Cluster) SocketDir() string { return c.sockDir }

// Version is the server's major version, e.g. "15".
func (c *Cluster) Version() string { return c.version }

// DSN is a libpq/pgx connection string for database dbname on this server.
func (c *Cluster) DSN(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable",
		quoteDSN(c.sockDir), Port, quoteDSN(dbname))
}

// ConnString is DSN for the maintenance database "postgres".
func (c *Cluster) ConnString() string { return c.DSN("postgres") }

// CreateDatabase creates database name unless it exists, so callers can run
// it on every start.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // duplicate_database: someone else was quicker
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down (fast shutdown, killed if it takes too long),
// releases the lock and removes a temp Dir unless Keep. Safe to call twice.
func (c *Cluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.stopServer(ctx)
	c.release()
	return err
}

// StopServer stops only the server, keeping Dir and the lock, so a test can
// simulate a database outage and bring it back with StartServer.
func (c *Cluster) StopServer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopServer(ctx)
}

// StartServer starts the server again after StopServer; a no-op while it
// runs.
func (c *Cluster) StartServer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("pgcluster: cluster already stopped")
	}
	if c.proc != nil {
		return nil
	}
	return c.startServer(ctx)
}

// Restart stops and starts the server on the same data, dropping every
// connection: what a database outage looks like to clients.
func (c *Cluster) Restart(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("pgcluster: cluster already stopped")
	}
	if err := c.stopServer(ctx); err != nil {
		return err
	}
	return c.startServer(ctx)
}

// makeDir creates or resolves Dir.
func (c *Cluster) makeDir() error {
	if c.opts.Dir == "" {
		base := tempBase(c.opts.Throwaway)
		sweepTempDirs(base, c.logger)
		dir, err := os.MkdirTemp(base, tempPrefix)
		if err != nil {
			return fmt.Errorf("create temp dir: %w", err)
		}
		c.dir, c.temp = dir, true
		if err := os.WriteFile(filepath.Join(dir, tempMarker), nil, 0o600); err != nil {
			return fmt.Errorf("mark temp dir: %w", err)
		}
		return c.allowTraverse(dir)
	}
	dir, err := filepath.Abs(c.opts.Dir)
	if err != nil {
		return fmt.Errorf("data dir %s: %w", c.opts.Dir, err)
	}
	c.dir = dir
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("data dir: %w", err)
	}
	// Refuse before creating anything the postgres user could not reach.
	if err := c.owner.checkReachable(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	return c.allowTraverse(dir)
}

// allowTraverse lets the postgres user pass through a Dir we created (as
// root), without letting it or anyone else list it.
func (c *Cluster) allowTraverse(dir string) error {
	if c.owner == nil {
		return nil
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return nil
}

// ensurePGData reuses Dir/pgdata or creates it with initdb, and picks the
// binaries that fit it.
func (c *Cluster) ensurePGData(ctx context.Context) (initialized bool, err error) {
	c.pgdata = filepath.Join(c.dir, pgdataName)
	ver, err := os.ReadFile(filepath.Join(c.pgdata, "PG_VERSION"))
	if err == nil {
		c.version = strings.TrimSpace(string(ver))
		c.binDir, err = binariesForVersion(c.version)
		return false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read PG_VERSION: %w", err)
	}
	if entries, err := os.ReadDir(c.pgdata); err == nil && len(entries) > 0 {
		return false, fmt.Errorf("%s exists but is not a PostgreSQL data directory (no PG_VERSION): move it away or choose another DATA_DIR", c.pgdata)
	}
	if c.binDir, err = FindBinaries(); err != nil {
		return false, err
	}
	if err := c.initdb(ctx); err != nil {
		return false, err
	}
	ver, err = os.ReadFile(filepath.Join(c.pgdata, "PG_VERSION"))
	if err != nil {
		return false, fmt.Errorf("read PG_VERSION after initdb: %w", err)
	}
	c.version = strings.TrimSpace(string(ver))
	return true, nil
}

// initdb creates the cluster beside pgdata and renames it into place, so a
// crash during initdb leaves nothing that looks like a cluster.
func (c *Cluster) initdb(ctx context.Context) error {
	tmp := filepath.Join(c.dir, initdbName)
	run := func(locale string) (string, error) {
		// Only our own leftover from an interrupted initdb can be here.
		if err := os.RemoveAll(tmp); err != nil {
			return "", fmt.Errorf("remove stale %s: %w", tmp, err)
		}
		if err := os.Mkdir(tmp, 0o700); err != nil {
			return "", fmt.Errorf("initdb: %w", err)
		}
		if err := c.owner.chown(tmp); err != nil {
			return "", err
		}
		args := []string{"-D", tmp, "-U", "postgres", "--auth=trust", "-E", "UTF8", locale, "--no-instructions"}
		if c.opts.Throwaway {
			args = append(args, "--no-sync")
		}
		cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "initdb"), args...)
		cmd.Dir = c.dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.owner.credential(), Setpgid: true, Pdeathsig: syscall.SIGKILL}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("--locale=C.UTF-8")
	if err != nil && strings.Contains(out, "locale") {
		// Systems without the C.UTF-8 locale (older or minimal images).
		out, err = run("--no-locale")
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("initdb %s: %w\n%s", c.pgdata, err, strings.TrimSpace(out))
	}
	os.Remove(c.pgdata) // an empty pgdata someone created; Rename needs it gone
	if err := os.Rename(tmp, c.pgdata); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	return nil
}

// makeSocketDir picks Dir/run, or a short private temp dir when that path
// would not fit into a unix socket address.
func (c *Cluster) makeSocketDir() error {
	dir := filepath.Join(c.dir, socketName)
	if len(dir)+len("/.s.PGSQL.")+len(strconv.Itoa(Port)) > maxSocketPath {
		d, err := os.MkdirTemp("", "nzpg-")
		if err == nil && len(d)+len("/.s.PGSQL.")+len(strconv.Itoa(Port)) > maxSocketPath {
			os.Remove(d)
			d, err = os.MkdirTemp("/tmp", "nzpg-")
		}
		if err != nil {
			return fmt.Errorf("socket dir: %w", err)
		}
		dir, c.privateSock = d, true
	} else if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("socket dir: %w", err)
	}
	c.sockDir = dir
	// Trust authentication is only safe because nobody but the server's
	// user (and root) can enter this directory.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("socket dir: %w", err)
	}
	return c.owner.chown(dir)
}

func (c *Cluster) openLog() error {
	if c.opts.LogOutput != nil {
		c.logOut = io.MultiWriter(c.opts.LogOutput, c.tail)
		return nil
	}
	path := filepath.Join(c.dir, logName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogSize {
		os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	c.logFile = f
	c.logOut = io.MultiWriter(f, c.tail)
	return nil
}

// startServer runs the postmaster as our child and waits until it accepts
// connections. Caller holds mu.
func (c *Cluster) startServer(ctx context.Context) error {
	waitForOldPostmaster(ctx, c.pgdata)
	args := []string{
		"-D", c.pgdata,
		"-k", c.sockDir,
		"-c", "listen_addresses=",
		"-c", "port=" + strconv.Itoa(Port),
		"-c", "unix_socket_permissions=0700",
		"-c", "cluster_name=netzbot",
	}
	if c.opts.Throwaway {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(c.binDir, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Stdout = c.logOut
	cmd.Stderr = c.logOut
	cmd.WaitDelay = 5 * time.Second // backends may hold the log pipe a moment after a kill
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: c.owner.credential(),
		// Our own process group, so a Ctrl-C in the terminal reaches only
		// the bot, which then shuts the server down in order.
		Setpgid: true,
		// If we die, the server does a fast shutdown (SIGINT) by itself:
		// no orphaned postgres, and unlike SIGKILL no crash recovery next
		// time; unlike SIGTERM it does not wait for idle sessions.
		Pdeathsig: syscall.SIGINT,
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the *thread* that forked the child exits, and
		// Go may retire idle threads; keep this one until the child is gone.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(p.done)
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc = p
	if err := c.waitReady(ctx, p); err != nil {
		c.stopServer(context.WithoutCancel(ctx))
		return err
	}
	return nil
}

func (c *Cluster) waitReady(ctx context.Context, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var lastErr error
	for delay := 10 * time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, c.ConnString())
		ccancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		lastErr = err
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited during startup (%v); server log:\n%s", p.err, c.tail)
		case <-ctx.Done():
			return fmt.Errorf("postgres not accepting connections after %s: %w (last: %v); server log:\n%s",
				readyTimeout, ctx.Err(), lastErr, c.tail)
		case <-time.After(delay):
		}
	}
}

// stopServer does a fast shutdown, killing the server if it outlasts
// stopTimeout or ctx. Caller holds mu.
func (c *Cluster) stopServer(ctx context.Context) error {
	p := c.proc
	if p == nil {
		return nil
	}
	c.proc = nil
	select {
	case <-p.done:
		return nil // died on its own; nothing to stop
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
	case <-ctx.Done():
	}
	p.cmd.Process.Kill()
	<-p.done
	return fmt.Errorf("postgres did not shut down in time, killed it; server log:\n%s", c.tail)
}

// release undoes Start's side effects on the file system. Caller holds mu
// (or is Start itself).
func (c *Cluster) release() {
	if c.logFile != nil {
		c.logFile.Close()
	}
	if c.privateSock {
		os.RemoveAll(c.sockDir)
	}
	if c.temp {
		if c.opts.Keep {
			os.Remove(filepath.Join(c.dir, tempMarker))
		} else if err := os.RemoveAll(c.dir); err != nil {
			c.logger.Warn("remove temp cluster dir", "dir", c.dir, "err", err)
		}
	}
	if c.lock != nil {
		// Unlock before closing: a child process forked meanwhile by
		// anyone in this process shares the file until it execs, and the
		// flock would last as long as that copy.
		unlockFile(c.lock)
		c.lock.Close()
	}
}

// waitForOldPostmaster gives a postmaster of a previous run of ours (which
// got SIGINT when its parent died) a moment to finish its shutdown, instead
// of failing with "lock file postmaster.pid already exists".
func waitForOldPostmaster(ctx context.Context, pgdata string) {
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil || pid <= 0 {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for isLivePostgres(pid) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
}

// isLivePostgres tells from /proc/<pid>/stat whether pid is a postgres
// process that has not exited yet (a zombie has, it just awaits reaping).
func isLivePostgres(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b) // "pid (comm) state …"; comm may contain spaces
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return false
	}
	fields := strings.Fields(s[end+1:])
	return strings.HasPrefix(s[open+1:end], "postgres") && len(fields) > 0 && fields[0] != "Z"
}

// quoteDSN quotes a keyword/value connection string value when needed.
func quoteDSN(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\r\\'") {
		return s
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
