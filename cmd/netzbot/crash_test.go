package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// These tests run `netzbot serve` as a real child process (this test
// binary, re-executed with NETZBOT_TEST_CHILD=serve) against a fake Bot API
// in the test and a PostgreSQL database, and kill it (SIGKILL) or stop it
// (SIGTERM) in the middle of its work.

const childEnv = "NETZBOT_TEST_CHILD"

func init() {
	if os.Getenv(childEnv) == "serve" {
		main() // runs serve with the environment below and exits
	}
}

const childToken = "424242:child-process-token"

type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// startChild runs `netzbot serve` with env on top of a clean environment.
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = []string{childEnv + "=serve", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"TELEGRAM_BOT_TOKEN=" + childToken, "HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=info"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("child output:\n%s", c.out.String())
		}
	})
	return c
}

// stop sends sig and waits for the exit; it returns the exit code (-1 if
// killed by a signal) and how long the child took.
func (c *child) stop(t *testing.T, sig syscall.Signal, within time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(within):
		t.Fatalf("the child did not exit within %v after %v", within, sig)
	}
	return c.cmd.ProcessState.ExitCode(), time.Since(start)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, within time.Duration, c *child, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if c != nil {
			select {
			case <-c.done:
				t.Fatalf("the child exited (%v) while waiting for %s", c.err, what)
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var notificationNo = regexp.MustCompile(`/n(\d+)\b`)

// scheduleNumbered schedules one KindMessage notification per number, to
// users round robin; its text names the number ("/n17"), so deliveries
// can be counted per notification.
func scheduleNumbered(t *testing.T, pool *pgxpool.Pool, fake *telegramtest.Server, users, count int, firstUser int64) {
	t.Helper()
	ctx := context.Background()
	us := &postgres.UserStore{Pool: pool}
	for i := 0; i < users; i++ {
		id := firstUser + int64(i)
		fake.AddUser(telegramtest.User{ID: id, FirstName: "N", LanguageCode: "de"})
		if _, err := us.Touch(ctx, id, "de"); err != nil {
			t.Fatal(err)
		}
	}
	store := &postgres.NotificationStore{Pool: pool}
	for n := 0; n < count; n++ {
		if err := store.Schedule(ctx, notify.Notification{
			Kind: bot.KindMessage, UserID: firstUser + int64(n%users), Key: fmt.Sprintf("batch:%d", n),
			Data: map[string]string{"id": "unknown_command", "Command": fmt.Sprintf("/n%d", n)}, DueAt: time.Now().Add(-time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// deliveries counts the delivered copies of each numbered notification.
func deliveries(fake *telegramtest.Server) map[int]int {
	out := map[int]int{}
	for _, c := range fake.Calls() {
		if c.Method != "sendMessage" || !c.OK() {
			continue
		}
		if m := notificationNo.FindStringSubmatch(c.Text); m != nil {
			n, _ := strconv.Atoi(m[1])
			out[n]++
		}
	}
	return out
}

func pendingCount(t *testing.T, pool *pgxpool.Pool) int {
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE status = 'pending'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestKilledDuringABatchLosesNothingAndDuplicatesAtMostOncePerCrash kills
// the bot twice with SIGKILL while it sends a batch of notifications,
// restarts it each time, and counts what arrived.
func TestKilledDuringABatchLosesNothingAndDuplicatesAtMostOncePerCrash(t *testing.T) {
	db := pgtest.New(t)
	fake := telegramtest.Start(t, telegramtest.Options{Token: childToken})
	const users, count, crashes = 30, 60, 2
	scheduleNumbered(t, db.Pool, fake, users, count, 987650020000)
	// Slow answers keep several sends in flight when the kill lands.
	fake.Inject(telegramtest.Fault{Method: "sendMessage", Delay: 40 * time.Millisecond, Times: -1})
	env := map[string]string{"TELEGRAM_API_URL": fake.URL, "DATABASE_URL": db.DSN}
	for crash := 1; crash <= crashes; crash++ {
		c := startChild(t, env)
		target := crash * count / (crashes + 1)
		waitFor(t, fmt.Sprintf("%d deliveries", target), 30*time.Second, c, func() bool { return len(deliveries(fake)) >= target })
		if code, _ := c.stop(t, syscall.SIGKILL, 10*time.Second); code != -1 {
			t.Fatalf("crash %d: exit code %d, want killed", crash, code)
		}
		if pendingCount(t, db.Pool) == 0 {
			t.Fatalf("crash %d came too late: everything was sent already", crash)
		}
		// The killed worker's claims would be free again after their
		// 2-minute lease; let that time pass.
		if _, err := db.Pool.Exec(context.Background(), `UPDATE notifications SET claimed_until = now() WHERE status = 'pending' AND claimed_until > now()`); err != nil {
			t.Fatal(err)
		}
	}
	c := startChild(t, env)
	waitFor(t, "every notification sent", 30*time.Second, c, func() bool { return pendingCount(t, db.Pool) == 0 })
	if code, _ := c.stop(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	got := deliveries(fake)
	dups := 0
	for n := 0; n < count; n++ {
		switch k := got[n]; {
		case k == 0:
			t.Errorf("notification %d was lost", n)
		case k > 1+crashes:
			t.Errorf("notification %d was delivered %d times: more than one duplicate per crash", n, k)
		default:
			dups += k - 1
		}
	}
	var notSent int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE status <> 'sent'`).Scan(&notSent); err != nil || notSent != 0 {
		t.Errorf("%d notifications not marked sent (%v)", notSent, err)
	}
	t.Logf("%d notifications, %d crashes, %d duplicates", count, crashes, dups)
}

// TestSIGTERMFinishesInFlightWorkAndTakesNoNewUpdates stops the bot while
// a handler waits for Telegram and a send batch is half done.
func TestSIGTERMFinishesInFlightWorkAndTakesNoNewUpdates(t *testing.T) {
	db := pgtest.New(t)
	fake := telegramtest.Start(t, telegramtest.Options{Token: childToken})
	const users, count = 20, 20
	scheduleNumbered(t, db.Pool, fake, users, count, 987650021000)
	for i := 0; i < users; i++ {
		fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 987650021000 + int64(i), Delay: 500 * time.Millisecond, Times: -1})
	}
	u := telegramtest.User{ID: 987650021900, FirstName: "U", LanguageCode: "de"}
	late := telegramtest.User{ID: 987650021901, FirstName: "L", LanguageCode: "de"}
	c := startChild(t, map[string]string{"TELEGRAM_API_URL": fake.URL, "DATABASE_URL": db.DSN})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	calls, err := fake.Exchange(ctx, u, "/help")
	if err != nil || len(calls) == 0 {
		t.Fatalf("the child did not answer: %v", err)
	}
	helpMsg := calls[len(calls)-1].MessageID
	// A handler in flight: the button's answer comes at once, the edit
	// of the message hangs at Telegram for 1.5 s.
	fake.Inject(telegramtest.Fault{Method: "editMessageText", ChatID: u.ID, Delay: 1500 * time.Millisecond})
	mark := fake.Mark()
	pressed := fake.SendCallback(u, helpMsg, "menu:main")
	if _, err := fake.WaitCall(ctx, mark, func(c telegramtest.Call) bool { return c.Method == "answerCallbackQuery" }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the send batch to be under way", 10*time.Second, c, func() bool { return len(deliveries(fake)) > 0 })
	if n := len(deliveries(fake)); n == count {
		t.Fatalf("the send batch is done already: %d of %d sent", n, count)
	}
	code, took := c.stop(t, syscall.SIGTERM, 30*time.Second)
	lateID := fake.SendText(late, "/help") // after SIGTERM: must not be taken
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	t.Logf("stopped %v after SIGTERM", took)

	edited := false
	for _, call := range fake.CallsSince(mark) {
		if call.Method == "editMessageText" && call.ChatID == u.ID && call.OK() {
			edited = true
		}
		if call.ChatID == late.ID {
			t.Errorf("an update that came after SIGTERM was handled: %+v", call)
		}
	}
	if !edited {
		t.Error("the handler in flight at SIGTERM did not finish")
	}
	wctx, wcancel := context.WithTimeout(context.Background(), time.Second)
	defer wcancel()
	if err := fake.WaitHandled(wctx, pressed); err != nil {
		t.Errorf("the update handled during shutdown was not confirmed, Telegram would send it again: %v", err)
	}
	if err := fake.WaitHandled(wctx, lateID); err == nil {
		t.Error("the update that came after SIGTERM was confirmed: it would be lost")
	}
	got := deliveries(fake)
	for n := 0; n < count; n++ {
		if got[n] != 1 {
			t.Errorf("notification %d delivered %d times: the batch in hand at SIGTERM must be finished, once", n, got[n])
		}
	}
	if p := pendingCount(t, db.Pool); p != 0 {
		t.Errorf("%d notifications of the batch were left pending", p)
	}
	if !strings.Contains(c.out.String(), "netzbot stopped") {
		t.Errorf("no orderly stop in the log:\n%s", c.out.String())
	}
}

// TestSIGTERMStopsItsOwnPostgreSQL runs serve without DATABASE_URL, so
// it starts PostgreSQL itself, and checks that SIGTERM shuts that down
// before the bot exits.
func TestSIGTERMStopsItsOwnPostgreSQL(t *testing.T) {
	if pgtest.Cluster() == nil {
		t.Skip("PostgreSQL comes from DATABASE_URL here")
	}
	base, err := os.MkdirTemp("", "netzbot-sigterm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o711); err != nil { // the postgres user must pass through as root
		t.Fatal(err)
	}
	dataDir := filepath.Join(base, "data")
	fake := telegramtest.Start(t, telegramtest.Options{Token: childToken})
	c := startChild(t, map[string]string{"TELEGRAM_API_URL": fake.URL, "DATA_DIR": dataDir})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := fake.Exchange(ctx, telegramtest.User{ID: 987650022001, FirstName: "P", LanguageCode: "de"}, "/help"); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dataDir, "pgdata", "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the child's PostgreSQL is not running: %v", err)
	}
	pid, _ := strconv.Atoi(strings.SplitN(string(data), "\n", 2)[0])
	if code, _ := c.stop(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	// Checked the moment the bot is gone: PostgreSQL was shut down by the
	// bot, not afterwards because its parent died.
	if _, err := os.Stat(pidFile); err == nil {
		t.Error("postmaster.pid still there when the bot exited: PostgreSQL was not shut down")
	}
	if pid > 0 && syscall.Kill(pid, 0) == nil {
		t.Errorf("postgres (pid %d) still running after the bot exited", pid)
	}
}
