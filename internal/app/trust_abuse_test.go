package app_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// countingSessions counts the database work (opening the session) done
// for one user.
type countingSessions struct {
	conversation.SessionStore
	id      int64
	touches *atomic.Int64
}

func (c countingSessions) Open(ctx context.Context, id int64, lang string) (*conversation.Session, error) {
	if id == c.id {
		c.touches.Add(1)
	}
	return c.SessionStore.Open(ctx, id, lang)
}

func TestFloodingUserGetsOneSlowDownAndOthersAreServed(t *testing.T) {
	const flooderID = 987650007001
	var touches atomic.Int64
	l := &logs{}
	h := apptest.Start(t, apptest.Options{Flood: bot.DefaultFloodLimit, App: func(o *app.Options) {
		logTo(l, o)
		o.WrapSessions = func(s conversation.SessionStore) conversation.SessionStore {
			return countingSessions{SessionStore: s, id: flooderID, touches: &touches}
		}
	}})
	flooder := telegramtest.User{ID: flooderID, FirstName: "F", LanguageCode: "tr"}
	other := h.User(987650007002, "de")
	h.Fake.AddUser(flooder)
	h.Fake.AddUser(other)

	// The updates pile up while the bot is down, so they arrive at once,
	// as a flood does: 100 from one user, one from someone else among them.
	h.Stop(t)
	mark := h.Fake.Mark()
	var last int64
	for i := 0; i < 100; i++ {
		if i == 50 {
			h.Fake.SendText(other, "/help")
		}
		last = h.Fake.SendText(flooder, "/help")
	}
	h.Restart(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Fake.WaitHandled(ctx, last); err != nil {
		t.Fatal(err)
	}
	var answered, notices int
	for _, c := range h.Fake.CallsSince(mark) {
		if c.Method != "sendMessage" || c.ChatID != flooder.ID {
			continue
		}
		switch c.Text {
		case h.L("tr").T("help_text"):
			answered++
		case h.L("tr").T("flood_slow_down"):
			notices++
		default:
			t.Errorf("flooder got %q", c.Text)
		}
	}
	if notices != 1 {
		t.Errorf("flooder got %d slow-down notices, want exactly 1", notices)
	}
	if answered < 20 || answered > 21 {
		t.Errorf("flooder got %d answers, want the 20 of the burst (21 if a token came back meanwhile)", answered)
	}
	if n := touches.Load(); n != int64(answered) {
		t.Errorf("the database was asked about the flooder %d times for %d answers: refused updates must do no work", n, answered)
	}
	if got := sentTo(h, mark, other.ID); len(got) != 1 || got[0] != h.L("de").T("help_text") {
		t.Errorf("the other user, whose message came amid the flood, got %q", got)
	}
	if ev := l.securityEvents(flooder.ID); ev["flood"] != 1 {
		t.Errorf("flood not logged as one security event: %v", ev)
	}
}

// TestMarkupInUserAndAdminTextIsShownAsText sends <b>, & and <script>
// everywhere a user or an admin can put text; the fake refuses any
// message whose HTML Telegram would not parse, which fails the test.
func TestMarkupInUserAndAdminTextIsShownAsText(t *testing.T) {
	const evil = "<b>&<script>alert(1)</script>"
	h := startWithAdmin(t, &logs{})
	u := telegramtest.User{ID: 987650008001, FirstName: evil, LanguageCode: "ar"}
	if got := apptest.Last(t, h.Say(t, u, "/start")).Text; !strings.Contains(got, "&lt;b&gt;&amp;&lt;script&gt;") {
		t.Errorf("name not escaped: %q", got)
	}
	h.Say(t, u, evil)              // typed into the onboarding flow
	h.Say(t, u, "/start "+evil)    // as a deep-link payload
	h.Say(t, u, "/language "+evil) // as a command argument
	h.Say(t, u, "/"+evil)          // as a command
	h.Say(t, u, "/language ar")    //
	if got := apptest.Last(t, h.Say(t, u, evil)).Text; got != h.L("ar").T("unknown_text") {
		t.Errorf("free text: %q", got)
	}
	a := telegramtest.User{ID: rolesAdmin, FirstName: evil, LanguageCode: "de"}
	for _, s := range []string{"/admin", "/admin grant " + evil, "/admin revoke " + evil, "/admin " + evil} {
		h.Say(t, a, s)
	}
	adminTextFlows(t, h, a, evil)
	if v := h.Fake.Violations(); len(v) > 0 {
		t.Errorf("Telegram would have refused: %v", v)
	}
}

// TestLogsCarryNoMessageTextNamesOrToken runs a conversation with personal
// details and a Bot API fault, and searches the info-level log for them.
func TestLogsCarryNoMessageTextNamesOrToken(t *testing.T) {
	l := &logs{}
	h := apptest.Start(t, apptest.Options{App: func(o *app.Options) { logTo(l, o) }})
	u := telegramtest.User{ID: 987650009001, FirstName: "Zoltanbert", Username: "geheimname", LanguageCode: "de"}
	h.Say(t, u, "/start o_secretpayload")
	h.Say(t, u, "Deutsch")
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Drop: true})
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Code: 500})
	h.Fake.Inject(telegramtest.Fault{Method: "getUpdates", Drop: true}) // the poller's own request
	h.Say(t, u, "Frage zu meinem Aufenthaltstitel, Telefon +49 170 1234567")
	h.Say(t, u, "/mydata")
	confirm := apptest.Last(t, h.Say(t, u, "/deletemydata"))
	h.Press(t, u, confirm.MessageID, confirm.Keyboard[0][0].CallbackData)
	out := l.String()
	if !strings.Contains(out, "telegram request failed") || !strings.Contains(out, "getUpdates failed") {
		t.Fatalf("the injected faults were not logged; the test would prove nothing:\n%s", out)
	}
	secret := strings.SplitN(apptest.Token, ":", 2)[1]
	for _, s := range []string{"Zoltanbert", "geheimname", "secretpayload", "Aufenthaltstitel", "1234567", secret} {
		if strings.Contains(out, s) {
			t.Errorf("the log contains %q", s)
		}
	}
}

// TestInputLimits sends what is one character too long: a message, a
// booking topic. It is answered with the limit and not stored.
func TestInputLimits(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(987650012001, "ru")
	h.Say(t, u, "/language ru")
	ru := h.L("ru")
	if got := apptest.Last(t, h.Say(t, u, strings.Repeat("ж", bot.MaxTextInput+1))).Text; got != ru.N("message_too_long", bot.MaxTextInput) {
		t.Errorf("long message: %q", got)
	}
	if got := apptest.Last(t, h.Say(t, u, strings.Repeat("ж", bot.MaxTextInput))).Text; got == ru.N("message_too_long", bot.MaxTextInput) {
		t.Errorf("a message of exactly %d characters was refused", bot.MaxTextInput)
	}
	for _, c := range inputLimitCases(t, h, u) {
		before, err := pgtest.Snapshot(context.Background(), h.DB.Pool)
		if err != nil {
			t.Fatal(err)
		}
		if got := apptest.Last(t, h.Say(t, u, c.text)).Text; got != c.want {
			t.Errorf("%s: answered %q, want %q", c.name, got, c.want)
		}
		after, _ := pgtest.Snapshot(context.Background(), h.DB.Pool)
		if d := pgtest.Diff(before, after); len(d) > 0 {
			t.Errorf("%s: refused input changed %v", c.name, d)
		}
	}
}
