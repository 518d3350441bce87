package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/bot"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/internal/user"
)

// logs captures the app's log at info level, as production logs it.
type logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logs) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// records returns the log records with the given message.
func (l *logs) records(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(l.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// securityEvents counts "security event" records of a user, by event.
func (l *logs) securityEvents(userID int64) map[string]int {
	out := map[string]int{}
	for _, rec := range l.records("security event") {
		if id, _ := rec["user_id"].(float64); int64(id) == userID {
			out[rec["event"].(string)]++
		}
	}
	return out
}

func logTo(l *logs, o *app.Options) {
	o.Logger = slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func toastOrText(calls []telegramtest.Call) string {
	if s := toast(calls); s != "" {
		return s
	}
	if m := apptest.Messages(calls); len(m) > 0 {
		return m[len(m)-1].Text
	}
	return ""
}

func TestPrivacyExplainsWhatWhyHowLongAndWhomToAskInEveryLanguage(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.BookingRetention = 180 * 24 * time.Hour
		c.SearchLogRetention = 30 * 24 * time.Hour
		c.NotificationRetention = 90 * 24 * time.Hour
		c.PrivacyContact = "datenschutz@stadt.example <Büro & Co>" // escaped like any value
	}})
	for i, lang := range locale.Supported {
		u := h.User(int64(50100+i), lang)
		h.Say(t, u, "/language "+lang)
		msg := apptest.Last(t, h.Say(t, u, "/privacy"))
		l := h.L(lang)
		for _, want := range []string{
			l.T("privacy_text"), l.N("privacy_retention_bookings", 180), l.N("privacy_retention_search", 30),
			l.N("privacy_retention_notifications", 90), l.T("privacy_contact", "Contact", "datenschutz@stadt.example <Büro & Co>"),
		} {
			if !strings.Contains(msg.Text, want) {
				t.Errorf("%s: /privacy lacks %q", lang, want)
			}
		}
		if !strings.Contains(msg.Text, "&lt;Büro &amp; Co&gt;") {
			t.Errorf("%s: contact not escaped: %q", lang, msg.Text)
		}
		if len(msg.Keyboard) != 2 || msg.Keyboard[0][0].CallbackData != "priv:export" || msg.Keyboard[1][0].CallbackData != "priv:erase" {
			t.Errorf("%s: buttons %+v", lang, msg.Keyboard)
		}
	}
}

// seedUser gives a user something in every foundation store: a language,
// an open flow with typed data and notifications, sent and pending.
func seedUser(t *testing.T, h *apptest.Harness, u telegramtest.User, marker string) {
	t.Helper()
	ctx := context.Background()
	h.Say(t, u, "/language "+u.LanguageCode)
	if err := (&postgres.ConversationStore{Pool: h.DB.Pool}).Set(ctx, u.ID, conversation.State{Flow: "test", Step: "topic", Data: map[string]string{"topic": marker}}); err != nil {
		t.Fatal(err)
	}
	store := &postgres.NotificationStore{Pool: h.DB.Pool}
	for _, key := range []string{"sent", "pending"} {
		n := notify.Notification{Kind: bot.KindMessage, UserID: u.ID, Key: "seed:" + key + ":" + marker, Data: map[string]string{"id": "welcome", "note": marker}, DueAt: time.Now().Add(-time.Minute)}
		if key == "pending" {
			n.DueAt = time.Now().Add(240 * time.Hour)
		}
		if err := store.Schedule(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.DB.Pool.Exec(ctx, `UPDATE notifications SET status = 'sent', sent_at = now() WHERE key = $1`, "seed:sent:"+marker); err != nil {
		t.Fatal(err)
	}
}

func TestMyDataSendsEverythingStoredAsJSON(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := telegramtest.User{ID: 987650002001, FirstName: "Zoltanbert", LanguageCode: "uk"}
	other := telegramtest.User{ID: 987650002999, FirstName: "Otherina", LanguageCode: "de"}
	seedUser(t, h, u, "MARKER-U")
	seedUser(t, h, other, "MARKER-OTHER")
	seedFeatures(t, h, u, other)

	calls := h.Say(t, u, "/mydata")
	var doc *telegramtest.File
	var caption string
	for _, c := range calls {
		if c.Method == "sendDocument" && c.OK() {
			doc, caption = c.Document, c.Text
		}
	}
	if doc == nil {
		t.Fatalf("no document sent: %+v", calls)
	}
	if caption != h.L("uk").T("privacy_export_caption") || !strings.HasSuffix(doc.Name, ".json") {
		t.Errorf("document %q with caption %q", doc.Name, caption)
	}
	var exp struct {
		TelegramID int64                     `json:"telegram_user_id"`
		Data       map[string]map[string]any `json:"data"`
	}
	if err := json.Unmarshal(doc.Data, &exp); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc.Data)
	}
	if exp.TelegramID != u.ID || exp.Data["profile"]["language"] != "uk" {
		t.Errorf("profile: %+v", exp)
	}
	if exp.Data["conversation"]["flow"] != "test" {
		t.Errorf("conversation missing: %s", doc.Data)
	}
	if n, _ := exp.Data["notifications"]["notifications"].([]any); len(n) != 2 {
		t.Errorf("want 2 notifications, got %s", doc.Data)
	}
	// Every registered section has something about this user: the
	// foundation's and each feature's (seedFeatures).
	for _, name := range h.App.Privacy.Names() {
		if len(exp.Data[name]) == 0 {
			t.Errorf("section %s missing from the export", name)
		}
	}
	if s := string(doc.Data); !strings.Contains(s, "MARKER-U") || strings.Contains(s, "MARKER-OTHER") || strings.Contains(s, "987650002999") {
		t.Errorf("the export must hold the user's data and nobody else's:\n%s", s)
	}
	// The button under /privacy sends the same.
	msg := apptest.Last(t, h.Say(t, u, "/privacy"))
	pressed := h.Press(t, u, msg.MessageID, "priv:export")
	if !answered(pressed) || len(pressed) < 2 || pressed[len(pressed)-1].Method != "sendDocument" {
		t.Errorf("export button: %+v", pressed)
	}
}

func TestDeleteMyDataLeavesNothingThatIdentifiesTheUser(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	const name = "Zoltanbert"
	u := telegramtest.User{ID: 987650003001, FirstName: name, LanguageCode: "ar"}
	other := telegramtest.User{ID: 987650003999, FirstName: "Otherina", LanguageCode: "de"}
	seedUser(t, h, u, name)
	seedUser(t, h, other, "Otherina")
	seedFeatures(t, h, u, other)
	ar := h.L("ar")

	// Changing one's mind deletes nothing.
	confirm := apptest.Last(t, h.Say(t, u, "/deletemydata"))
	if confirm.Text != ar.T("privacy_erase_confirm") || len(confirm.Keyboard) != 2 {
		t.Fatalf("confirmation: %+v", confirm)
	}
	if got := apptest.Last(t, h.Press(t, u, confirm.MessageID, "priv:keep")).Text; got != ar.T("privacy_erase_kept") {
		t.Errorf("keep: %q", got)
	}
	// A confirmation older than 15 minutes, and a forged one, delete nothing either.
	stale := "priv:del:" + strconvI(time.Now().Add(-time.Hour).Unix())
	if got := toastOrText(h.PressRaw(t, u, confirm.MessageID, stale)); got != ar.T("privacy_erase_expired") {
		t.Errorf("expired confirmation: %q", got)
	}
	if got := toastOrText(h.PressRaw(t, u, confirm.MessageID, "priv:del:soon")); got != ar.T("not_allowed") {
		t.Errorf("forged confirmation: %q", got)
	}
	if hits, err := pgtest.Traces(ctx, h.DB.Pool, strconvI(u.ID)); err != nil || len(hits) == 0 {
		t.Fatalf("data gone before the user confirmed: %v %v", hits, err)
	}

	confirm = apptest.Last(t, h.Say(t, u, "/deletemydata"))
	yes := confirm.Keyboard[0][0].CallbackData
	done := apptest.Last(t, h.Press(t, u, confirm.MessageID, yes))
	for _, want := range []string{ar.T("privacy_erased"), ar.T("privacy_erased_profile"), ar.T("privacy_erased_conversation"), ar.T("privacy_erased_footer")} {
		if !strings.Contains(done.Text, want) {
			t.Errorf("the user is not told %q:\n%s", want, done.Text)
		}
	}
	hits, err := pgtest.Traces(ctx, h.DB.Pool, strconvI(u.ID), name)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) > 0 {
		t.Errorf("left after /deletemydata:\n%s", strings.Join(hits, "\n"))
	}
	// Everyone else's data is untouched.
	if hits, _ := pgtest.Traces(ctx, h.DB.Pool, strconvI(other.ID)); len(hits) < 4 {
		t.Errorf("the other user's data was touched: %v", hits)
	}
	checkFeaturesErased(t, h, u, other, done.Text)
}

func TestTheLastAdminCannotEraseThemselves(t *testing.T) {
	const adminID = 987650004001
	h := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.AdminIDs = []int64{adminID} }})
	a := telegramtest.User{ID: adminID, FirstName: "Ada", LanguageCode: "de"}
	confirm := apptest.Last(t, h.Say(t, a, "/deletemydata"))
	if got := apptest.Last(t, h.Press(t, a, confirm.MessageID, confirm.Keyboard[0][0].CallbackData)).Text; got != h.L("de").T("privacy_erase_last_admin") {
		t.Errorf("last admin erased: %q", got)
	}
	if h.UserRow(t, adminID).Role != user.RoleAdmin {
		t.Error("the last admin lost the role")
	}
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

// hasCommand reports whether a command menu has name with description.
func hasCommand(cmds []telegramtest.Command, name, desc string) bool {
	for _, c := range cmds {
		if c.Command == name {
			return c.Description == desc
		}
	}
	return false
}
