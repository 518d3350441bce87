package telegramtest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// User is a Telegram user talking to the bot. Their private chat with the
// bot has the same id, as on Telegram.
type User struct {
	ID           int64
	FirstName    string
	Username     string
	LanguageCode string
}

// Button is one keyboard button as the user sees it: inline buttons carry
// CallbackData or URL, reply-keyboard buttons may request the location.
type Button struct {
	Text            string
	CallbackData    string
	URL             string
	RequestLocation bool
}

// File is an uploaded document (Data set) or one referred to by file_id
// or URL (FileID set; the fake assigns one to uploads too).
type File struct {
	Name        string
	ContentType string
	Data        []byte
	FileID      string
}

// Command is one entry of the bot's command menu (setMyCommands).
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Call is one Bot API request the bot made (getUpdates excepted: it is
// polled constantly and would drown everything else), with the fields tests
// assert on already pulled out of the parameters.
type Call struct {
	Method    string // canonical spelling, e.g. "sendMessage"
	ChatID    int64  // target chat; for answerCallbackQuery the chat of the pressed message
	MessageID int    // the sent message's id, or the edited/deleted one's
	Text      string // text, caption, or the callback answer's text
	ParseMode string
	// Params are all parameters, decoded by their reference type: Integer
	// as int64, Float as float64, Boolean as bool, JSON objects and arrays
	// parsed (numbers as float64), uploads as *File.
	Params         map[string]any
	Keyboard       [][]Button // inline keyboard, nil if none
	ReplyKeyboard  [][]Button // reply keyboard (Text, RequestLocation), nil if none
	RemoveKeyboard bool       // reply_markup was ReplyKeyboardRemove
	Document       *File
	Result         json.RawMessage // the answer's result on success
	Status         int             // HTTP status / error_code answered
	Description    string          // the error description, if any
}

// OK tells whether Telegram accepted the call.
func (c Call) OK() bool { return c.Status == 200 }

// Message is a message in a chat's history as the user would see it.
type Message struct {
	ID        int
	ChatID    int64
	FromBot   bool
	From      User // the sender if not the bot
	Date      time.Time
	Edited    bool
	Deleted   bool
	Text      string // text or caption after entity parsing
	RawText   string // text or caption as sent, markup included
	ParseMode string
	Keyboard  [][]Button // inline keyboard, nil if none
	Latitude  float64    // for locations and venues
	Longitude float64
	Title     string // venue title
	Address   string // venue address
	Document  *File
}

type chatState struct {
	id     int64
	typ    string // private, group, supergroup
	title  string
	user   User // the other party of a private chat
	nextID int
	msgs   map[int]*storedMsg
	order  []int
}

type storedMsg struct {
	msg       Message
	kind      string // text, location, venue, document
	from      wireUser
	entities  []entity
	keyboard  [][]Button // the inline keyboard, nil if none
	markupKey string     // its canonical JSON (see normalizeInlineMarkup), "" if none
	editDate  int64
}

func (ch *chatState) add(m *storedMsg) *storedMsg {
	ch.nextID++
	m.msg.ID = ch.nextID
	m.msg.ChatID = ch.id
	ch.msgs[m.msg.ID] = m
	ch.order = append(ch.order, m.msg.ID)
	return m
}

func (s *Server) newChat(id int64, typ, title string, u User) *chatState {
	ch := &chatState{id: id, typ: typ, title: title, user: u, msgs: map[int]*storedMsg{}}
	s.chats[id] = ch
	return ch
}

// privateChat returns the user's chat with the bot, opening it if needed.
func (s *Server) privateChat(u User) *chatState {
	if u.FirstName == "" {
		u.FirstName = "User"
	}
	s.users[u.ID] = u
	ch := s.chats[u.ID]
	if ch == nil {
		ch = s.newChat(u.ID, "private", "", u)
	}
	ch.user = u
	return ch
}

// wire types: the JSON Telegram sends, fields in Telegram's order.
type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wireBot struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	Username                string `json:"username"`
	CanJoinGroups           bool   `json:"can_join_groups"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool   `json:"supports_inline_queries"`
	CanConnectToBusiness    bool   `json:"can_connect_to_business"`
	HasMainWebApp           bool   `json:"has_main_web_app"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Type      string `json:"type"`
}

type wireLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type wireVenue struct {
	Location wireLocation `json:"location"`
	Title    string       `json:"title"`
	Address  string       `json:"address"`
}

type wireDocument struct {
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wireMessage struct {
	MessageID       int           `json:"message_id"`
	From            *wireUser     `json:"from,omitempty"`
	Chat            wireChat      `json:"chat"`
	Date            int64         `json:"date"`
	EditDate        int64         `json:"edit_date,omitempty"`
	Text            string        `json:"text,omitempty"`
	Entities        []entity      `json:"entities,omitempty"`
	Document        *wireDocument `json:"document,omitempty"`
	Caption         string        `json:"caption,omitempty"`
	CaptionEntities []entity      `json:"caption_entities,omitempty"`
	Location        *wireLocation `json:"location,omitempty"`
	Venue           *wireVenue    `json:"venue,omitempty"`
	ReplyMarkup     any           `json:"reply_markup,omitempty"`
}

type wireInaccessible struct {
	Chat      wireChat `json:"chat"`
	MessageID int      `json:"message_id"`
	Date      int      `json:"date"`
}

type wireCallback struct {
	ID           string   `json:"id"`
	From         wireUser `json:"from"`
	Message      any      `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

type wireUpdate struct {
	UpdateID      int64         `json:"update_id"`
	Message       *wireMessage  `json:"message,omitempty"`
	CallbackQuery *wireCallback `json:"callback_query,omitempty"`
}

func (u User) wire() wireUser {
	return wireUser{ID: u.ID, FirstName: u.FirstName, Username: u.Username, LanguageCode: u.LanguageCode}
}

func (ch *chatState) wire() wireChat {
	w := wireChat{ID: ch.id, Type: ch.typ}
	if ch.typ == "private" {
		w.FirstName, w.Username = ch.user.FirstName, ch.user.Username
	} else {
		w.Title = ch.title
	}
	return w
}

func (ch *chatState) wireMessage(m *storedMsg) *wireMessage {
	from := m.from
	w := &wireMessage{
		MessageID: m.msg.ID,
		From:      &from,
		Chat:      ch.wire(),
		Date:      m.msg.Date.Unix(),
		EditDate:  m.editDate,
	}
	switch m.kind {
	case "text":
		w.Text, w.Entities = m.msg.Text, m.entities
	case "document":
		d := m.msg.Document
		w.Document = &wireDocument{FileName: d.Name, MimeType: d.ContentType, FileID: d.FileID, FileUniqueID: "u" + d.FileID, FileSize: len(d.Data)}
		w.Caption, w.CaptionEntities = m.msg.Text, m.entities
	case "location":
		w.Location = &wireLocation{Latitude: m.msg.Latitude, Longitude: m.msg.Longitude}
	case "venue":
		w.Location = &wireLocation{Latitude: m.msg.Latitude, Longitude: m.msg.Longitude}
		w.Venue = &wireVenue{Location: *w.Location, Title: m.msg.Title, Address: m.msg.Address}
	}
	if m.markupKey != "" {
		// Marshal compacts a RawMessage with HTML escaping, so these are
		// the bytes the normalised markup's map would give (see
		// TestMarkupKeyMarshalsLikeMap), without encoding it again.
		w.ReplyMarkup = json.RawMessage(m.markupKey)
	}
	return w
}

// botID derives the bot's user id from its token ("123456:ABC..."), as
// Telegram's tokens start with it.
func botID(token string) int64 {
	prefix, _, _ := strings.Cut(token, ":")
	if id, err := strconv.ParseInt(prefix, 10, 64); err == nil && id > 0 {
		return id
	}
	return 100000001
}

func (s *Server) botUser(token string) wireUser {
	return wireUser{ID: botID(token), IsBot: true, FirstName: s.opts.BotName, Username: s.opts.BotUsername}
}

// describe fills the Call fields tests look at from the raw parameters. It
// must tolerate malformed input: it also runs for refused requests. It does
// not need the state lock; describeCallback completes it under the lock.
func (s *Server) describe(c *Call, req *request) {
	if id, ok := parseChatID(req.params["chat_id"]); ok {
		c.ChatID = id
	}
	if c.Method == "getUpdates" {
		return // never recorded: only the chat matters, for faults
	}
	var fields map[string]*specField
	if s.spec != nil {
		if m := s.spec.Methods[c.Method]; m != nil {
			fields = m.fields
		}
	}
	c.Params = make(map[string]any, len(req.params)+len(req.files))
	for k, v := range req.params {
		var types []string
		if f := fields[k]; f != nil {
			types = f.Types
		}
		c.Params[k] = decodeParam(types, v, req, k)
	}
	for k, f := range req.files {
		c.Params[k] = f
	}
	switch c.Method {
	case "answerCallbackQuery":
		c.Text = req.params["text"]
	case "editMessageText", "editMessageReplyMarkup", "deleteMessage":
		if id, err := strconv.Atoi(req.params["message_id"]); err == nil {
			c.MessageID = id
		}
	}
	if t, ok := req.params["text"]; ok {
		c.Text = t
	} else if t, ok := req.params["caption"]; ok {
		c.Text = t
	}
	c.ParseMode = req.params["parse_mode"]
	if f := req.files["document"]; f != nil {
		c.Document = f
	} else if d, ok := req.params["document"]; ok {
		c.Document = &File{FileID: d}
	}
	if _, ok := req.params["reply_markup"]; ok {
		if x, err := req.jsonParam("reply_markup"); err == nil {
			if obj, ok := x.(map[string]any); ok {
				c.Keyboard = buttonsOf(obj["inline_keyboard"])
				c.ReplyKeyboard = buttonsOf(obj["keyboard"])
				c.RemoveKeyboard = obj["remove_keyboard"] == true
			}
		}
	}
}

// describeCallback sets an answerCallbackQuery's chat and message, those
// of the callback query it answers. Called with s.mu held.
func (s *Server) describeCallback(c *Call, req *request) {
	if c.Method != "answerCallbackQuery" {
		return
	}
	if cb := s.callbacks[req.params["callback_query_id"]]; cb != nil {
		c.ChatID, c.MessageID = cb.chatID, cb.messageID
	}
}

// parseChatID accepts an integer chat id; @usernames resolve to nothing
// because the fake has no public chats.
func parseChatID(v string) (int64, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil
}

// decodeParam decodes the parameter name of req, whose value is v, by its
// reference types for Call.Params.
func decodeParam(types []string, v string, req *request, name string) any {
	guess := len(types) == 0
	has := func(t string) bool {
		for _, x := range types {
			if x == t {
				return true
			}
		}
		return false
	}
	if guess || has("Integer") {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	if has("Float") {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	if guess || has("Boolean") {
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
		if has("Boolean") {
			return v == "1"
		}
	}
	jsonish := guess
	for _, t := range types {
		if isJSONType(t) {
			jsonish = true
		}
	}
	if jsonish && (strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[")) {
		// What json.Unmarshal would give, from the request's decoded tree.
		// It may be that tree itself: nothing else keeps it once the
		// request is done (handlers copy what they store).
		if jv := req.json(name); jv.err == nil && jv.strict {
			if x, ok := plainJSON(jv.val); ok {
				return x
			}
		}
	}
	return v
}

// buttonsOf reads a keyboard (array of arrays of button objects).
func buttonsOf(x any) [][]Button {
	rows, ok := x.([]any)
	if !ok {
		return nil
	}
	out := make([][]Button, 0, len(rows))
	for _, r := range rows {
		cells, _ := r.([]any)
		row := make([]Button, 0, len(cells))
		for _, c := range cells {
			switch b := c.(type) {
			case map[string]any:
				row = append(row, buttonOf(b))
			case string: // reply keyboards may be plain strings
				row = append(row, Button{Text: b})
			}
		}
		out = append(out, row)
	}
	return out
}

// buttonOf reads one keyboard button object.
func buttonOf(b map[string]any) Button {
	btn := Button{}
	btn.Text, _ = b["text"].(string)
	btn.CallbackData, _ = b["callback_data"].(string)
	btn.URL, _ = b["url"].(string)
	btn.RequestLocation, _ = b["request_location"].(bool)
	return btn
}

// normalizeInlineMarkup reads req's inline keyboard as Telegram echoes it
// in Message.reply_markup, unused button fields dropped (go-telegram/bot
// always sends an empty copy_text): its buttons, and its canonical JSON
// (compactJSON of the normalised markup), "" if there is no inline
// keyboard. The JSON is written straight from the decoded parameter
// rather than by building and encoding a normalised copy, which was a
// hot spot.
func normalizeInlineMarkup(req *request) ([][]Button, string) {
	x, err := req.jsonParam("reply_markup")
	if err != nil {
		return nil, ""
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, ""
	}
	rows, ok := obj["inline_keyboard"].([]any)
	if !ok {
		return nil, ""
	}
	kb := make([][]Button, 0, len(rows))
	b := make([]byte, 0, 512)
	b = append(b, `{"inline_keyboard":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		cells, _ := r.([]any)
		row := make([]Button, 0, len(cells))
		for _, c := range cells {
			btn, ok := c.(map[string]any)
			if !ok {
				continue // dropped
			}
			if len(row) > 0 {
				b = append(b, ',')
			}
			b = appendCanonicalObject(b, btn, isEmptyButtonField)
			row = append(row, buttonOf(btn))
		}
		b = append(b, ']')
		kb = append(kb, row)
	}
	b = append(b, "]}"...)
	return kb, string(b)
}

func isEmptyButtonField(k string, v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == "" && k != "text" && k != "switch_inline_query" && k != "switch_inline_query_current_chat"
	case bool:
		return !x
	case map[string]any:
		if k == "copy_text" {
			t, _ := x["text"].(string)
			return t == ""
		}
	}
	return false
}

func (m *storedMsg) snapshot() Message {
	msg := m.msg
	if m.keyboard != nil {
		// A copy: the caller may modify it.
		msg.Keyboard = make([][]Button, 0, len(m.keyboard))
		for _, row := range m.keyboard {
			msg.Keyboard = append(msg.Keyboard, append(make([]Button, 0, len(row)), row...))
		}
	}
	return msg
}
