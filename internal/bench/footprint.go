package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// Footprint is scenario 5: the real binary's `serve` as a child process
// against the fake Bot API and the benchmark's PostgreSQL (already running,
// database already migrated, as on a restart). It measures the time from
// exec to the first handled update (one waits in getUpdates when the
// process starts), the resident memory (VmRSS of /proc/<pid>/status) when
// idle after start and after scenario 1's traffic.
type Footprint struct{}

// Name implements Scenario.
func (*Footprint) Name() string { return "footprint" }

// childPace is how fast the simulated users of scenario 1 type against the
// child: no faster than the sender's per-chat limit (1 message per 1.1 s)
// lets replies through, or each reply would wait in the limiter and the
// run would measure that wait rather than the bot.
const childPace = 1100 * time.Millisecond

// childSendRate lifts the child's overall send rate (TELEGRAM_SEND_RATE)
// so scenario 1's traffic fits the run; the per-chat limit stays.
const childSendRate = "10000"

// Run implements Scenario.
func (s *Footprint) Run(ctx context.Context, env *Env) ([]Result, error) {
	const (
		idleTarget  = 40_000_000
		startTarget = time.Second
	)
	if env.Binary == "" {
		return []Result{
			pending("5. idle RSS of serve", "< 40 MB", "no netzbot binary to run as a child (run it as `netzbot bench`)"),
			pending("5. start → first update", "< 1 s", "no netzbot binary"),
		}, nil
	}
	pool, dsn, err := env.Database(ctx, "footprint", true)
	if err != nil {
		return nil, err
	}
	pool.Close()
	w := newReplyWatch()
	fake, err := env.Fake(telegramtest.Options{Token: benchToken, BotUsername: "netzbot_bench_bot", OnCall: w.OnCall})
	if err != nil {
		return nil, err
	}
	defer fake.Close()

	first := telegramtest.User{ID: 3_000_000, FirstName: "First", LanguageCode: "de"}
	firstReply := w.register(first.ID)
	fake.SendText(first, "/start")

	cmd := exec.Command(env.Binary, "serve")
	cmd.Env = childEnv(map[string]string{
		"TELEGRAM_BOT_TOKEN": benchToken,
		"TELEGRAM_API_URL":   fake.URL,
		"DATABASE_URL":       dsn,
		"HTTP_ADDR":          "127.0.0.1:0",
		"LOG_LEVEL":          "info",
		"TELEGRAM_SEND_RATE": childSendRate,
	})
	logs := &tailWriter{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	env.Progressf("footprint: starting %s serve", env.Binary)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start serve: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	var startup time.Duration
	select {
	case r := <-firstReply:
		startup = r.at.Sub(began)
	case err := <-exited:
		stopped = true
		return nil, fmt.Errorf("serve exited before answering (%v): %s", err, logs.String())
	case <-time.After(replyTimeout):
		return nil, fmt.Errorf("serve did not answer the first update within %s: %s", replyTimeout, logs.String())
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	pid := cmd.Process.Pid
	time.Sleep(time.Second) // let start-up work (command menu, first poll) settle
	idle, err := procStatus(pid, "VmRSS")
	if err != nil {
		return nil, err
	}

	users := env.Size(500, 500, 2)
	n := env.Size(20000, 2000, 4)
	t := newTraffic(users, n, 3_100_000, 1)
	env.Progressf("footprint: idle RSS %.1f MB; replaying scenario 1's traffic: %s", mb(idle), t.describe())
	res, err := drive(ctx, fake, w, t, childPace, env.budget())
	if err != nil {
		return nil, fmt.Errorf("traffic against serve: %w: %s", err, logs.String())
	}
	after, err := procStatus(pid, "VmRSS")
	if err != nil {
		return nil, err
	}
	peak, _ := procStatus(pid, "VmHWM")

	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			return nil, fmt.Errorf("serve stopped with %v: %s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("serve did not stop within 30 s of SIGTERM")
	}
	violations := fake.Stats().Violations

	rows := []Result{
		{
			Scenario: "5. idle RSS of serve",
			Netzbot:  fmt.Sprintf("%.1f MB", mb(idle)),
			Baseline: "—", Ratio: "—",
			Target:  "< 40 MB",
			Verdict: verdict(idle < idleTarget),
			Notes:   "VmRSS of the child process 1 s after it answered its first update",
		},
		{
			Scenario: "5. RSS after scenario 1",
			Netzbot:  fmt.Sprintf("%.1f MB", mb(after)),
			Baseline: "—", Ratio: "—",
			Target:  "report",
			Verdict: Info,
			Notes: fmt.Sprintf("after %s, each user at most one per %s (the per-chat limit), %s updates answered at %.0f updates/s%s; TELEGRAM_SEND_RATE=%s; peak VmHWM %.1f MB",
				t.describe(), childPace, thousands(res.updates), res.perSecond(), cutNote(res, env), childSendRate, mb(peak)),
		},
		{
			Scenario: "5. start → first update",
			Netzbot:  ms(startup),
			Baseline: "—", Ratio: "—",
			Target:  "< 1 s",
			Verdict: verdict(startup < startTarget),
			Notes:   "exec of `netzbot serve` → reply to a /start waiting in getUpdates; PostgreSQL running, schema migrated; includes getMe, deleteWebhook and the command menu in 12 languages",
		},
	}
	if violations > 0 {
		rows[0].Notes += fmt.Sprintf("; %d requests violated the Bot API reference", violations)
		rows[0].Verdict = Fail
	}
	return rows, nil
}

// childEnv is a clean environment for the child: the developer's netzbot
// settings (DATA_DIR, WEBHOOK_URL…) must not leak into the measurement.
func childEnv(set map[string]string) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOMAXPROCS", "GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// procStatus reads a "kB" field of /proc/<pid>/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			break
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// mb is decimal megabytes, the stricter reading of "40 MB".
func mb(b int64) float64 { return float64(b) / 1e6 }

// tailWriter keeps the last max bytes written, for error messages.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

func cutNote(r driveResult, env *Env) string {
	if !r.cut {
		return ""
	}
	return fmt.Sprintf(" (stopped after %s)", env.budget())
}
