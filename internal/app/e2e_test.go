package app_test

import (
	"context"
	"io"
	"net/http"
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
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestStartPickArabicWelcomesInArabicWithIsolation(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := telegramtest.User{ID: 1001, FirstName: "Maryam Schmidt", LanguageCode: "ar"}
	ar := h.L("ar")

	msg := apptest.Last(t, h.Say(t, u, "/start"))
	if want := ar.T("start_greeting", "Name", "Maryam Schmidt"); msg.Text != want {
		t.Errorf("greeting:\n got %q\nwant %q", msg.Text, want)
	}
	if !strings.Contains(msg.Text, locale.FSI+"Maryam Schmidt"+locale.PDI) {
		t.Errorf("the LTR name is not isolated in Arabic: %q", msg.Text)
	}
	// The picker suggests Arabic (from language_code), first in its row,
	// which right to left is the right-hand button.
	first := msg.Keyboard[0]
	if len(first) != 2 || first[1].CallbackData != "lang:ar" || !strings.HasPrefix(first[1].Text, "✅") {
		t.Errorf("first row not mirrored with Arabic suggested on the right: %+v", first)
	}
	if n := countButtons(msg.Keyboard); n != len(locale.Supported) {
		t.Errorf("picker has %d languages, want %d", n, len(locale.Supported))
	}

	calls := h.Press(t, u, msg.MessageID, "lang:ar")
	if !answered(calls) {
		t.Errorf("button press not answered: %+v", calls)
	}
	edit := apptest.Last(t, calls)
	if edit.Method != "editMessageText" {
		t.Errorf("want the picker edited in place, got %s", edit.Method)
	}
	if !strings.Contains(edit.Text, ar.T("welcome")) || !strings.Contains(edit.Text, locale.FSI+"العربية"+locale.PDI) {
		t.Errorf("welcome not in Arabic with isolated language name: %q", edit.Text)
	}
	if got := h.UserRow(t, u.ID).Language; got != "ar" {
		t.Errorf("stored language %q, want ar", got)
	}
	// Main menu rows are mirrored too.
	if row := edit.Keyboard[1]; row[0].CallbackData != "menu:settings" || row[1].CallbackData != "menu:language" {
		t.Errorf("menu row not mirrored for RTL: %+v", row)
	}
}

func TestHelpInEveryLocale(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	for i, lang := range locale.Supported {
		u := h.User(int64(2000+i), "de")
		h.Say(t, u, "/language "+lang)
		msg := apptest.Last(t, h.Say(t, u, "/help"))
		if want := h.L(lang).T("help_text"); msg.Text != want {
			t.Errorf("%s: /help answered %q, want %q", lang, msg.Text, want)
		}
		if msg.ParseMode != "HTML" {
			t.Errorf("%s: parse mode %q", lang, msg.ParseMode)
		}
	}
}

func TestCommandsWithBotNameAndCommandMenus(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(3001, "en")
	h.Say(t, u, "/language en")
	if got := apptest.Last(t, h.Say(t, u, "/help@netzbot_test_bot")).Text; got != h.L("en").T("help_text") {
		t.Errorf("/help@bot: %q", got)
	}
	for _, lang := range locale.Supported {
		cmds := h.Fake.Commands(lang)
		if len(cmds) < 5 || cmds[0].Command != "start" || cmds[0].Description != h.L(lang).T("command_start") {
			t.Errorf("%s: command menu %+v", lang, cmds)
		}
	}
	if cmds := h.Fake.Commands(""); len(cmds) < 5 || !hasCommand(cmds, "help", h.L("de").T("command_help")) {
		t.Errorf("default command menu %+v", cmds)
	}
}

func TestCancelUnknownInputAndTooLong(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(4001, "uk")
	uk := h.L("uk")

	if got := apptest.Last(t, h.Say(t, u, "/cancel")).Text; got != uk.T("cancel_nothing") {
		t.Errorf("/cancel idle: %q", got)
	}
	h.Say(t, u, "/start") // new user: onboarding flow waits for a language
	if got := apptest.Last(t, h.Say(t, u, "/cancel")).Text; got != uk.T("cancel_done") {
		t.Errorf("/cancel in flow: %q", got)
	}
	h.Say(t, u, "/language uk")
	unknown := apptest.Last(t, h.Say(t, u, "asdf qwer"))
	if unknown.Text != uk.T("unknown_text") || len(unknown.Keyboard) == 0 {
		t.Errorf("unknown text: %q %+v", unknown.Text, unknown.Keyboard)
	}
	if got := apptest.Last(t, h.Say(t, u, "/frobnicate now")).Text; got != uk.T("unknown_command", "Command", "/frobnicate") {
		t.Errorf("unknown command: %q", got)
	}
	if got := apptest.Last(t, h.Say(t, u, strings.Repeat("я", 4000))).Text; got != uk.N("message_too_long", bot.MaxTextInput) {
		t.Errorf("too long: %q", got)
	}
	// Markup in what users type or in their names is shown, not parsed;
	// the fake rejects broken HTML as Telegram does.
	if got := apptest.Last(t, h.Say(t, u, "<b>&</b> <script>")).Text; got != uk.T("unknown_text") {
		t.Errorf("markup input: %q", got)
	}
	evil := telegramtest.User{ID: 4002, FirstName: "<script>alert(1)</script> & <b>", LanguageCode: "de"}
	greeting := apptest.Last(t, h.Say(t, evil, "/start")).Text
	if !strings.Contains(greeting, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;") {
		t.Errorf("name not escaped: %q", greeting)
	}
}

func TestTamperedButtonsAreRefusedWithoutChange(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(5001, "de")
	msg := apptest.Last(t, h.Say(t, u, "/language"))
	for _, data := range []string{"lang:xx", "lang:", "nonsense", "menu:admin", strings.Repeat("z", 64), "lang:de:extra"} {
		calls := h.PressRaw(t, u, msg.MessageID, data)
		if !answered(calls) || toast(calls) != h.L("de").T("button_stale") {
			t.Errorf("%q: want the stale-button toast, got %+v", data, calls)
		}
		if len(apptest.Messages(calls)) != 0 {
			t.Errorf("%q: a tampered button changed the chat: %+v", data, calls)
		}
	}
	if got := h.UserRow(t, u.ID).Language; got != "" {
		t.Errorf("language changed to %q by a tampered button", got)
	}
}

func TestRestartInTheMiddleOfAFlowKeepsState(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(6001, "tr")
	greeting := apptest.Last(t, h.Say(t, u, "/start"))
	h.Stop(t)
	h.Restart(t)
	// The onboarding flow survived: a typed language name is understood...
	got := apptest.Last(t, h.Say(t, u, "Deutsch"))
	if !strings.Contains(got.Text, h.L("de").T("welcome")) {
		t.Errorf("after restart, typing a language did not choose it: %q", got.Text)
	}
	// ...and the old picker's buttons still work after the restart.
	calls := h.Press(t, u, greeting.MessageID, "lang:tr")
	if !strings.Contains(apptest.Last(t, calls).Text, h.L("tr").T("welcome")) {
		t.Errorf("old button after restart: %+v", calls)
	}
	if got := h.UserRow(t, u.ID).Language; got != "tr" {
		t.Errorf("language %q, want tr", got)
	}
}

func TestRetriesAfter429ThenDelivers(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(7001, "de")
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Code: 429, RetryAfter: 1})
	start := time.Now()
	calls := h.Say(t, u, "/help")
	var failed, ok int
	for _, c := range calls {
		if c.Method == "sendMessage" {
			if c.Status == 429 {
				failed++
			} else if c.OK() {
				ok++
			}
		}
	}
	if failed != 1 || ok != 1 {
		t.Errorf("want one 429 then one delivered message, got %d and %d", failed, ok)
	}
	if time.Since(start) < time.Second {
		t.Errorf("retried before retry_after")
	}
	if h.Fake.Stats().TooManyRequests != 1 {
		t.Errorf("stats: %+v", h.Fake.Stats())
	}
}

func TestRetriesServerErrorsAndDroppedConnections(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(7101, "de")
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Code: 502})
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Drop: true})
	calls := h.Say(t, u, "/help")
	if got := apptest.Last(t, calls).Text; got != h.L("de").T("help_text") {
		t.Errorf("not delivered after 502 and a dropped connection: %+v", calls)
	}
}

func TestForbiddenMarksUserInactive(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(8001, "de")
	h.Say(t, u, "/language de")
	h.Fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Code: 403, Times: -1})
	calls := h.Say(t, u, "/help")
	if n := len(calls); n != 1 || calls[0].Status != 403 {
		t.Errorf("want exactly one attempt answered 403 (no retries), got %+v", calls)
	}
	if h.UserRow(t, u.ID).Active {
		t.Errorf("user still active after 403")
	}
	h.Fake.ClearFaults()
	h.Say(t, u, "/help") // writing again means they unblocked the bot
	if !h.UserRow(t, u.ID).Active {
		t.Errorf("user not active again after writing")
	}
}

// panickySessions panics for one user, as a bug in a handler would.
type panickySessions struct {
	conversation.SessionStore
	victim int64
}

func (p panickySessions) Open(ctx context.Context, id int64, lang string) (*conversation.Session, error) {
	if id == p.victim {
		panic("boom")
	}
	return p.SessionStore.Open(ctx, id, lang)
}

func TestPanicInHandlerAnswersAndKeepsServing(t *testing.T) {
	h := apptest.Start(t, apptest.Options{App: func(o *app.Options) {
		o.WrapSessions = func(s conversation.SessionStore) conversation.SessionStore {
			return panickySessions{SessionStore: s, victim: 9001}
		}
	}})
	victim := h.User(9001, "fa")
	if got := apptest.Last(t, h.Say(t, victim, "/help")).Text; got != h.L("fa").T("error_internal") {
		t.Errorf("after a panic the user got %q", got)
	}
	other := h.User(9002, "de")
	if got := apptest.Last(t, h.Say(t, other, "/help")).Text; got != h.L("de").T("help_text") {
		t.Errorf("bot stopped serving after a panic: %q", got)
	}
}

func TestUpdatesOfOneChatAreHandledInOrder(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	u := h.User(10001, "de")
	h.Say(t, u, "/language de")
	langs := []string{"en", "ar", "uk", "tr", "vi", "ro", "ru", "fa"}
	mark := h.Fake.Mark()
	var last int64
	for _, l := range langs {
		last = h.Fake.SendText(u, "/language "+l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Fake.WaitHandled(ctx, last); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.ChatID == u.ID {
			got = append(got, c.Text)
		}
	}
	if len(got) != len(langs) {
		t.Fatalf("got %d replies, want %d", len(got), len(langs))
	}
	for i, l := range langs {
		if !strings.Contains(got[i], h.L(l).T("welcome")) {
			t.Errorf("reply %d is not in %s: out of order", i, l)
		}
	}
	if got := h.UserRow(t, u.ID).Language; got != "fa" {
		t.Errorf("final language %q, want fa", got)
	}
}

func TestManyUsersAtOnce(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := h.User(int64(11000+i), locale.Supported[i%len(locale.Supported)])
			calls := h.Say(t, u, "/help")
			if got := apptest.Last(t, calls).Text; got != h.L(u.LanguageCode).T("help_text") {
				t.Errorf("user %d got %q", u.ID, got)
			}
		}(i)
	}
	wg.Wait()
}

func TestHealthzAndMetrics(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Say(t, h.User(12001, "de"), "/help")
	addr, err := h.App.Addr(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body := get(t, "http://"+addr+"/healthz", http.StatusOK)
	if strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz: %q", body)
	}
	metrics := get(t, "http://"+addr+"/metrics", http.StatusOK)
	for _, want := range []string{`netzbot_updates_total{kind="text",route="command_help"} 1`, "netzbot_handler_duration_seconds", `netzbot_messages_sent_total{method="sendMessage"}`, `netzbot_cache_hits_total{cache="sessions"}`, `netzbot_cache_misses_total{cache="offer_pages"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestWebhookModeChecksTheSecret(t *testing.T) {
	const secret = "s3cret-s3cret-s3cret"
	var h *apptest.Harness
	h = apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.WebhookSecret = secret
		c.WebhookURL = "https://placeholder.invalid/tg/hook" // replaced below once the port is known
	}, App: func(o *app.Options) {
		addr := o.Listener.Addr().String()
		o.Config.WebhookURL = "http://" + addr + "/tg/hook"
	}})
	u := h.User(13001, "de")
	if got := apptest.Last(t, h.Say(t, u, "/help")).Text; got != h.L("de").T("help_text") {
		t.Errorf("webhook update not handled: %q", got)
	}
	addr, _ := h.App.Addr(context.Background())
	for _, s := range []string{"", "wrong-secret-wrong-secret"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/tg/hook", strings.NewReader(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":13001,"type":"private"},"from":{"id":13001,"is_bot":false,"first_name":"X"},"text":"/help"}}`))
		if s != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", s)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", s, resp.StatusCode)
		}
	}
}

func TestDatabaseOutageIsAnnouncedAndTheUpdateNotLost(t *testing.T) {
	cluster := pgtest.Cluster()
	if cluster == nil {
		t.Skip("needs the throwaway cluster (DATABASE_URL is set)")
	}
	h := apptest.Start(t, apptest.Options{})
	u := h.User(14001, "ru")
	h.Say(t, u, "/language ru")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := cluster.StopServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = cluster.StartServer(context.Background())
		}
	}()
	mark := h.Fake.Mark()
	id := h.Fake.SendText(u, "/help")
	// The user is told once that the service is briefly unavailable.
	if _, err := h.Fake.WaitCall(ctx, mark, func(c telegramtest.Call) bool { return c.ChatID == u.ID && c.Method == "sendMessage" }); err != nil {
		t.Fatal(err)
	}
	if err := cluster.StartServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	// Without a restart of the bot, the update is handled after all.
	if err := h.Fake.WaitHandled(ctx, id); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range h.Fake.CallsSince(mark) {
		if c.Method == "sendMessage" && c.ChatID == u.ID && c.OK() {
			texts = append(texts, c.Text)
		}
	}
	ru := h.L("ru")
	if len(texts) != 2 || texts[0] != ru.T("error_unavailable") || texts[1] != ru.T("help_text") {
		t.Errorf("want the outage notice once, then the answer; got %q", texts)
	}
}

func countButtons(kb [][]telegramtest.Button) int {
	n := 0
	for _, r := range kb {
		n += len(r)
	}
	return n
}

func answered(calls []telegramtest.Call) bool {
	for _, c := range calls {
		if c.Method == "answerCallbackQuery" && c.OK() {
			return true
		}
	}
	return false
}

func toast(calls []telegramtest.Call) string {
	for _, c := range calls {
		if c.Method == "answerCallbackQuery" {
			s, _ := c.Params["text"].(string)
			return s
		}
	}
	return ""
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, want)
	}
	return string(b)
}
