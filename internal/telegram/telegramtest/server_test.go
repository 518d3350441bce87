package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const testToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

var alice = User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "de"}

// strict starts a server on which any violation fails the test.
func strict(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.Token = testToken
	return Start(t, opts)
}

// lenient starts a server whose violations the test inspects itself.
func lenient(t *testing.T, opts Options) (*Server, func() []error) {
	t.Helper()
	var mu sync.Mutex
	var seen []error
	opts.Token = testToken
	opts.OnViolation = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, err)
	}
	s := Start(t, opts)
	return s, func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), seen...)
	}
}

func client(t *testing.T, s *Server) *bot.Bot {
	t.Helper()
	b, err := bot.New(testToken, bot.WithServerURL(s.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	t.Cleanup(cancel)
	return c
}

// raw posts a request the way a hand-written client would.
func raw(t *testing.T, s *Server, method, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.URL+"/bot"+testToken+"/"+method, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: decode answer: %v", method, err)
	}
	return resp.StatusCode, out
}

func rawJSON(t *testing.T, s *Server, method string, params map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(params)
	return raw(t, s, method, "application/json", b)
}

func rawForm(t *testing.T, s *Server, method string, params map[string]string) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range params {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	return raw(t, s, method, w.FormDataContentType(), buf.Bytes())
}

func wantBadRequest(t *testing.T, err error, desc string) {
	t.Helper()
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("err = %v, want bad request", err)
	}
	if !strings.Contains(err.Error(), desc) {
		t.Fatalf("err = %v, want it to mention %q", err, desc)
	}
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestSendMessageWithInlineKeyboard(t *testing.T) {
	s := strict(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	msg, err := b.SendMessage(ctx(t), &bot.SendMessageParams{
		ChatID:    alice.ID,
		Text:      "<b>Störung</b> auf Linie 4 &amp; 7",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: keyboard(
			[]models.InlineKeyboardButton{{Text: "Details", CallbackData: "disruption:4"}},
			[]models.InlineKeyboardButton{{Text: "Fahrplan", URL: "https://example.org/plan"}},
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID == 0 || msg.Chat.ID != alice.ID || msg.From == nil || !msg.From.IsBot || msg.From.ID != 123456789 {
		t.Fatalf("unexpected message %+v", msg)
	}
	if msg.Text != "Störung auf Linie 4 & 7" || len(msg.Entities) != 1 || msg.Entities[0].Type != "bold" || msg.Entities[0].Length != 7 {
		t.Fatalf("text %q entities %+v", msg.Text, msg.Entities)
	}
	if msg.ReplyMarkup == nil || len(msg.ReplyMarkup.InlineKeyboard) != 2 {
		t.Fatalf("reply markup not echoed: %+v", msg.ReplyMarkup)
	}
	calls := s.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	c := calls[0]
	if c.Method != "sendMessage" || c.ChatID != alice.ID || c.MessageID != msg.ID || c.ParseMode != "HTML" || !c.OK() {
		t.Fatalf("call = %+v", c)
	}
	if len(c.Keyboard) != 2 || c.Keyboard[0][0] != (Button{Text: "Details", CallbackData: "disruption:4"}) || c.Keyboard[1][0].URL != "https://example.org/plan" {
		t.Fatalf("keyboard = %+v", c.Keyboard)
	}
	if c.Params["chat_id"] != alice.ID {
		t.Fatalf("chat_id param = %#v", c.Params["chat_id"])
	}
	last, ok := s.LastMessage(alice.ID)
	if !ok || last.ID != msg.ID || last.Text != "Störung auf Linie 4 & 7" || len(last.Keyboard) != 2 {
		t.Fatalf("last message = %+v", last)
	}
}

func TestUnknownMethodIs404(t *testing.T) {
	s, violations := lenient(t, Options{})
	status, body := rawJSON(t, s, "sendInvoice", map[string]any{"chat_id": 1})
	if status != 404 || body["ok"] != false || body["error_code"] != 404.0 || body["description"] != "Not Found" {
		t.Fatalf("got %d %v", status, body)
	}
	if len(violations()) != 1 || len(s.Violations()) != 1 {
		t.Fatalf("violations = %v", s.Violations())
	}
	// Method names are case-insensitive, as on Telegram.
	s.AddUser(alice)
	if status, body := rawJSON(t, s, "SENDMESSAGE", map[string]any{"chat_id": alice.ID, "text": "hi"}); status != 200 {
		t.Fatalf("SENDMESSAGE: %d %v", status, body)
	}
}

func TestMissingChatID(t *testing.T) {
	s, violations := lenient(t, Options{})
	b := client(t, s)
	// go-telegram/bot sends an unset ChatID as "null".
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{Text: "hi"})
	wantBadRequest(t, err, "chat_id is empty")
	status, body := rawForm(t, s, "sendMessage", map[string]string{"text": "hi"})
	if status != 400 || body["description"] != "Bad Request: chat_id is empty" {
		t.Fatalf("got %d %v", status, body)
	}
	if n := len(violations()); n != 2 {
		t.Fatalf("violations = %d, want 2", n)
	}
	if calls := s.Calls(); len(calls) != 2 || calls[0].Status != 400 {
		t.Fatalf("refused calls must be recorded: %+v", calls)
	}
}

func TestUnknownField(t *testing.T) {
	s, violations := lenient(t, Options{})
	s.AddUser(alice)
	status, body := rawForm(t, s, "sendMessage", map[string]string{"chat_id": "1001", "text": "hi", "disable_web_page_preview": "true"})
	if status != 400 || !strings.Contains(body["description"].(string), `unknown parameter "disable_web_page_preview"`) {
		t.Fatalf("form: %d %v", status, body)
	}
	status, body = rawJSON(t, s, "sendMessage", map[string]any{
		"chat_id": 1001, "text": "hi",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "a", "callback_data": "x", "colour": "red"}}}},
	})
	if status != 400 || !strings.Contains(body["description"].(string), "inline_keyboard[0][0].colour: unknown field of InlineKeyboardButton") {
		t.Fatalf("json: %d %v", status, body)
	}
	if len(violations()) != 2 {
		t.Fatalf("violations = %v", violations())
	}
}

func TestWrongType(t *testing.T) {
	s, violations := lenient(t, Options{})
	s.AddUser(alice)
	cases := []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"chat_id": "1001", "text": "hi", "message_thread_id": "abc"}, `"message_thread_id" must be Integer`},
		{map[string]string{"chat_id": "1001", "text": "hi", "disable_notification": "maybe"}, `"disable_notification" must be Boolean`},
		{map[string]string{"chat_id": "1001", "text": "hi", "reply_markup": `{"inline_keyboard":[[{"text":"a","callback_data":5}]]}`}, "inline_keyboard[0][0].callback_data: must be String"},
		{map[string]string{"chat_id": "1001", "text": "hi", "reply_markup": `{"inline_keyboard":[{"text":"a"}]}`}, "inline_keyboard[0]: must be Array of InlineKeyboardButton"},
		{map[string]string{"chat_id": "1001", "text": "hi", "reply_markup": `{not json`}, "can't parse reply keyboard markup JSON object"},
		{map[string]string{"chat_id": "1001", "latitude": "north", "longitude": "8.5"}, `"latitude" must be Float`},
	}
	for _, tc := range cases {
		method := "sendMessage"
		if _, ok := tc.params["latitude"]; ok {
			method = "sendLocation"
		}
		status, body := rawForm(t, s, method, tc.params)
		if status != 400 || !strings.Contains(body["description"].(string), tc.want) {
			t.Errorf("%v: got %d %v, want %q", tc.params, status, body["description"], tc.want)
		}
	}
	if len(violations()) != len(cases) {
		t.Fatalf("violations = %v", violations())
	}
}

func TestTextLength(t *testing.T) {
	s, violations := lenient(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("a", 4097)})
	wantBadRequest(t, err, "message is too long")
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("ب", 4096)}); err != nil {
		t.Fatalf("4096 Arabic characters (8192 bytes) must pass: %v", err)
	}
	// Markup does not count, entities do: 4096 visible characters inside <b>.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "<b>" + strings.Repeat("&lt;", 4096) + "</b>", ParseMode: models.ParseModeHTML}); err != nil {
		t.Fatalf("4096 characters after entity parsing must pass: %v", err)
	}
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "<b> </b>", ParseMode: models.ParseModeHTML})
	wantBadRequest(t, err, "message text is empty")
	if len(violations()) != 2 {
		t.Fatalf("violations = %v", violations())
	}
}

func TestCallbackDataTooLong(t *testing.T) {
	s, violations := lenient(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "a", CallbackData: strings.Repeat("d", 65)}})})
	wantBadRequest(t, err, "BUTTON_DATA_INVALID")
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "a", CallbackData: strings.Repeat("d", 64)}})}); err != nil {
		t.Fatalf("64 bytes must pass: %v", err)
	}
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "no action"}})})
	wantBadRequest(t, err, "Text buttons are unallowed")
	row := make([]models.InlineKeyboardButton, 101)
	for i := range row {
		row[i] = models.InlineKeyboardButton{Text: "b", CallbackData: "c"}
	}
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: keyboard(row)})
	wantBadRequest(t, err, "at most 100")
	if len(violations()) != 3 {
		t.Fatalf("violations = %v", violations())
	}
}

func TestMalformedHTML(t *testing.T) {
	s, violations := lenient(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	bad := map[string]string{
		"<b>bold</i>":              `Unmatched end tag at byte offset 7, expected "</b>", found "</i>"`,
		"<b>bold":                  `Can't find end tag corresponding to start tag "b"`,
		"1 < 2":                    `Unsupported start tag "" at byte offset 2`,
		"line<br>break":            `Unsupported start tag "br" at byte offset 4`,
		"Tom & Jerry":              "Character '&' at byte offset 4",
		"&nbsp;":                   "Character '&' at byte offset 0",
		"</b>":                     "Unexpected end tag at byte offset 0",
		`<span class="x">s</span>`: `Tag "span" must have class "tg-spoiler"`,
		"<a href='x'>unclosed":     `Can't find end tag corresponding to start tag "a"`,
	}
	for text, want := range bad {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: text, ParseMode: models.ParseModeHTML})
		wantBadRequest(t, err, "can't parse entities: "+want)
	}
	good := []string{
		`<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>`,
		`<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler><a href="https://x.org/?a=1&amp;b=2">link</a>`,
		`<code>x &lt; y</code><pre><code class="language-go">fmt.Println()</code></pre><blockquote expandable>q</blockquote>`,
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> 1 &gt; 0 &#8364; &#x20AC; &quot;`,
		`<b>fett <i>und kursiv</i></b>`,
	}
	for _, text := range good {
		if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: text, ParseMode: models.ParseModeHTML}); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	if len(violations()) != len(bad) {
		t.Fatalf("violations = %d, want %d", len(violations()), len(bad))
	}
}

func TestMarkdownV2ReservedCharacters(t *testing.T) {
	s, _ := lenient(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "Abfahrt 12.30", ParseMode: models.ParseModeMarkdown})
	wantBadRequest(t, err, `Character '.' is reserved and must be escaped with the preceding '\'`)
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "*fett", ParseMode: models.ParseModeMarkdown})
	wantBadRequest(t, err, "Can't find end of Bold entity at byte offset 0")
	msg, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "*Abfahrt* 12\\.30 [Plan](https://x.org/p?a=1) ||🚋||", ParseMode: models.ParseModeMarkdown})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Text != "Abfahrt 12.30 Plan 🚋" || len(msg.Entities) != 3 || msg.Entities[2].Offset != 19 || msg.Entities[2].Length != 2 {
		t.Fatalf("text %q entities %+v", msg.Text, msg.Entities)
	}
}

func TestEditMessage(t *testing.T) {
	s := strict(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	kb := keyboard([]models.InlineKeyboardButton{{Text: "Ja", CallbackData: "yes"}})
	msg, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "Abo?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Abo?", ReplyMarkup: kb})
	wantBadRequest(t, err, "Bad Request: "+notModified)
	_, err = b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID + 100, Text: "x"})
	wantBadRequest(t, err, "message to edit not found")
	// Editing the text without reply_markup removes the keyboard, as on Telegram.
	if _, err := b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Abo?"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Message(alice.ID, msg.ID); m.Keyboard != nil || !m.Edited {
		t.Fatalf("message after edit = %+v", m)
	}
	_, err = b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: msg.ID})
	wantBadRequest(t, err, "message is not modified")
	if _, err := b.EditMessageReplyMarkup(ctx(t), &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: msg.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.DeleteMessage(ctx(t), &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: msg.ID}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	_, err = b.EditMessageText(ctx(t), &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "x"})
	wantBadRequest(t, err, "message to edit not found")
	if _, ok := s.LastMessage(alice.ID); ok {
		t.Fatal("deleted message is still the last one")
	}
	// State errors are Telegram's normal answers, not violations.
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("violations = %v", v)
	}
}

func TestInjectedFaults(t *testing.T) {
	s := strict(t, Options{})
	s.AddUser(alice)
	b := client(t, s)
	send := func() error {
		_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
		return err
	}

	s.Inject(Fault{Method: "sendmessage", Code: 429, RetryAfter: 7})
	var tooMany *bot.TooManyRequestsError
	if err := send(); !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 7") {
		t.Fatalf("err = %#v", err)
	}
	if err := send(); err != nil {
		t.Fatalf("fault must hit once: %v", err)
	}

	s.Inject(Fault{ChatID: alice.ID, Code: 403, Times: 2})
	for range 2 {
		if err := send(); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
			t.Fatalf("err = %v", err)
		}
	}

	s.Inject(Fault{Method: "sendMessage", Drop: true})
	err := send()
	if err == nil || errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "error do request") {
		t.Fatalf("dropped connection: err = %v", err)
	}

	s.Inject(Fault{Code: 500})
	if err := send(); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Fatalf("err = %v", err)
	}

	s.Inject(Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if err := send(); err != nil || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("delayed: %v after %v", err, time.Since(start))
	}

	// The answer gets lost but the message was sent: a retry duplicates it.
	s.Inject(Fault{Drop: true, AfterProcessing: true})
	before := len(s.History(alice.ID))
	if err := send(); err == nil {
		t.Fatal("want transport error")
	}
	if after := len(s.History(alice.ID)); after != before+1 {
		t.Fatalf("history %d -> %d, want the message stored", before, after)
	}

	st := s.Stats()
	if st.TooManyRequests != 1 || st.Forbidden != 2 || st.ServerErrors != 1 || st.Dropped != 2 || st.Requests["sendMessage"] != 8 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestFloodLimits(t *testing.T) {
	s := strict(t, Options{Limits: TelegramLimits()})
	bob := User{ID: 1002, FirstName: "Bob"}
	s.AddUser(alice)
	s.AddUser(bob)
	b := client(t, s)
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "1"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "2"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("second message within a second: %v", err)
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: bob.ID, Text: "1"}); err != nil {
		t.Fatalf("other chat is not limited: %v", err)
	}
	if err := s.AddGroup(-100, "Stammtisch"); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(-100), Text: "g"}); err != nil && !bot.IsTooManyRequestsError(err) {
			t.Fatal(err)
		} else if err != nil {
			// the global limit of 30/s may hit first; that is a correct answer too
			t.Logf("group message %d: %v", i, err)
		}
	}
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(-100), Text: "21st"})
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 59 {
		t.Fatalf("21st group message within a minute: %v", err)
	}
}

func TestGlobalLimitWindow(t *testing.T) {
	s := strict(t, Options{Limits: &Limits{Global: 3}})
	b := client(t, s)
	for i := range 5 {
		s.AddUser(User{ID: int64(2000 + i), FirstName: "U"})
	}
	var limited int
	for i := range 5 {
		if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(2000 + i), Text: "x"}); bot.IsTooManyRequestsError(err) {
			limited++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited != 2 {
		t.Fatalf("limited = %d, want 2", limited)
	}
}

func TestChatNotFound(t *testing.T) {
	s := strict(t, Options{})
	b := client(t, s)
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(4242), Text: "hi"})
	wantBadRequest(t, err, "chat not found")
	_, err = b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: "@somebody", Text: "hi"})
	wantBadRequest(t, err, "chat not found")

	open, _ := lenient(t, Options{AllowUnknownChats: true})
	if _, err := client(t, open).SendMessage(ctx(t), &bot.SendMessageParams{ChatID: int64(4242), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
}

func TestOtherMethodsWithRealClient(t *testing.T) {
	s := strict(t, Options{BotUsername: "netz_bot"})
	s.AddUser(alice)
	b := client(t, s)
	c := ctx(t)
	me, err := b.GetMe(c)
	if err != nil || me.ID != 123456789 || !me.IsBot || me.Username != "netz_bot" {
		t.Fatalf("getMe = %+v, %v", me, err)
	}
	if _, err := b.SendLocation(c, &bot.SendLocationParams{ChatID: alice.ID, Latitude: 49.0069, Longitude: 8.4037}); err != nil {
		t.Fatal(err)
	}
	v, err := b.SendVenue(c, &bot.SendVenueParams{ChatID: alice.ID, Latitude: 49.0094, Longitude: 8.4044, Title: "Marktplatz", Address: "Marktplatz, Karlsruhe",
		ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "Standort senden", RequestLocation: true}}}, ResizeKeyboard: true}})
	if err != nil || v.Venue == nil || v.Venue.Title != "Marktplatz" {
		t.Fatalf("venue = %+v, %v", v, err)
	}
	doc, err := b.SendDocument(c, &bot.SendDocumentParams{ChatID: alice.ID, Caption: "<i>Fahrplan</i>", ParseMode: models.ParseModeHTML,
		Document: &models.InputFileUpload{Filename: "plan.csv", Data: strings.NewReader("linie;abfahrt\n4;12:30\n")}})
	if err != nil || doc.Document == nil || doc.Document.FileName != "plan.csv" || doc.Caption != "Fahrplan" {
		t.Fatalf("document = %+v, %v", doc, err)
	}
	if _, err := b.SendDocument(c, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: doc.Document.FileID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendChatAction(c, &bot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(c, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "abfahrt", Description: "Abfahrten"}}, LanguageCode: "de"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetMyCommands(c, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "admin", Description: "Admin"}}, Scope: &models.BotCommandScopeChat{ChatID: alice.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMyCommands(c, &bot.DeleteMyCommandsParams{Scope: &models.BotCommandScopeAllGroupChats{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetChatMenuButton(c, &bot.SetChatMenuButtonParams{ChatID: alice.ID, MenuButton: models.MenuButtonCommands{Type: models.MenuButtonTypeCommands}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetChatMenuButton(c, &bot.SetChatMenuButtonParams{}); err != nil {
		t.Fatal(err)
	}
	if info, err := b.GetWebhookInfo(c); err != nil || info.URL != "" {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
	if got := s.Commands("de"); len(got) != 2 || got[1].Command != "abfahrt" {
		t.Fatalf("commands = %+v", got)
	}
	if got := s.CommandsIn("chat:1001", ""); len(got) != 1 {
		t.Fatalf("chat commands = %+v", got)
	}
	calls := s.Calls()
	var upload *Call
	for i := range calls {
		if calls[i].Method == "sendDocument" && calls[i].Document != nil && calls[i].Document.Data != nil {
			upload = &calls[i]
		}
		if calls[i].Method == "sendVenue" && (len(calls[i].ReplyKeyboard) != 1 || calls[i].ReplyKeyboard[0][0] != (Button{Text: "Standort senden", RequestLocation: true})) {
			t.Errorf("venue call keyboard = %+v", calls[i])
		}
	}
	if upload == nil || upload.Document.Name != "plan.csv" || !strings.Contains(string(upload.Document.Data), "4;12:30") || upload.Text != "<i>Fahrplan</i>" {
		t.Fatalf("upload call = %+v", upload)
	}

	// Invalid commands are refused.
	s2, violations := lenient(t, Options{})
	b2 := client(t, s2)
	for _, cmd := range []models.BotCommand{{Command: "Start", Description: "x"}, {Command: "/start", Description: "x"}, {Command: "start", Description: ""}, {Command: strings.Repeat("a", 33), Description: "x"}} {
		if _, err := b2.SetMyCommands(c, &bot.SetMyCommandsParams{Commands: []models.BotCommand{cmd}}); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%+v: err = %v", cmd, err)
		}
	}
	if _, err := b2.SetMyCommands(c, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "x"}}, LanguageCode: "deu"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("language code: err = %v", err)
	}
	if len(violations()) != 5 {
		t.Fatalf("violations = %v", violations())
	}
}

func TestCallbackAnswers(t *testing.T) {
	s := strict(t, Options{})
	b := client(t, s)
	s.SendText(alice, "/start")
	msg, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "Abo?", ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "Ja", CallbackData: "sub:yes"}, {Text: "Web", URL: "https://x.org"}})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PressButton(alice, msg.ID, "Nein"); err == nil {
		t.Fatal("pressing a missing button must fail")
	}
	if _, err := s.PressButton(alice, msg.ID, "Web"); err == nil {
		t.Fatal("a URL button sends no callback")
	}
	id, err := s.PressButton(alice, msg.ID, "sub:yes")
	if err != nil {
		t.Fatal(err)
	}
	updates := poll(t, s, 0, 0)
	var cq *models.CallbackQuery
	for _, u := range updates {
		if u.ID == id {
			cq = u.CallbackQuery
		}
	}
	if cq == nil || cq.Data != "sub:yes" || cq.Message.Message == nil || cq.Message.Message.ID != msg.ID || cq.From.ID != alice.ID {
		t.Fatalf("callback update = %+v", cq)
	}
	if _, err := b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Abonniert"}); err != nil {
		t.Fatal(err)
	}
	_, err = b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
	wantBadRequest(t, err, "query is too old and response timeout expired or query ID is invalid")
	_, err = b.AnswerCallbackQuery(ctx(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: "nonsense"})
	wantBadRequest(t, err, "query is too old")
	calls := s.Calls()
	if c := calls[1]; c.Method != "answerCallbackQuery" || c.ChatID != alice.ID || c.MessageID != msg.ID || c.Text != "Abonniert" {
		t.Fatalf("answer call = %+v", c)
	}
}

// poll is one raw getUpdates round trip.
func poll(t *testing.T, s *Server, offset int64, timeout int) []models.Update {
	t.Helper()
	status, body := rawJSON(t, s, "getUpdates", map[string]any{"offset": offset, "timeout": timeout})
	if status != 200 {
		t.Fatalf("getUpdates: %d %v", status, body)
	}
	b, _ := json.Marshal(body["result"])
	var ups []models.Update
	if err := json.Unmarshal(b, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func TestLongPollAndConfirmation(t *testing.T) {
	s := strict(t, Options{})
	got := make(chan []models.Update, 1)
	go func() {
		status, body := rawForm(t, s, "getUpdates", map[string]string{"timeout": "5"})
		if status != 200 {
			t.Errorf("getUpdates: %d %v", status, body)
		}
		b, _ := json.Marshal(body["result"])
		var ups []models.Update
		_ = json.Unmarshal(b, &ups)
		got <- ups
	}()
	time.Sleep(20 * time.Millisecond) // let the poll block
	start := time.Now()
	id := s.SendText(alice, "/abfahrt@netzbot_test_bot Marktplatz")
	var ups []models.Update
	select {
	case ups = <-got:
	case <-time.After(2 * time.Second):
		t.Fatal("long poll did not return the pushed update")
	}
	if time.Since(start) > time.Second || len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("updates = %+v after %v", ups, time.Since(start))
	}
	m := ups[0].Message
	if m == nil || m.Text != "/abfahrt@netzbot_test_bot Marktplatz" || m.From.ID != alice.ID || m.Chat.ID != alice.ID || m.Chat.Type != "private" ||
		len(m.Entities) != 1 || m.Entities[0].Type != "bot_command" || m.Entities[0].Length != 25 {
		t.Fatalf("message = %+v", m)
	}

	handled := make(chan error, 1)
	go func() { handled <- s.WaitHandled(context.Background(), id) }()
	// Polling again without the offset re-delivers and confirms nothing.
	if again := poll(t, s, 0, 0); len(again) != 1 {
		t.Fatalf("unconfirmed update must be re-delivered, got %+v", again)
	}
	select {
	case err := <-handled:
		t.Fatalf("WaitHandled returned before the confirming poll: %v", err)
	case <-time.After(30 * time.Millisecond):
	}
	if rest := poll(t, s, id+1, 0); len(rest) != 0 {
		t.Fatalf("confirmed update re-delivered: %+v", rest)
	}
	select {
	case err := <-handled:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("WaitHandled did not return after the confirming poll")
	}

	// limit and timeout 0 answer at once.
	s.SendText(alice, "a")
	s.SendText(alice, "b")
	if ups := poll(t, s, 0, 0); len(ups) != 2 {
		t.Fatalf("updates = %+v", ups)
	}
	status, body := rawJSON(t, s, "getUpdates", map[string]any{"limit": 1})
	if status != 200 || len(body["result"].([]any)) != 1 {
		t.Fatalf("limit: %d %v", status, body)
	}
}

func TestConcurrentPollsConflict(t *testing.T) {
	s := strict(t, Options{})
	first := make(chan int, 1)
	go func() {
		status, _ := rawJSON(t, s, "getUpdates", map[string]any{"timeout": 5})
		first <- status
	}()
	time.Sleep(20 * time.Millisecond)
	go func() { _, _ = rawJSON(t, s, "getUpdates", map[string]any{"timeout": 1}) }()
	select {
	case status := <-first:
		if status != 409 {
			t.Fatalf("superseded poll: %d, want 409", status)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("first poll not terminated")
	}
}

func TestCloseUnblocksLongPoll(t *testing.T) {
	s, err := New(Options{RequireSpec: true})
	if err != nil {
		t.Fatal(err)
	}
	id := s.SendText(alice, "x")
	s.mu.Lock()
	s.updates = nil // pretend nothing is pending, so the poll keeps waiting
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(s.URL+"/bot1:x/getUpdates?timeout=30", "", nil)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	waitErr := make(chan error, 1)
	go func() { waitErr <- s.WaitHandled(context.Background(), id) }()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	s.Close()
	s.Close()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("long poll still blocked after Close")
	}
	if err := <-waitErr; !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitHandled after Close: %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("Close took %v", time.Since(start))
	}
}

func TestSpecNotFound(t *testing.T) {
	if _, err := New(Options{RequireSpec: true, SpecPath: "/nonexistent/bot-api.json"}); err == nil {
		t.Fatal("RequireSpec must fail without the reference")
	}
	s, err := New(Options{SpecPath: "/nonexistent/bot-api.json", AllowUnknownChats: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SpecVersion() != "" {
		t.Fatal("no spec expected")
	}
	b := client(t, s)
	// Without the reference requests are not schema-checked, but methods work.
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	status, _ := rawJSON(t, s, "sendInvoice", map[string]any{})
	if status != 404 {
		t.Fatalf("unknown method: %d", status)
	}
}

func TestUnauthorizedToken(t *testing.T) {
	s, violations := lenient(t, Options{})
	b, err := bot.New("999:wrong", bot.WithServerURL(s.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetMe(ctx(t)); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if len(violations()) != 1 {
		t.Fatal("wrong token must be a violation")
	}
}

func TestReplyParametersAndLinkPreview(t *testing.T) {
	s := strict(t, Options{})
	b := client(t, s)
	s.SendText(alice, "Wann fährt die 4?")
	disabled := true
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "12:30",
		ReplyParameters: &models.ReplyParameters{MessageID: 1}, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: &disabled}}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 99}})
	wantBadRequest(t, err, "message to be replied not found")
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 99, AllowSendingWithoutReply: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "weg", ReplyMarkup: &models.ReplyKeyboardRemove{RemoveKeyboard: true}}); err != nil {
		t.Fatal(err)
	}
	if c := s.Calls(); !c[len(c)-1].RemoveKeyboard {
		t.Fatalf("call = %+v", c[len(c)-1])
	}
}

func BenchmarkSendMessage(b *testing.B) {
	s, err := New(Options{RequireSpec: true, AllowUnknownChats: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := bot.New(testToken, bot.WithServerURL(s.URL), bot.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	kb := keyboard([]models.InlineKeyboardButton{{Text: "Details", CallbackData: "d:1"}})
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: int64(1 + i%50), Text: "<b>Linie 4</b> verspätet", ParseMode: models.ParseModeHTML, ReplyMarkup: kb}); err != nil {
			b.Fatal(err)
		}
	}
}
