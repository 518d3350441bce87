package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/valyala/fastjson"
)

// The messages of a conversation (sendMessage, editMessageText,
// answerCallbackQuery) are posted as JSON, which the Bot API accepts, and
// only the ids of the answer are read. go-telegram/bot encodes every
// request as a multipart form, field by field through reflection, and
// decodes the whole message Telegram echoes back, keyboard and entities
// included, twice: for the three requests of an update that was a fifth
// of the bot's CPU time. Everything else still goes through the library.
// Errors are the library's (bot.ErrorForbidden, *bot.TooManyRequestsError,
// ...) so that classify treats both paths alike.

// posted is what the bot reads of a sent or edited message.
type posted struct {
	MessageID int `json:"message_id"`
	Date      int `json:"date"`
	Chat      *struct {
		ID   int64           `json:"id"`
		Type models.ChatType `json:"type"`
	} `json:"chat"`
}

func (p *posted) message() *models.Message {
	m := &models.Message{ID: p.MessageID, Date: p.Date}
	if p.Chat != nil {
		m.Chat = models.Chat{ID: p.Chat.ID, Type: p.Chat.Type}
	}
	return m
}

// direct reports whether requests can be posted without the library.
func (s *Sender) direct() bool { return s.opt.APIURL != "" && s.opt.Client != nil }

// post sends params to method as JSON and decodes the answer's result
// into result, a pointer.
func (s *Sender) post(ctx context.Context, method string, params, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", method, err)
	}
	url := strings.TrimRight(s.opt.APIURL, "/") + "/bot" + s.opt.Token + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.opt.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", method, err)
	}
	if resp.StatusCode >= 500 {
		return &ServerError{Code: resp.StatusCode}
	}
	r, err := decodeAnswer(data, result)
	if err != nil {
		return fmt.Errorf("%s: HTTP %d: undecodable answer: %w", method, resp.StatusCode, err)
	}
	if r.OK {
		return nil
	}
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		if r.MigrateToChatID != 0 {
			return &bot.MigrateError{Message: fmt.Sprintf("%s: %s", bot.ErrorBadRequest, r.Description), MigrateToChatID: r.MigrateToChatID}
		}
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, r.Description), RetryAfter: r.RetryAfter}
	}
	return fmt.Errorf("%s: %d %s", method, r.ErrorCode, r.Description)
}

// answer is the envelope of every Bot API answer.
type answer struct {
	OK              bool
	ErrorCode       int
	Description     string
	RetryAfter      int
	MigrateToChatID int
}

// answers parse Bot API answers. Telegram echoes a whole message (text,
// entities, keyboard) for the few ids the bot reads; encoding/json went
// over it twice (validating, then skipping), a tenth of the bot's CPU.
var answers fastjson.ParserPool

// decodeAnswer reads the envelope and, if OK, the result into result: a
// *posted or *bool directly, anything else by encoding/json.
func decodeAnswer(data []byte, result any) (answer, error) {
	p := answers.Get()
	defer answers.Put(p)
	v, err := p.ParseBytes(data)
	if err != nil {
		return answer{}, err
	}
	if v.Type() != fastjson.TypeObject {
		return answer{}, fmt.Errorf("not an object but %s", v.Type())
	}
	a := answer{
		OK:              v.GetBool("ok"),
		ErrorCode:       v.GetInt("error_code"),
		Description:     string(v.GetStringBytes("description")),
		RetryAfter:      v.GetInt("parameters", "retry_after"),
		MigrateToChatID: v.GetInt("parameters", "migrate_to_chat_id"),
	}
	r := v.Get("result")
	if !a.OK || r == nil || result == nil {
		return a, nil
	}
	switch res := result.(type) {
	case *posted:
		if r.Type() != fastjson.TypeObject {
			return a, fmt.Errorf("result is %s, not a message", r.Type())
		}
		res.MessageID, res.Date = r.GetInt("message_id"), r.GetInt("date")
		if c := r.Get("chat"); c != nil {
			res.Chat = &struct {
				ID   int64           `json:"id"`
				Type models.ChatType `json:"type"`
			}{ID: c.GetInt64("id"), Type: models.ChatType(c.GetStringBytes("type"))}
		}
	case *bool:
		b, err := r.Bool()
		if err != nil {
			return a, fmt.Errorf("result: %w", err)
		}
		*res = b
	default:
		if err := json.Unmarshal(r.MarshalTo(nil), result); err != nil {
			return a, fmt.Errorf("result: %w", err)
		}
	}
	return a, nil
}
