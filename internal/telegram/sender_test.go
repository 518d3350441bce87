package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

const token = "42:sender-test-token"

func newSender(t *testing.T, fake *telegramtest.Server, opt telegram.SenderOptions) *telegram.Sender {
	t.Helper()
	client, err := tg.New(token, tg.WithServerURL(fake.URL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, telegram.StatusClient{Client: fakeClient()}))
	if err != nil {
		t.Fatal(err)
	}
	opt.Token = token
	// Messages are posted as JSON, the rest through the library: both
	// paths meet the fake here.
	opt.APIURL, opt.Client = fake.URL, telegram.StatusClient{Client: fakeClient()}
	return telegram.NewSender(client, opt)
}

func TestLongTextIsSplitWithKeyboardOnTheLastPart(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 5, FirstName: "A"})
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast})
	para := "<b>Angebot</b> " + strings.Repeat("Beratung für Familien & Kinder. ", 30) + "\n\n"
	text := strings.Repeat(para, 10) // ~9 800 characters
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "ok", CallbackData: "x:1"}}}}
	if _, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(5), Text: strings.ReplaceAll(text, "&", "&amp;"), ParseMode: models.ParseModeHTML, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls()
	if len(calls) < 3 {
		t.Fatalf("want the text in at least 3 messages, got %d", len(calls))
	}
	var total int
	for i, c := range calls {
		if !c.OK() {
			t.Errorf("part %d refused: %s", i, c.Description)
		}
		if (len(c.Keyboard) > 0) != (i == len(calls)-1) {
			t.Errorf("part %d: keyboard %v", i, c.Keyboard)
		}
		total += strings.Count(c.Text, "Beratung")
	}
	if total != 300 {
		t.Errorf("words lost in splitting: %d", total)
	}
}

// fast limits keep unit tests quick; TestStaysUnderTelegramsLimits checks the real ones.
var fast = telegram.Limits{Global: 1000, GlobalBurst: 100, PerChat: 1000, PerChatBurst: 100, PerGroupPerMinute: 6000}

func TestStaysUnderTelegramsLimits(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token, Limits: telegramtest.TelegramLimits()})
	s := newSender(t, fake, telegram.SenderOptions{}) // DefaultLimits
	for id := int64(1); id <= 3; id++ {
		fake.AddUser(telegramtest.User{ID: id, FirstName: "U"})
	}
	var wg sync.WaitGroup
	for id := int64(1); id <= 3; id++ {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			for i := 0; i < 3; i++ { // 3 messages to one chat: must be spread over 2 s
				if _, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: id, Text: "hallo"}); err != nil {
					t.Error(err)
				}
			}
		}(id)
	}
	wg.Wait()
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("the fake answered 429 %d times: the sender exceeded Telegram's limits", st.TooManyRequests)
	}
}

func TestGivesUpOnBadRequestAndReportsBlocked(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token, OnViolation: func(error) {}})
	fake.AddUser(telegramtest.User{ID: 9, FirstName: "B"})
	var blocked []int64
	s := newSender(t, fake, telegram.SenderOptions{Limits: fast, OnBlocked: func(_ context.Context, id int64) { blocked = append(blocked, id) }})
	_, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(9), Text: "<b>broken", ParseMode: models.ParseModeHTML})
	if err == nil || !errors.Is(err, tg.ErrorBadRequest) {
		t.Errorf("broken HTML: %v", err)
	}
	if n := fake.Stats().Requests["sendMessage"]; n != 1 {
		t.Errorf("a 400 was retried: %d requests", n)
	}
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 9, Code: 403})
	_, err = s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(9), Text: "x"})
	if !errors.Is(err, telegram.ErrBlocked) || len(blocked) != 1 || blocked[0] != 9 {
		t.Errorf("403: err %v, blocked %v", err, blocked)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("token in error: %v", err)
	}
}

func TestRetriesTimeoutsWithBackoff(t *testing.T) {
	fake := telegramtest.Start(t, telegramtest.Options{Token: token})
	fake.AddUser(telegramtest.User{ID: 11, FirstName: "C"})
	client, err := tg.New(token, tg.WithServerURL(fake.URL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, telegram.StatusClient{Client: shortTimeoutClient()}))
	if err != nil {
		t.Fatal(err)
	}
	s := telegram.NewSender(client, telegram.SenderOptions{Limits: fast, Backoff: 10 * time.Millisecond, Token: token})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 11, Delay: 2 * time.Second})
	fake.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: 11, Code: 500})
	if _, err := s.SendMessage(context.Background(), &tg.SendMessageParams{ChatID: int64(11), Text: "x"}); err != nil {
		t.Fatalf("not delivered after a timeout and a 500: %v", err)
	}
	if st := fake.Stats(); st.ServerErrors != 1 {
		t.Errorf("stats %+v", st)
	}
}

func fakeClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

func shortTimeoutClient() *http.Client { return &http.Client{Timeout: 300 * time.Millisecond} }
