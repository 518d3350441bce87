package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// BenchmarkMeetingReminderRate delivers 2000 due meeting reminders (one
// per member) through the real worker and sender against a fake Bot API
// that answers 429 above Telegram's limits (30/s overall, 1/s per chat).
// The sender runs with its production limits (telegram.DefaultLimits,
// 25/s). It reports the achieved rate and its ratio to the configured one
// (the baseline is the configured rate itself), and fails on any 429 or a
// ratio below 0.9. One iteration takes about 80 s:
//
//	go test -run '^$' -bench MeetingReminderRate -benchtime 1x ./internal/app/
func BenchmarkMeetingReminderRate(b *testing.B) {
	const members = 2000
	var mu sync.Mutex
	var first, last time.Time
	sends := 0
	fake := telegramtest.Start(b, telegramtest.Options{
		BotUsername: "netzbot_test_bot", Token: apptest.Token, Limits: telegramtest.TelegramLimits(),
		OnCall: func(c telegramtest.Call) {
			if c.Method != "sendMessage" || !c.OK() {
				return
			}
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if first.IsZero() {
				first = now
			}
			last = now
			sends++
		},
	})
	loc, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 6, 1, 12, 0, 0, 0, loc)
	e := startNetwork(b, start.AddDate(0, 0, -3), apptest.Options{Fake: fake, Limits: telegram.DefaultLimits})
	org := e.org(b, "buero", "Netzwerkbüro")
	e.manyMembers(b, 9_000_000, members, org)
	configured := float64(telegram.DefaultLimits.Global)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		day := start.AddDate(0, 0, 7*i)
		e.at(day.AddDate(0, 0, -3))
		m := e.meetingAt("Netzwerktreffen", day, 0, org)
		m.LeadMinutes = []int{1440}
		e.create(b, m)
		e.at(day.AddDate(0, 0, -1))
		mu.Lock()
		first, last, sends = time.Time{}, time.Time{}, 0
		mu.Unlock()
		before := fake.Stats().TooManyRequests
		b.StartTimer()

		s, err := e.h.App.Bot.DeliverDue(context.Background())

		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if s.Sent != members {
			b.Fatalf("sent %d of %d: %+v", s.Sent, members, s)
		}
		if n := fake.Stats().TooManyRequests - before; n > 0 {
			b.Errorf("the fake Bot API answered 429 %d times", n)
		}
		mu.Lock()
		rate := float64(sends-1) / last.Sub(first).Seconds()
		mu.Unlock()
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(configured, "configured_msgs/s")
		b.ReportMetric(rate/configured, "ratio")
		if rate/configured < 0.9 {
			b.Errorf("reached %.1f msgs/s, %.0f%% of the configured %.0f/s; want at least 90%%", rate, 100*rate/configured, configured)
		}
		b.StartTimer()
	}
}
