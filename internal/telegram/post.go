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
	var r struct {
		OK          bool   `json:"ok"`
		Result      any    `json:"result"`
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
		Parameters  struct {
			RetryAfter      int `json:"retry_after"`
			MigrateToChatID int `json:"migrate_to_chat_id"`
		} `json:"parameters"`
	}
	r.Result = result
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: HTTP %d: undecodable answer: %w", method, resp.StatusCode, err)
	}
	if r.OK {
		return nil
	}
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		if r.Parameters.MigrateToChatID != 0 {
			return &bot.MigrateError{Message: fmt.Sprintf("%s: %s", bot.ErrorBadRequest, r.Description), MigrateToChatID: r.Parameters.MigrateToChatID}
		}
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, r.Description), RetryAfter: r.Parameters.RetryAfter}
	}
	return fmt.Errorf("%s: %d %s", method, r.ErrorCode, r.Description)
}
