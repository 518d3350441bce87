package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// miniBot handles updates the way netzbot does: it replies first and
// confirms the update with its next poll.
func miniBot(ctx context.Context, b *bot.Bot, u *models.Update) {
	switch {
	case u.Message != nil && u.Message.Location != nil:
		_, _ = b.SendVenue(ctx, &bot.SendVenueParams{ChatID: u.Message.Chat.ID, Latitude: u.Message.Location.Latitude, Longitude: u.Message.Location.Longitude, Title: "Haltestelle Marktplatz", Address: "Kaiserstraße"})
	case u.Message != nil && u.Message.Text == "/start":
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Störungen abonnieren?", ReplyMarkup: keyboard(
			[]models.InlineKeyboardButton{{Text: "Ja", CallbackData: "sub:yes"}, {Text: "Nein", CallbackData: "sub:no"}})})
	case u.Message != nil:
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Echo: " + bot.EscapeMarkdown(u.Message.Text), ParseMode: models.ParseModeMarkdown})
	case u.CallbackQuery != nil:
		m := u.CallbackQuery.Message.Message
		_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "Abonniert: " + u.CallbackQuery.Data})
		_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "OK"})
	}
}

// runPoller is a getUpdates loop like netzbot's own poller, posting JSON.
func runPoller(ctx context.Context, t *testing.T, s *Server, b *bot.Bot) {
	var offset int64
	for ctx.Err() == nil {
		body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": 1})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/bot"+testToken+"/getUpdates", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		var out struct {
			OK     bool            `json:"ok"`
			Result []models.Update `json:"result"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || !out.OK {
			t.Errorf("getUpdates: %v %+v", err, out)
			return
		}
		for i := range out.Result {
			miniBot(ctx, b, &out.Result[i])
			offset = out.Result[i].ID + 1
		}
	}
}

func TestExchangePressShare(t *testing.T) {
	s := strict(t, Options{})
	b := client(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); runPoller(ctx, t, s, b) }()
	defer func() { cancel(); <-done }()

	calls, err := s.Exchange(ctx, alice, "/start")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].Method != "sendMessage" || len(calls[0].Keyboard) != 1 || calls[0].Keyboard[0][1].Text != "Nein" {
		t.Fatalf("calls = %+v", calls)
	}
	menu := calls[0].MessageID

	calls, err = s.Press(ctx, alice, menu, "Ja")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0].Method != "editMessageText" || calls[0].MessageID != menu || calls[0].Text != "Abonniert: sub:yes" ||
		calls[1].Method != "answerCallbackQuery" || calls[1].ChatID != alice.ID {
		t.Fatalf("calls = %+v", calls)
	}
	if m, _ := s.Message(alice.ID, menu); m.Keyboard != nil || m.Text != "Abonniert: sub:yes" {
		t.Fatalf("menu after press = %+v", m)
	}
	if _, err := s.Press(ctx, alice, menu, "Nein"); err == nil {
		t.Fatal("the keyboard is gone, pressing must fail")
	}

	calls, err = s.Share(ctx, alice, 49.0094, 8.4044)
	if err != nil || len(calls) != 1 || calls[0].Method != "sendVenue" || calls[0].Params["latitude"] != 49.0094 {
		t.Fatalf("share: %+v, %v", calls, err)
	}

	calls, err = s.Exchange(ctx, alice, "1+1=2!")
	if err != nil || len(calls) != 1 || !calls[0].OK() || calls[0].Text != `Echo: 1\+1\=2\!` {
		t.Fatalf("echo: %+v, %v", calls, err)
	}
	hist := s.History(alice.ID)
	if len(hist) != 6 || hist[0].Text != "/start" || hist[0].FromBot || !hist[1].FromBot {
		t.Fatalf("history = %+v", hist)
	}
	if s.Pending() != 0 {
		t.Fatalf("pending = %d", s.Pending())
	}
}

// go-telegram's own poller confirms before handling: WaitCall covers it.
func TestBuiltinPollerWithWaitCall(t *testing.T) {
	s := strict(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	b, err := bot.New(testToken, bot.WithServerURL(s.URL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(2*time.Second, &http.Client{Timeout: 3 * time.Second}),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) { miniBot(ctx, b, u) }))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); b.Start(ctx) }()
	defer func() { cancel(); <-done }()

	mark := s.Mark()
	id := s.SendText(alice, "/start")
	if err := s.WaitHandled(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, err := s.WaitCall(ctx, mark, func(c Call) bool { return c.Method == "sendMessage" && c.ChatID == alice.ID })
	if err != nil || c.Text != "Störungen abonnieren?" {
		t.Fatalf("call = %+v, %v", c, err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	s := strict(t, Options{WebhookBackoff: 5 * time.Millisecond})
	var failFirst atomic.Int32
	failFirst.Store(2)
	var secrets atomic.Value
	b, err := bot.New(testToken, bot.WithServerURL(s.URL), bot.WithSkipGetMe(), bot.WithWebhookSecretToken("s3cr3t-token"),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) { miniBot(ctx, b, u) }))
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secrets.Store(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		if failFirst.Add(-1) >= 0 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		b.WebhookHandler()(w, r)
	}))
	defer hook.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); b.StartWebhook(ctx) }()
	defer func() { cancel(); <-done }()

	if ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL + "/hook", SecretToken: "s3cr3t-token", AllowedUpdates: []string{"message", "callback_query"}}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if status, body := rawJSON(t, s, "getUpdates", map[string]any{}); status != 409 || !strings.Contains(body["description"].(string), "webhook is active") {
		t.Fatalf("getUpdates with webhook: %d %v", status, body)
	}
	mark := s.Mark()
	id := s.SendText(alice, "/start")
	if err := s.WaitHandled(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, _ := secrets.Load().(string); got != "s3cr3t-token" {
		t.Fatalf("secret header = %q", got)
	}
	if _, err := s.WaitCall(ctx, mark, func(c Call) bool { return c.Method == "sendMessage" }); err != nil {
		t.Fatal(err)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL+"/hook" || info.LastErrorMessage != "Wrong response from the webhook: 503 Service Unavailable" || info.PendingUpdateCount != 0 {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
	if st := s.Stats(); st.WebhookFailed != 2 || st.WebhookOK != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if ok, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ups := poll(t, s, 0, 0); len(ups) != 0 {
		t.Fatalf("updates after delete = %+v", ups)
	}
}

func TestWebhookGivesUpAndReplies(t *testing.T) {
	s := strict(t, Options{WebhookRetries: 2, WebhookBackoff: time.Millisecond})
	s.AddUser(alice)
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"text":"broken"`) {
			hits.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		// Answer with a method call, which Telegram executes.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"method":"sendMessage","chat_id":1001,"text":"from the webhook answer"}`))
	}))
	defer hook.Close()
	status, body := rawForm(t, s, "setWebhook", map[string]string{"url": hook.URL})
	if status != 200 || body["description"] != "Webhook was set" {
		t.Fatalf("setWebhook: %d %v", status, body)
	}
	ctx := ctx(t)
	id := s.SendText(alice, "broken")
	err := s.WaitHandled(ctx, id)
	if err == nil || !strings.Contains(err.Error(), "given up after 3 webhook deliveries") || hits.Load() != 3 {
		t.Fatalf("err = %v after %d deliveries", err, hits.Load())
	}
	mark := s.Mark()
	id = s.SendText(alice, "fine")
	if err := s.WaitHandled(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, err := s.WaitCall(ctx, mark, nil)
	if err != nil || c.Method != "sendMessage" || c.Text != "from the webhook answer" || !c.OK() {
		t.Fatalf("reply call = %+v, %v", c, err)
	}
}

func TestWaitHandledErrors(t *testing.T) {
	s := strict(t, Options{})
	if err := s.WaitHandled(ctx(t), 99); err == nil {
		t.Fatal("unknown update must fail")
	}
	id := s.SendText(alice, "x")
	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.WaitHandled(short, id); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if status, _ := rawForm(t, s, "deleteWebhook", map[string]string{"drop_pending_updates": "true"}); status != 200 {
		t.Fatal(status)
	}
	if err := s.WaitHandled(ctx(t), id); err == nil || !strings.Contains(err.Error(), "drop_pending_updates") {
		t.Fatalf("dropped update: %v", err)
	}
}

func TestSendUpdateAndGroups(t *testing.T) {
	s := strict(t, Options{})
	if err := s.AddGroup(-1001234567890, "Netz-Team"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroup(5, "no"); err == nil {
		t.Fatal("positive group id accepted")
	}
	id := s.SendTextIn(-1001234567890, alice, "/status")
	cqID := s.SendUpdate(models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb-1", From: models.User{ID: alice.ID, FirstName: "Alice"},
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{Chat: models.Chat{ID: alice.ID, Type: "private"}, MessageID: 77}}, Data: "old"}})
	if cqID != id+1 {
		t.Fatalf("update ids %d, %d", id, cqID)
	}
	ups := poll(t, s, 0, 0)
	if len(ups) != 2 || ups[0].Message.Chat.Type != "supergroup" || ups[0].Message.Chat.Title != "Netz-Team" || ups[1].ID != cqID || ups[1].CallbackQuery.Data != "old" {
		t.Fatalf("updates = %+v", ups)
	}
	b := client(t, s)
	if _, err := b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: "cb-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(-1001234567890), Text: "Alles im Plan"}); err != nil {
		t.Fatal(err)
	}
	if m, ok := s.LastMessage(-1001234567890); !ok || m.Text != "Alles im Plan" {
		t.Fatalf("group last message = %+v", m)
	}
}

func TestURLEncodedAndQueryRequests(t *testing.T) {
	s := strict(t, Options{})
	s.AddUser(alice)
	resp, err := http.Post(s.URL+"/bot"+testToken+"/sendMessage?chat_id=1001", "application/x-www-form-urlencoded", strings.NewReader("text=Hallo+Welt&disable_notification=true"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp, err = http.Get(s.URL + "/bot" + testToken + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("getMe via GET: %d", resp.StatusCode)
	}
	c := s.Calls()[0]
	if c.Text != "Hallo Welt" || c.Params["disable_notification"] != true || c.ChatID != alice.ID {
		t.Fatalf("call = %+v", c)
	}
}

func TestAllowedUpdatesFilter(t *testing.T) {
	s := strict(t, Options{})
	status, _ := rawJSON(t, s, "getUpdates", map[string]any{"allowed_updates": []string{"message"}})
	if status != 200 {
		t.Fatal(status)
	}
	id := s.SendCallback(alice, 1, "x")
	if err := s.WaitHandled(ctx(t), id); err == nil || !strings.Contains(err.Error(), "allowed_updates") {
		t.Fatalf("filtered callback: %v", err)
	}
	s.SendText(alice, "hi")
	// Without allowed_updates the previous setting stays.
	if ups := poll(t, s, 0, 0); len(ups) != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
}
