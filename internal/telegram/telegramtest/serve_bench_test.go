package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The benchmarks below measure the fake's own CPU per request: request
// bodies are captured once from the real go-telegram/bot client (multipart
// form, JSON-encoded fields) and replayed straight into ServeHTTP, so
// neither client encoding nor the network is timed.

// captureClient records the request go-telegram/bot would send and answers
// with an error, which the capturing caller ignores.
type captureClient struct {
	contentType string
	body        []byte
}

func (c *captureClient) Do(r *http.Request) (*http.Response, error) {
	c.contentType = r.Header.Get("Content-Type")
	c.body, _ = io.ReadAll(r.Body)
	return &http.Response{
		StatusCode: 400,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"ok":false,"error_code":400,"description":"captured"}`)),
		Request:    r,
	}, nil
}

// captured is one replayable request.
type captured struct {
	method      string
	contentType string
	body        []byte
}

// capture returns the request call makes through a go-telegram/bot client.
func capture(b testing.TB, method string, call func(ctx context.Context, c *bot.Bot)) captured {
	b.Helper()
	cc := &captureClient{}
	c, err := bot.New(testToken, bot.WithServerURL("http://fake.invalid"), bot.WithSkipGetMe(), bot.WithHTTPClient(0, cc))
	if err != nil {
		b.Fatal(err)
	}
	call(context.Background(), c)
	if cc.body == nil {
		b.Fatalf("%s: nothing captured", method)
	}
	return captured{method: method, contentType: cc.contentType, body: cc.body}
}

// serve replays a request into the handler and fails unless it was
// accepted. The request and response writer are minimal, so that what is
// timed is the fake's work rather than httptest's.
func serve(b *testing.B, s *Server, req captured) {
	r := &http.Request{
		Method:        http.MethodPost,
		URL:           &url.URL{Path: "/bot" + testToken + "/" + req.method},
		Header:        http.Header{"Content-Type": {req.contentType}},
		Body:          io.NopCloser(bytes.NewReader(req.body)),
		ContentLength: int64(len(req.body)),
	}
	var w benchWriter
	s.ServeHTTP(&w, r)
	if w.code != 200 {
		b.Fatalf("%s: %d %s", req.method, w.code, w.body)
	}
}

// benchWriter is the least a ResponseWriter can be.
type benchWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (w *benchWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *benchWriter) WriteHeader(code int) { w.code = code }

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	w.body = p // the handler writes its answer at once
	return len(p), nil
}

// benchServer is a strict server: any violation fails the benchmark.
func benchServer(b *testing.B) *Server {
	b.Helper()
	s := Start(b, Options{Token: testToken})
	s.AddUser(alice)
	return s
}

// benchText is ~600 characters of HTML as netzbot formats a departure board.
func benchText(variant string) string {
	var sb strings.Builder
	sb.WriteString("<b>Abfahrten Marktplatz</b> " + variant + "\n\n")
	for i := range 12 {
		fmt.Fprintf(&sb, "<code>12:%02d</code> Linie <b>%d</b> → Hauptbahnhof &amp; Durlach\n", i*4, i%5+1)
	}
	sb.WriteString("<i>Stand: 12:00</i> <a href=\"https://example.org/plan\">Fahrplan</a>")
	return sb.String()
}

// benchKeyboard is an inline keyboard of 10 buttons in 5 rows.
func benchKeyboard() *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	for i := range 5 {
		rows = append(rows, []models.InlineKeyboardButton{
			{Text: fmt.Sprintf("Linie %d", i+1), CallbackData: fmt.Sprintf("line:%d:page:%d", i+1, i)},
			{Text: fmt.Sprintf("Mehr %d", i+1), CallbackData: fmt.Sprintf("more:%d", i+1)},
		})
	}
	rows[4][1] = models.InlineKeyboardButton{Text: "Fahrplan", URL: "https://example.org/plan"}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func BenchmarkFakeSendMessage(b *testing.B) {
	s := benchServer(b)
	req := capture(b, "sendMessage", func(ctx context.Context, c *bot.Bot) {
		_, _ = c.SendMessage(ctx, &bot.SendMessageParams{
			ChatID: alice.ID, Text: benchText("A"), ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
			ReplyMarkup:        benchKeyboard(),
		})
	})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, s, req)
	}
}

func BenchmarkFakeEditMessageWithKeyboard(b *testing.B) {
	s := benchServer(b)
	send := capture(b, "sendMessage", func(ctx context.Context, c *bot.Bot) {
		_, _ = c.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "…"})
	})
	serve(b, s, send)
	id := s.Calls()[0].MessageID
	// Two alternating texts, so no edit is refused as "not modified".
	var edits [2]captured
	for i, v := range []string{"A", "B"} {
		edits[i] = capture(b, "editMessageText", func(ctx context.Context, c *bot.Bot) {
			_, _ = c.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: alice.ID, MessageID: id, Text: benchText(v), ParseMode: models.ParseModeHTML,
				ReplyMarkup: benchKeyboard(),
			})
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		serve(b, s, edits[i%2])
		i++
	}
}

func BenchmarkFakeAnswerCallbackQuery(b *testing.B) {
	s := benchServer(b)
	// Callback query ids are 19 digits; one captured body is patched per id.
	const placeholder = "9999999999999999999"
	tmpl := capture(b, "answerCallbackQuery", func(ctx context.Context, c *bot.Bot) {
		_, _ = c.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: placeholder, Text: "Gespeichert"})
	})
	// One open query per answer, made before the clock starts.
	reqs := make([]captured, b.N)
	for i := range reqs {
		id := s.SendCallback(alice, 1, "line:1")
		s.mu.Lock()
		qid := strconv.FormatInt(s.callbackSeq, 10) // the query SendCallback made
		s.applyOffset(id + 1)                       // keep the update queue short
		s.mu.Unlock()
		reqs[i] = tmpl
		reqs[i].body = bytes.Replace(tmpl.body, []byte(placeholder), []byte(qid), 1)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serve(b, s, reqs[i])
	}
}

// BenchmarkFakeGetUpdates is one update's round trip through the long poll:
// the user's message is pushed and fetched by the next poll, which also
// confirms the previous one. "json" is how netzbot's poller asks,
// "multipart" how go-telegram/bot's does.
func BenchmarkFakeGetUpdates(b *testing.B) {
	for _, form := range []string{"json", "multipart"} {
		b.Run(form, func(b *testing.B) {
			s := benchServer(b)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				id := s.SendText(alice, "/abfahrten Marktplatz")
				serve(b, s, pollRequest(form, id))
			}
		})
	}
}

// pollRequest is a getUpdates request with offset, as the two pollers send it.
func pollRequest(form string, offset int64) captured {
	req := captured{method: "getUpdates"}
	off := strconv.FormatInt(offset, 10)
	if form == "json" {
		req.contentType = "application/json"
		req.body = []byte(`{"allowed_updates":["message","callback_query"],"limit":100,"offset":` + off + `,"timeout":50}`)
		return req
	}
	const boundary = "5f1c9b0e3a7d4c2e8b6a1f0d9c8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e"
	req.contentType = "multipart/form-data; boundary=" + boundary
	var sb strings.Builder
	for _, kv := range [][2]string{{"offset", off}, {"timeout", "50"}, {"allowed_updates", `["message","callback_query"]`}} {
		sb.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + kv[0] + "\"\r\n\r\n" + kv[1] + "\r\n")
	}
	sb.WriteString("--" + boundary + "--\r\n")
	req.body = []byte(sb.String())
	return req
}

// netzbotKeyboard is an inline keyboard of 12 buttons in 6 rows, the size
// netzbot's departure boards have.
func netzbotKeyboard() *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	for i := range 6 {
		rows = append(rows, []models.InlineKeyboardButton{
			{Text: fmt.Sprintf("Linie %d → Hbf", i+1), CallbackData: fmt.Sprintf("line:%d:page:%d", i+1, i)},
			{Text: fmt.Sprintf("Mehr %d", i+1), CallbackData: fmt.Sprintf("more:%d", i+1)},
		})
	}
	rows[5][1] = models.InlineKeyboardButton{Text: "Fahrplan", URL: "https://example.org/plan?a=1&b=2"}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// netzbotSendMessage is a sendMessage as netzbot posts it: the parameters
// json.Marshal'ed into an application/json body (see internal/telegram/post.go).
func netzbotSendMessage(b testing.TB, variant string) captured {
	body, err := json.Marshal(&bot.SendMessageParams{
		ChatID: alice.ID, Text: benchText(variant), ParseMode: models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
		ReplyMarkup:        netzbotKeyboard(),
	})
	if err != nil {
		b.Fatal(err)
	}
	return captured{method: "sendMessage", contentType: "application/json", body: body}
}

func BenchmarkFakeSendMessageJSON(b *testing.B) {
	s := benchServer(b)
	req := netzbotSendMessage(b, "A")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, s, req)
	}
}

// BenchmarkParseJSONBody is the JSON body path alone: the body read into
// parameters and reply_markup decoded, as validation then asks for it.
func BenchmarkParseJSONBody(b *testing.B) {
	req := netzbotSendMessage(b, "A")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := &http.Request{
			Method: http.MethodPost,
			URL:    &url.URL{Path: "/bot" + testToken + "/sendMessage"},
			Header: http.Header{"Content-Type": {req.contentType}},
			Body:   io.NopCloser(bytes.NewReader(req.body)),
		}
		p, aerr := parseHTTPRequest(r)
		if aerr != nil {
			b.Fatal(aerr.desc)
		}
		if jv := p.json("reply_markup"); jv.err != nil {
			b.Fatal(jv.err)
		}
	}
}
