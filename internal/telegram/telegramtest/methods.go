package telegramtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

type callCtx struct {
	token string
	req   *request
	call  *Call
	now   time.Time
}

func (c *callCtx) str(name string) string { return c.req.params[name] }

func (c *callCtx) has(name string) bool { return c.req.has(name) }

func (c *callCtx) float(name string) float64 {
	f, _ := strconv.ParseFloat(c.req.params[name], 64)
	return f
}

func (c *callCtx) boolean(name string) bool {
	v := strings.ToLower(c.req.params[name])
	return v == "true" || v == "1"
}

// handlerFunc runs one method with the server's state lock held.
type handlerFunc func(s *Server, c *callCtx) (any, *apiError)

var handlers = map[string]handlerFunc{
	"getMe":                  (*Server).getMe,
	"getUpdates":             nil, // long poll: served outside the lock, see getUpdates
	"sendMessage":            (*Server).sendMessage,
	"editMessageText":        (*Server).editMessageText,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
	"answerCallbackQuery":    (*Server).answerCallbackQuery,
	"deleteMessage":          (*Server).deleteMessage,
	"setMyCommands":          (*Server).setMyCommands,
	"deleteMyCommands":       (*Server).deleteMyCommands,
	"sendLocation":           (*Server).sendLocation,
	"sendVenue":              (*Server).sendVenue,
	"sendDocument":           (*Server).sendDocument,
	"sendChatAction":         (*Server).sendChatAction,
	"setWebhook":             (*Server).setWebhook,
	"deleteWebhook":          (*Server).deleteWebhook,
	"getWebhookInfo":         (*Server).getWebhookInfo,
	"setChatMenuButton":      (*Server).setChatMenuButton,
}

var handlersLower = func() map[string]string {
	m := map[string]string{}
	for k := range handlers {
		m[strings.ToLower(k)] = k
	}
	return m
}()

func notImplemented(*Server, *callCtx) (any, *apiError) {
	return nil, &apiError{code: 501, desc: "Not Implemented: telegramtest has no handler for this method", violation: true}
}

// lookup resolves a method name case-insensitively. With the reference
// loaded only its methods exist (as on Telegram, others are 404); without
// it, the methods the fake implements.
func (s *Server) lookup(name string) (handlerFunc, string) {
	if s.spec != nil {
		// Clients spell names canonically; lower-casing (an allocation)
		// is only needed for the odd one that doesn't.
		m := s.spec.Methods[name]
		if m == nil {
			m = s.spec.byLower[strings.ToLower(name)]
		}
		if m == nil {
			return nil, ""
		}
		if h, ok := handlers[m.Name]; ok {
			if h == nil {
				return notImplemented, m.Name // getUpdates, served separately
			}
			return h, m.Name
		}
		return notImplemented, m.Name
	}
	canonical, ok := handlersLower[strings.ToLower(name)]
	if !ok {
		return nil, ""
	}
	if h := handlers[canonical]; h != nil {
		return h, canonical
	}
	return notImplemented, canonical
}

var errChatNotFound = &apiError{code: 400, desc: "Bad Request: chat not found"}

// chat resolves chat_id to a chat the bot can write to.
func (s *Server) chat(c *callCtx) (*chatState, *apiError) {
	id, ok := parseChatID(c.str("chat_id"))
	if !ok {
		return nil, errChatNotFound
	}
	ch := s.chats[id]
	if ch == nil {
		if !s.opts.AllowUnknownChats || id <= 0 {
			return nil, errChatNotFound
		}
		ch = s.privateChat(User{ID: id})
	}
	return ch, nil
}

func (s *Server) getMe(c *callCtx) (any, *apiError) {
	return wireBot{ID: botID(c.token), IsBot: true, FirstName: s.opts.BotName, Username: s.opts.BotUsername, CanJoinGroups: true}, nil
}

// textOf parses text or caption with parse_mode (already validated) or
// takes the explicit entities.
func textOf(c *callCtx, field, entitiesField string) (string, []entity) {
	raw := c.str(field)
	plain, ents, err := c.req.parseText(raw, c.str("parse_mode"))
	if err != nil {
		return raw, nil
	}
	if c.str("parse_mode") == "" && c.has(entitiesField) {
		_ = json.Unmarshal([]byte(c.str(entitiesField)), &ents)
	}
	return plain, ents
}

// newBotMessage stores a message the bot sends, after the flood check.
func (s *Server) newBotMessage(c *callCtx, kind string, build func(m *storedMsg)) (any, *apiError) {
	ch, aerr := s.chat(c)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkReplyTarget(c, ch); aerr != nil {
		return nil, aerr
	}
	if aerr := s.limiter.allow(ch, true, c.now); aerr != nil {
		return nil, aerr
	}
	m := &storedMsg{kind: kind, from: s.botUser(c.token)}
	m.msg.FromBot = true
	m.msg.Date = c.now
	m.msg.ParseMode = c.str("parse_mode")
	if c.str("reply_markup") != "" {
		m.keyboard, m.markupKey = normalizeInlineMarkup(c.req)
	}
	build(m)
	ch.add(m)
	s.limiter.record(ch, true, c.now)
	c.call.ChatID, c.call.MessageID = ch.id, m.msg.ID
	return ch.wireMessage(m), nil
}

// checkReplyTarget refuses replies to messages that don't exist, unless
// allow_sending_without_reply says not to care.
func (s *Server) checkReplyTarget(c *callCtx, ch *chatState) *apiError {
	rp := c.str("reply_parameters")
	if rp == "" {
		return nil
	}
	var p struct {
		MessageID int  `json:"message_id"`
		ChatID    any  `json:"chat_id"`
		Allow     bool `json:"allow_sending_without_reply"`
	}
	if err := json.Unmarshal([]byte(rp), &p); err != nil || p.Allow {
		return nil
	}
	target := ch
	switch id := p.ChatID.(type) {
	case float64:
		target = s.chats[int64(id)]
	case string:
		if n, ok := parseChatID(id); ok {
			target = s.chats[n]
		} else {
			target = nil
		}
	}
	if target == nil || target.msgs[p.MessageID] == nil || target.msgs[p.MessageID].msg.Deleted {
		return badRequest("message to be replied not found")
	}
	return nil
}

func (s *Server) sendMessage(c *callCtx) (any, *apiError) {
	return s.newBotMessage(c, "text", func(m *storedMsg) {
		m.msg.RawText = c.str("text")
		m.msg.Text, m.entities = textOf(c, "text", "entities")
	})
}

func (s *Server) sendLocation(c *callCtx) (any, *apiError) {
	return s.newBotMessage(c, "location", func(m *storedMsg) {
		m.msg.Latitude, m.msg.Longitude = c.float("latitude"), c.float("longitude")
	})
}

func (s *Server) sendVenue(c *callCtx) (any, *apiError) {
	return s.newBotMessage(c, "venue", func(m *storedMsg) {
		m.msg.Latitude, m.msg.Longitude = c.float("latitude"), c.float("longitude")
		m.msg.Title, m.msg.Address = c.str("title"), c.str("address")
	})
}

func (s *Server) sendDocument(c *callCtx) (any, *apiError) {
	return s.newBotMessage(c, "document", func(m *storedMsg) {
		doc := &File{}
		if f := c.req.files["document"]; f != nil {
			*doc = *f
		} else if name, ok := strings.CutPrefix(c.str("document"), "attach://"); ok && c.req.files[name] != nil {
			*doc = *c.req.files[name]
		} else {
			doc.FileID = c.str("document")
		}
		if doc.FileID == "" {
			s.callbackSeq++
			doc.FileID = fmt.Sprintf("BQACAgIAAxkBAAI%d", s.callbackSeq)
		}
		if doc.ContentType == "" || doc.ContentType == "application/octet-stream" {
			doc.ContentType = mimeByName(doc.Name)
		}
		m.msg.Document = doc
		m.msg.RawText = c.str("caption")
		m.msg.Text, m.entities = textOf(c, "caption", "caption_entities")
		c.call.Document = doc
	})
}

func mimeByName(name string) string {
	switch {
	case strings.HasSuffix(name, ".pdf"):
		return "application/pdf"
	case strings.HasSuffix(name, ".csv"):
		return "text/csv"
	case strings.HasSuffix(name, ".txt"):
		return "text/plain"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".ics"):
		return "text/calendar"
	case strings.HasSuffix(name, ".gpx"):
		return "application/gpx+xml"
	}
	return "application/octet-stream"
}

// editTarget finds the message an edit refers to.
func (s *Server) editTarget(c *callCtx) (*chatState, *storedMsg, *apiError) {
	if c.has("inline_message_id") {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	if !c.has("chat_id") || !c.has("message_id") {
		return nil, nil, malformed("Bad Request: message identifier is not specified")
	}
	ch, aerr := s.chat(c)
	if aerr != nil {
		return nil, nil, aerr
	}
	id, _ := strconv.Atoi(c.str("message_id"))
	m := ch.msgs[id]
	if m == nil || m.msg.Deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.msg.FromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return ch, m, nil
}

// sameEntities is whether two entity lists have the same JSON encoding,
// without encoding them: the same entities in the same order, and nil
// ("null") apart from an empty list ("[]").
func sameEntities(a, b []entity) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (s *Server) editMessageText(c *callCtx) (any, *apiError) {
	ch, m, aerr := s.editTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	if m.kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, ents := textOf(c, "text", "entities")
	// Without reply_markup Telegram drops the inline keyboard.
	var keyboard [][]Button
	var key string
	if c.str("reply_markup") != "" {
		keyboard, key = normalizeInlineMarkup(c.req)
	}
	if text == m.msg.Text && sameEntities(ents, m.entities) && key == m.markupKey {
		return nil, badRequest(notModified)
	}
	if aerr := s.limiter.allow(ch, false, c.now); aerr != nil {
		return nil, aerr
	}
	s.limiter.record(ch, false, c.now)
	m.msg.Text, m.msg.RawText, m.msg.ParseMode, m.entities = text, c.str("text"), c.str("parse_mode"), ents
	m.keyboard, m.markupKey = keyboard, key
	m.msg.Edited, m.editDate = true, c.now.Unix()
	c.call.ChatID, c.call.MessageID = ch.id, m.msg.ID
	return ch.wireMessage(m), nil
}

func (s *Server) editMessageReplyMarkup(c *callCtx) (any, *apiError) {
	ch, m, aerr := s.editTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	var keyboard [][]Button
	var key string
	if c.str("reply_markup") != "" {
		keyboard, key = normalizeInlineMarkup(c.req)
	}
	if key == m.markupKey {
		return nil, badRequest(notModified)
	}
	if aerr := s.limiter.allow(ch, false, c.now); aerr != nil {
		return nil, aerr
	}
	s.limiter.record(ch, false, c.now)
	m.keyboard, m.markupKey = keyboard, key
	m.msg.Edited, m.editDate = true, c.now.Unix()
	c.call.ChatID, c.call.MessageID = ch.id, m.msg.ID
	return ch.wireMessage(m), nil
}

func (s *Server) deleteMessage(c *callCtx) (any, *apiError) {
	ch, aerr := s.chat(c)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := strconv.Atoi(c.str("message_id"))
	m := ch.msgs[id]
	if m == nil || m.msg.Deleted {
		return nil, badRequest("message to delete not found")
	}
	if !m.msg.FromBot && ch.typ != "private" {
		return nil, badRequest("message can't be deleted")
	}
	m.msg.Deleted = true
	return true, nil
}

type callbackState struct {
	chatID    int64
	messageID int
	answered  bool
}

func (s *Server) answerCallbackQuery(c *callCtx) (any, *apiError) {
	cb := s.callbacks[c.str("callback_query_id")]
	if cb == nil || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cb.answered = true
	return true, nil
}

// commandsKey identifies a command list by scope and language, the way
// Telegram keeps them apart.
func commandsKey(scope, lang string) string {
	if scope == "" {
		scope = "default"
	}
	return scope + "|" + lang
}

// scopeName condenses the scope parameter (a BotCommandScope JSON object)
// to "default", "all_private_chats", "chat:<id>", "chat_member:<chat>:<user>", ...
func scopeName(req *request) string {
	if req.params["scope"] == "" {
		return "default"
	}
	x, err := req.jsonParam("scope")
	obj, ok := x.(map[string]any)
	if err != nil || !ok {
		return "default"
	}
	name, _ := obj["type"].(string)
	if id, ok := obj["chat_id"]; ok {
		name += fmt.Sprintf(":%v", id)
	}
	if id, ok := obj["user_id"]; ok {
		name += fmt.Sprintf(":%v", id)
	}
	return name
}

func (s *Server) setMyCommands(c *callCtx) (any, *apiError) {
	var cmds []Command
	if err := json.Unmarshal([]byte(c.str("commands")), &cmds); err != nil {
		return nil, malformed("Bad Request: can't parse commands JSON object")
	}
	s.commands[commandsKey(scopeName(c.req), c.str("language_code"))] = cmds
	return true, nil
}

func (s *Server) deleteMyCommands(c *callCtx) (any, *apiError) {
	delete(s.commands, commandsKey(scopeName(c.req), c.str("language_code")))
	return true, nil
}

func (s *Server) sendChatAction(c *callCtx) (any, *apiError) {
	ch, aerr := s.chat(c)
	if aerr != nil {
		return nil, aerr
	}
	c.call.ChatID = ch.id
	return true, nil
}

func (s *Server) setChatMenuButton(c *callCtx) (any, *apiError) {
	var id int64
	if c.has("chat_id") {
		ch, aerr := s.chat(c)
		if aerr != nil {
			return nil, aerr
		}
		id = ch.id
	}
	mb := c.str("menu_button")
	if mb == "" {
		mb = `{"type":"default"}`
	}
	s.menuButtons[id] = json.RawMessage(mb)
	return true, nil
}

// Commands returns the default-scope command list set for a language code
// ("" for the list without language), nil if none.
func (s *Server) Commands(lang string) []Command {
	return s.CommandsIn("default", lang)
}

// CommandsIn returns the command list of a scope: "default",
// "all_private_chats", "all_group_chats", "all_chat_administrators",
// "chat:<id>", "chat_administrators:<id>", "chat_member:<chat>:<user>".
func (s *Server) CommandsIn(scope, lang string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands[commandsKey(scope, lang)]...)
}

// MenuButton returns the menu button JSON set for a chat (0: the default
// for all private chats), nil if never set.
func (s *Server) MenuButton(chatID int64) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(json.RawMessage(nil), s.menuButtons[chatID]...)
}
