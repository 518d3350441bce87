// Package apptest runs the whole bot for end-to-end tests: a fresh
// PostgreSQL database (pgtest), the spec-checking fake Bot API
// (telegramtest) and the real app on top, talking HTTP to each other.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestHelp(t *testing.T) {
//		h := apptest.Start(t, apptest.Options{})
//		calls := h.Say(t, h.User(1, "de"), "/help")
//		...
//	}
package apptest

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
	"github.com/netzbot/netzbot/locales"
)

// Token is the bot token the tests use.
const Token = "123456:test-token"

// Options adjust the harness.
type Options struct {
	// DB is the database to use; a fresh one if nil.
	DB *pgtest.DB
	// Fake is the Bot API to use; a fresh strict one if nil.
	Fake *telegramtest.Server
	// Config changes the app's configuration before start.
	Config func(*config.Config)
	// App changes the app options before start (clock, store wrappers…).
	App func(*app.Options)
	// Limits for the sender; tests default to generous ones so that a
	// conversation is not slowed to Telegram's 1 message/s per chat.
	Limits telegram.Limits
	// Flood is the per-user flood limit; tests default to a generous one
	// (1000 updates per 10 s) so that long scripted conversations are not
	// throttled. Flood-control tests set bot.DefaultFloodLimit.
	Flood bot.FloodLimit
}

// Harness is a running bot with its database and fake Telegram.
type Harness struct {
	DB      *pgtest.DB
	Fake    *telegramtest.Server
	App     *app.App
	Catalog *locale.Catalog
	Config  *config.Config

	opt    Options
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan error
}

var (
	catalogOnce sync.Once
	catalog     *locale.Catalog
	catalogErr  error
)

// Catalog returns the shipped locales, loaded once per test binary.
func Catalog(t testing.TB) *locale.Catalog {
	catalogOnce.Do(func() { catalog, catalogErr = locale.Load(locales.FS) })
	if catalogErr != nil {
		t.Fatal(catalogErr)
	}
	return catalog
}

// Start runs the bot until the test ends.
func Start(t testing.TB, opt Options) *Harness {
	t.Helper()
	h := &Harness{opt: opt, DB: opt.DB, Fake: opt.Fake, Catalog: Catalog(t)}
	if h.DB == nil {
		h.DB = pgtest.New(t)
	}
	if h.Fake == nil {
		h.Fake = telegramtest.Start(t, telegramtest.Options{BotUsername: "netzbot_test_bot", Token: Token})
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	h.Config = &config.Config{
		Token:           Token,
		APIURL:          h.Fake.URL,
		HTTPAddr:        "127.0.0.1:0",
		Location:        loc,
		TZName:          "Europe/Berlin",
		DefaultLanguage: "de",
	}
	if opt.Config != nil {
		opt.Config(h.Config)
	}
	h.Restart(t)
	t.Cleanup(func() { h.Stop(t) })
	return h
}

// Restart starts the app (again, after Stop), on the same database and
// fake Telegram: what a deploy or a crash-and-restart looks like.
func (h *Harness) Restart(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		t.Fatal("apptest: Restart while running; call Stop first")
	}
	limits := h.opt.Limits
	if limits == (telegram.Limits{}) {
		limits = telegram.Limits{Global: 1000, GlobalBurst: 100, PerChat: 100, PerChatBurst: 20, PerGroupPerMinute: 600}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	flood := h.opt.Flood
	if flood == (bot.FloodLimit{}) {
		flood = bot.FloodLimit{Burst: 1000, Per: 10 * time.Second}
	}
	o := app.Options{Config: h.Config, Pool: h.DB.Pool, Limits: limits, PollTimeout: 2 * time.Second, Catalog: h.Catalog, Listener: ln, Flood: flood}
	if h.opt.App != nil {
		h.opt.App(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, o)
	if err != nil {
		cancel()
		t.Fatalf("apptest: start app: %v", err)
	}
	h.App, h.cancel, h.done = a, cancel, make(chan error, 1)
	go func() { h.done <- a.Run(ctx) }()
	if _, err := a.Addr(ctx); err != nil {
		t.Fatal(err)
	}
}

// Stop shuts the app down gracefully and waits for it.
func (h *Harness) Stop(t testing.TB) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("apptest: app stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("apptest: app did not stop within 30 s")
	}
	h.cancel = nil
}

// User is a Telegram user with the given id and language_code.
func (h *Harness) User(id int64, lang string) telegramtest.User {
	return telegramtest.User{ID: id, FirstName: "Test", Username: "", LanguageCode: lang}
}

// ctx bounds one exchange.
func ctx(t testing.TB) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// Say sends text as u and returns what the bot did in u's chat.
func (h *Harness) Say(t testing.TB, u telegramtest.User, text string) []telegramtest.Call {
	t.Helper()
	c, cancel := ctx(t)
	defer cancel()
	calls, err := h.Fake.Exchange(c, u, text)
	if err != nil {
		t.Fatalf("say %q: %v", text, err)
	}
	return calls
}

// Press presses the button (by label or callback data) on message msgID.
func (h *Harness) Press(t testing.TB, u telegramtest.User, msgID int, labelOrData string) []telegramtest.Call {
	t.Helper()
	c, cancel := ctx(t)
	defer cancel()
	calls, err := h.Fake.Press(c, u, msgID, labelOrData)
	if err != nil {
		t.Fatalf("press %q: %v", labelOrData, err)
	}
	return calls
}

// PressRaw sends arbitrary callback data for message msgID, as a tampered
// or outdated client would.
func (h *Harness) PressRaw(t testing.TB, u telegramtest.User, msgID int, data string) []telegramtest.Call {
	t.Helper()
	c, cancel := ctx(t)
	defer cancel()
	mark := h.Fake.Mark()
	id := h.Fake.SendCallback(u, msgID, data)
	if err := h.Fake.WaitHandled(c, id); err != nil {
		t.Fatalf("press raw %q: %v", data, err)
	}
	var out []telegramtest.Call
	for _, call := range h.Fake.CallsSince(mark) {
		if call.ChatID == u.ID || call.Method == "answerCallbackQuery" {
			out = append(out, call)
		}
	}
	return out
}

// Share shares a location as u.
func (h *Harness) Share(t testing.TB, u telegramtest.User, lat, lon float64) []telegramtest.Call {
	t.Helper()
	c, cancel := ctx(t)
	defer cancel()
	calls, err := h.Fake.Share(c, u, lat, lon)
	if err != nil {
		t.Fatalf("share location: %v", err)
	}
	return calls
}

// L is the localizer of lang, to compare texts with.
func (h *Harness) L(lang string) *locale.Localizer { return h.Catalog.Localizer(lang) }

// UserRow reads a user as stored.
func (h *Harness) UserRow(t testing.TB, id int64) *user.User {
	t.Helper()
	u, err := h.App.Users.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("user %d: %v", id, err)
	}
	return u
}

// Messages returns the sendMessage and editMessageText calls among calls.
func Messages(calls []telegramtest.Call) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range calls {
		if (c.Method == "sendMessage" || c.Method == "editMessageText") && c.OK() {
			out = append(out, c)
		}
	}
	return out
}

// Last returns the last message among calls, failing the test if none.
func Last(t testing.TB, calls []telegramtest.Call) telegramtest.Call {
	t.Helper()
	m := Messages(calls)
	if len(m) == 0 {
		t.Fatalf("the bot sent no message; calls: %+v", calls)
	}
	return m[len(m)-1]
}
