package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// Reminders is scenario 3: due reminders (two per member) delivered
// through the notification queue while the fake Bot API enforces flood
// limits by answering 429. The figure is the achieved send rate; the
// baseline is the physical limit, the rate the sender is configured to.
type Reminders struct{}

// Name implements Scenario.
func (*Reminders) Name() string { return "reminders" }

// The limits of this scenario. Telegram's 30/s would make 10 000
// reminders take at least 333 s, so the fake allows 300/s overall (the
// per-chat limit stays Telegram's 1/s) and the sender is configured just
// below it, with the same per-chat spacing as in production.
const (
	fakeGlobalLimit  = 300
	senderGlobalRate = 270
)

// Run implements Scenario.
func (s *Reminders) Run(ctx context.Context, env *Env) ([]Result, error) {
	members := env.Size(5000, 500, 2)
	total := 2 * members
	pool, _, err := env.Database(ctx, "reminders", false)
	if err != nil {
		return nil, err
	}
	defer pool.Close()

	const firstID = 2_000_000
	if _, err := pool.Exec(ctx, `
		INSERT INTO users (id, language, telegram_language)
		SELECT $1::bigint + g, ($3::text[])[1 + g % cardinality($3::text[])], ''
		  FROM generate_series(0, $2::int - 1) g`, firstID, members, locale.Supported); err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}

	var (
		mu        sync.Mutex
		texts     = map[int64]map[string]int{}
		firstSend time.Time
		lastSend  time.Time
	)
	fake, err := env.Fake(telegramtest.Options{
		Token: benchToken, BotUsername: "netzbot_bench_bot",
		Limits: &telegramtest.Limits{Global: fakeGlobalLimit, PerChat: 1, PerGroupPerMinute: 20},
		OnCall: func(c telegramtest.Call) {
			if c.Method != "sendMessage" || !c.OK() {
				return
			}
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if texts[c.ChatID] == nil {
				texts[c.ChatID] = map[string]int{}
			}
			texts[c.ChatID][c.Text]++
			if firstSend.IsZero() {
				firstSend = now
			}
			lastSend = now
		},
	})
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	for i := range members {
		fake.AddUser(telegramtest.User{ID: firstID + int64(i), FirstName: "Member"})
	}

	// Two reminders per member, due now, scheduled member after member:
	// adjacent ids, so a sender that works through the queue in order
	// meets each member's second reminder right after the first.
	env.Progressf("reminders: scheduling %d reminders for %d members", total, members)
	due := time.Now().Add(-time.Minute)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	for i := range members {
		uid := int64(firstID + i)
		for _, which := range []string{"a", "b"} {
			n := notify.Notification{
				Kind: bot.KindMessage, UserID: uid, Key: fmt.Sprintf("bench:%d:%s", uid, which),
				Data:  map[string]string{"id": "unknown_command", "Command": fmt.Sprintf("/meeting_%d_%s", uid, which)},
				DueAt: due, ExpiresAt: due.Add(time.Hour),
			}
			if err := postgres.ScheduleNotification(ctx, tx, n); err != nil {
				_ = tx.Rollback(ctx)
				return nil, err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}

	limits := telegram.DefaultLimits
	limits.Global, limits.GlobalBurst = rate.Limit(senderGlobalRate), 5
	a, stop, err := startNetzbot(ctx, env, fake, pool, func(o *app.Options) { o.Limits, o.NoWorker = limits, true })
	if err != nil {
		return nil, err
	}
	defer func() { _ = stop() }()

	env.Progressf("reminders: delivering (fake: %d/s overall, 1/s per chat; sender: %d/s, 1 per %s per chat)",
		fakeGlobalLimit, senderGlobalRate, time.Duration(float64(time.Second)/float64(limits.PerChat)))
	start := time.Now()
	var sent, dropped, retried int
	for {
		st, err := a.Bot.DeliverDue(ctx)
		if err != nil {
			return nil, fmt.Errorf("deliver: %w", err)
		}
		sent, dropped, retried = sent+st.Sent, dropped+st.Dropped, retried+st.Retried
		if st.Sent+st.Dropped+st.Retried == 0 || sent+dropped >= total {
			break
		}
	}
	elapsed := lastSend.Sub(start)

	var pendingRows, sentRows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent') FROM notifications`).
		Scan(&pendingRows, &sentRows); err != nil {
		return nil, err
	}
	mu.Lock()
	received, duplicates := 0, 0
	for _, byText := range texts {
		for _, c := range byText {
			received++
			duplicates += c - 1
		}
	}
	mu.Unlock()
	lost := total - received
	st := fake.Stats()
	achieved := float64(received) / elapsed.Seconds()
	frac := achieved / senderGlobalRate
	ok := frac >= 0.95 && st.TooManyRequests == 0 && duplicates == 0 && lost == 0 && st.Violations == 0

	notes := fmt.Sprintf("%s reminders to %s members (2 each, scheduled back to back) via the notification queue (kind %s); "+
		"the fake enforces %d/s overall and 1/s per chat by answering 429 (Telegram: 30/s, where this would take ≥ %.0f s), "+
		"the sender is configured to %d/s (burst 5) and 1 per 1.1 s per chat; 429s %d, duplicates %d, lost %d, rows still pending %d, dropped %d",
		thousands(total), thousands(members), bot.KindMessage, fakeGlobalLimit, float64(total)/30, senderGlobalRate,
		st.TooManyRequests, duplicates, lost, pendingRows, dropped)
	if st.Violations > 0 {
		notes += fmt.Sprintf("; %d requests violated the Bot API reference", st.Violations)
	}
	return []Result{{
		Scenario: "3. reminder delivery",
		Netzbot:  fmt.Sprintf("%.1f msg/s", achieved),
		Baseline: fmt.Sprintf("%d msg/s configured", senderGlobalRate),
		Ratio:    fmt.Sprintf("%.1f%%", 100*frac),
		Target:   "≥ 95%, 0 × 429, 0 duplicates, 0 lost",
		Verdict:  verdict(ok),
		Notes:    notes,
	}}, nil
}
