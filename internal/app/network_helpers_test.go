package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

// netEnv is a running bot with the network's stores, a test clock that
// only moves when told to, and the worker left to the test (DeliverDue).
type netEnv struct {
	h          *apptest.Harness
	c          *clock
	loc        *time.Location
	members    *postgres.MemberStore
	meetings   *postgres.MeetingStore
	broadcasts *postgres.BroadcastStore
	logs       *syncBuffer
}

// syncBuffer collects the app's logs for assertions on security events.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startNetwork(t testing.TB, start time.Time, opt apptest.Options) *netEnv {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	e := &netEnv{c: &clock{t: start}, loc: loc, logs: &syncBuffer{}}
	opt.App = func(o *app.Options) {
		o.Now = e.c.Now
		o.NoWorker = true
		o.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	e.h = apptest.Start(t, opt)
	pool := e.h.DB.Pool
	e.members = &postgres.MemberStore{Pool: pool, Loc: loc}
	e.meetings = &postgres.MeetingStore{Pool: pool, Loc: loc}
	e.broadcasts = &postgres.BroadcastStore{Pool: pool}
	return e
}

func (e *netEnv) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := e.h.DB.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (e *netEnv) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.h.DB.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// org creates an organisation and returns its id.
func (e *netEnv) org(t testing.TB, ext, name string) int64 {
	t.Helper()
	var id int64
	if err := e.h.DB.Pool.QueryRow(context.Background(),
		`INSERT INTO organisations (external_id, name) VALUES ($1, $2) RETURNING id`, ext, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// member makes a Telegram user a member of org with a language and role,
// with an open chat in the fake Telegram so the bot can write first.
func (e *netEnv) member(t testing.TB, id int64, lang, name string, org int64, role user.Role) telegramtest.User {
	t.Helper()
	e.exec(t, `INSERT INTO users (id, language, telegram_language, role) VALUES ($1, $2, $2, $3)
		ON CONFLICT (id) DO UPDATE SET language = EXCLUDED.language, role = EXCLUDED.role`, id, lang, string(role))
	e.exec(t, `INSERT INTO members (user_id, organisation_id, display_name) VALUES ($1, $2, $3)`, id, org, name)
	u := telegramtest.User{ID: id, FirstName: name, LanguageCode: lang}
	e.h.Fake.AddUser(u)
	return u
}

// group creates a working group.
func (e *netEnv) group(t testing.TB, ext, name string, approval bool) int64 {
	t.Helper()
	var id int64
	if err := e.h.DB.Pool.QueryRow(context.Background(),
		`INSERT INTO working_groups (external_id, name, needs_approval) VALUES ($1, $2, $3) RETURNING id`,
		ext, member.Text{"de": name}, approval).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *netEnv) join(t testing.TB, group int64, users ...telegramtest.User) {
	t.Helper()
	for _, u := range users {
		if _, err := e.members.JoinGroup(context.Background(), group, u.ID, e.c.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// create stores a meeting through the store (as the import does).
func (e *netEnv) create(t testing.TB, m *meeting.Meeting) *meeting.Meeting {
	t.Helper()
	stored, _, err := e.meetings.Create(context.Background(), m, e.c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

func (e *netEnv) next(t testing.TB, m *meeting.Meeting) *meeting.Occurrence {
	t.Helper()
	o, err := e.meetings.Next(context.Background(), m.ID, e.c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// at sets the clock.
func (e *netEnv) at(when time.Time) {
	e.c.mu.Lock()
	e.c.t = when
	e.c.mu.Unlock()
}

func (e *netEnv) deliver(t testing.TB) bot.DeliveryStats {
	t.Helper()
	s, err := e.h.App.Bot.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// messages are the messages the bot sent to chat since mark.
func (e *netEnv) messages(mark int, chat int64) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range e.h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.ChatID == chat && c.OK() {
			out = append(out, c)
		}
	}
	return out
}

// hasButton reports whether a message carries a button with that data.
func hasButton(c telegramtest.Call, data string) bool {
	for _, row := range c.Keyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// pending counts a user's pending reminders.
func (e *netEnv) pending(t testing.TB, userID int64) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND status = 'pending' AND user_id = $2`, meeting.KindReminder, userID)
}

// securityEvents counts the logged security events naming event.
func (e *netEnv) securityEvents(event string) int {
	n := 0
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"security event"`) && strings.Contains(line, fmt.Sprintf(`"event":%q`, event)) {
			n++
		}
	}
	return n
}

// meetingAt is a network meeting (or group session) at a local time.
func (e *netEnv) meetingAt(title string, local time.Time, group int64, org int64) *meeting.Meeting {
	return &meeting.Meeting{
		Title: member.Text{"de": title}, Start: local, Duration: 2 * time.Hour,
		Venue: "Rathaus, Fischmarkt 1", GroupID: group, OrganisationID: org,
		LeadMinutes: []int{7 * 1440, 1440, 120},
	}
}
