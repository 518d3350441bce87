package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

type pendingUpdate struct {
	id  int64
	raw json.RawMessage
}

// webhookState is what setWebhook configured plus delivery bookkeeping.
type webhookState struct {
	url            string
	secret         string
	maxConnections int
	allowedUpdates []string
	generation     int // bumped on every change, so stale deliveries are ignored
	attempts       int
	nextAttempt    time.Time
	lastErrorDate  int64
	lastErrorMsg   string
}

func broadcast(ch *chan struct{}) {
	close(*ch)
	*ch = make(chan struct{})
}

// push queues an update of type typ ("message", ...; "" to read it from
// the update's JSON); build gets its update_id. Called with s.mu held.
// Like Telegram, an update of a type the bot excluded with allowed_updates
// is never created; WaitHandled reports it.
func (s *Server) push(typ string, build func(id int64) any) int64 {
	id := s.nextUpdateID
	s.nextUpdateID++
	raw, err := json.Marshal(build(id))
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal update: %v", err))
	}
	if typ == "" {
		typ = updateType(raw)
	}
	if !s.wants(typ) {
		s.lost[id] = fmt.Errorf("telegramtest: update %d (%s) not delivered: the bot's allowed_updates %v exclude it", id, typ, s.allowed)
		return id
	}
	s.updates = append(s.updates, &pendingUpdate{id: id, raw: raw})
	broadcast(&s.updateSignal)
	return id
}

// updateType is the name of the update's one payload field.
func updateType(raw []byte) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	for k := range m {
		if k != "update_id" {
			return k
		}
	}
	return ""
}

// optInUpdates are only delivered when allowed_updates names them.
var optInUpdates = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

func (s *Server) wants(typ string) bool {
	if len(s.allowed) == 0 {
		return !optInUpdates[typ]
	}
	for _, a := range s.allowed {
		if a == typ {
			return true
		}
	}
	return false
}

// setAllowed applies an allowed_updates parameter; absent keeps the
// previous setting, as on Telegram.
func (s *Server) setAllowed(req *request, present bool) {
	if !present {
		return
	}
	s.allowed = allowedList(req)
}

// allowedList is json.Unmarshal of req's allowed_updates into a []string,
// errors ignored. A plain list of strings, the usual case, is taken from
// the decoded parameter instead of being decoded once more on every poll.
func allowedList(req *request) []string {
	if jv := req.json("allowed_updates"); jv.err == nil && jv.strict {
		if arr, ok := jv.val.([]any); ok {
			list := make([]string, len(arr))
			for i, x := range arr {
				if list[i], ok = x.(string); !ok {
					break
				}
			}
			if ok {
				return list
			}
		}
	}
	var list []string
	_ = json.Unmarshal([]byte(req.params["allowed_updates"]), &list)
	return list
}

// AddUser opens the user's private chat without a message, as if they had
// pressed Start long ago, so the bot may write to them first.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChat(u)
}

// AddGroup registers a group chat the bot is a member of. Ids below
// -1000000000000 are supergroups, as on Telegram.
func (s *Server) AddGroup(chatID int64, title string) error {
	if chatID >= 0 {
		return fmt.Errorf("telegramtest: group chat ids are negative, got %d", chatID)
	}
	typ := "group"
	if chatID <= -1000000000000 {
		typ = "supergroup"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.chats[chatID]; ch != nil {
		ch.title = title
		return nil
	}
	s.newChat(chatID, typ, title, User{})
	return nil
}

// commandEntities marks a leading /command (optionally /command@bot) the
// way Telegram's clients do, in UTF-16 units.
func commandEntities(text string) []entity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := strings.IndexAny(text, " \n\t")
	if end < 0 {
		end = len(text)
	}
	if end == 1 {
		return nil
	}
	return []entity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
}

// SendText pushes a text message from the user in their private chat.
func (s *Server) SendText(u User, text string) int64 {
	return s.sendText(0, u, text)
}

// SendTextIn pushes a text message from the user in a group registered with AddGroup.
func (s *Server) SendTextIn(chatID int64, u User, text string) int64 {
	return s.sendText(chatID, u, text)
}

func (s *Server) userMessage(chatID int64, u User, kind string, build func(*storedMsg)) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.privateChat(u) // also remembers the user
	if chatID != 0 && chatID != u.ID {
		ch = s.chats[chatID]
		if ch == nil {
			typ := "group"
			if chatID <= -1000000000000 {
				typ = "supergroup"
			}
			ch = s.newChat(chatID, typ, "Group", User{})
		}
	}
	m := &storedMsg{kind: kind, from: s.users[u.ID].wire()}
	m.msg.From = s.users[u.ID]
	m.msg.Date = time.Now()
	build(m)
	ch.add(m)
	wm := ch.wireMessage(m)
	return s.push("message", func(id int64) any { return wireUpdate{UpdateID: id, Message: wm} })
}

func (s *Server) sendText(chatID int64, u User, text string) int64 {
	return s.userMessage(chatID, u, "text", func(m *storedMsg) {
		m.msg.Text, m.msg.RawText = text, text
		m.entities = commandEntities(text)
	})
}

// SendLocation pushes a location the user shared in their private chat.
func (s *Server) SendLocation(u User, lat, lon float64) int64 {
	return s.userMessage(0, u, "location", func(m *storedMsg) {
		m.msg.Latitude, m.msg.Longitude = lat, lon
	})
}

// SendCallback pushes a callback query for a message in the user's private
// chat with arbitrary data, whether or not such a button exists: for
// tampering and stale-button tests.
func (s *Server) SendCallback(u User, messageID int, data string) int64 {
	return s.SendCallbackIn(u.ID, u, messageID, data)
}

// SendCallbackIn is SendCallback for a message in any chat.
func (s *Server) SendCallbackIn(chatID int64, u User, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChat(u)
	ch := s.chats[chatID]
	s.callbackSeq++
	qid := strconv.FormatInt(s.callbackSeq, 10)
	s.callbacks[qid] = &callbackState{chatID: chatID, messageID: messageID}
	cb := &wireCallback{
		ID:           qid,
		From:         s.users[u.ID].wire(),
		ChatInstance: strconv.FormatInt(-chatID*7919+17, 10),
		Data:         data,
	}
	if ch != nil {
		if m := ch.msgs[messageID]; m != nil && !m.msg.Deleted {
			cb.Message = ch.wireMessage(m)
		} else {
			// A message the bot can no longer see: date 0 marks it inaccessible.
			cb.Message = wireInaccessible{Chat: ch.wire(), MessageID: messageID}
		}
	}
	return s.push("callback_query", func(id int64) any { return wireUpdate{UpdateID: id, CallbackQuery: cb} })
}

// PressButton presses an inline button, found by its label or its
// callback_data, on a message the bot sent to the user's private chat.
func (s *Server) PressButton(u User, messageID int, labelOrData string) (int64, error) {
	return s.PressButtonIn(u.ID, u, messageID, labelOrData)
}

// PressButtonIn is PressButton for a message in any chat.
func (s *Server) PressButtonIn(chatID int64, u User, messageID int, labelOrData string) (int64, error) {
	s.mu.Lock()
	var (
		data  string
		found bool
		err   error
	)
	ch := s.chats[chatID]
	switch {
	case ch == nil:
		err = fmt.Errorf("telegramtest: no chat %d", chatID)
	case ch.msgs[messageID] == nil || ch.msgs[messageID].msg.Deleted:
		err = fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chatID)
	default:
		kb := ch.msgs[messageID].snapshot().Keyboard
		for pass := 0; pass < 2 && !found; pass++ {
			for _, row := range kb {
				for _, b := range row {
					if !found && (pass == 0 && b.Text == labelOrData || pass == 1 && b.CallbackData == labelOrData) {
						data, found = b.CallbackData, true
						if b.CallbackData == "" {
							err = fmt.Errorf("telegramtest: button %q of message %d has no callback_data", b.Text, messageID)
						}
					}
				}
			}
		}
		if !found {
			err = fmt.Errorf("telegramtest: message %d in chat %d has no button %q (keyboard %v)", messageID, chatID, labelOrData, kb)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return s.SendCallbackIn(chatID, u, messageID, data), nil
}

// SendUpdate pushes an arbitrary update; its update_id is assigned here.
// Callback queries in it become answerable, message chats writable.
func (s *Server) SendUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := u.Message; m != nil && s.chats[m.Chat.ID] == nil {
		switch {
		case m.Chat.ID > 0:
			s.privateChat(User{ID: m.Chat.ID, FirstName: m.Chat.FirstName, Username: m.Chat.Username})
		case m.Chat.ID < 0:
			s.newChat(m.Chat.ID, string(m.Chat.Type), m.Chat.Title, User{})
		}
	}
	if cq := u.CallbackQuery; cq != nil && cq.ID != "" {
		st := &callbackState{}
		if m := cq.Message.Message; m != nil {
			st.chatID, st.messageID = m.Chat.ID, m.ID
		} else if m := cq.Message.InaccessibleMessage; m != nil {
			st.chatID, st.messageID = m.Chat.ID, m.MessageID
		}
		s.callbacks[cq.ID] = st
	}
	return s.push("", func(id int64) any {
		u.ID = id
		return &u
	})
}

// applyOffset confirms (forgets) every update below offset, or keeps only
// the last -offset updates for a negative offset, as getUpdates does.
func (s *Server) applyOffset(offset int64) {
	switch {
	case offset > 0:
		if offset-1 > s.confirmed {
			s.confirmed = offset - 1
		}
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = s.updates[i:]
		broadcast(&s.confirmSignal)
	case offset < 0:
		keep := int(-offset)
		if keep < len(s.updates) {
			drop := s.updates[:len(s.updates)-keep]
			if last := drop[len(drop)-1].id; last > s.confirmed {
				s.confirmed = last
			}
			s.updates = s.updates[len(s.updates)-keep:]
			broadcast(&s.confirmSignal)
		}
	}
}

const conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"

// getUpdates is the long poll. It runs outside the handler lock because it
// blocks; a newer poll terminates an older one with 409, as on Telegram.
func (s *Server) getUpdates(ctx context.Context, req *request) ([]json.RawMessage, *apiError) {
	offset, _ := strconv.ParseInt(req.params["offset"], 10, 64)
	limit, err := strconv.Atoi(req.params["limit"])
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(req.params["timeout"])
	deadline := time.Now().Add(time.Duration(max(timeout, 0)) * time.Second)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		return nil, &apiError{code: 409, desc: conflictWebhook}
	}
	_, ok := req.params["allowed_updates"]
	s.setAllowed(req, ok)
	if s.pollCancel != nil {
		close(s.pollCancel)
	}
	mine := make(chan struct{})
	s.pollCancel = mine
	defer func() {
		if s.pollCancel == mine {
			s.pollCancel = nil
		}
	}()
	s.applyOffset(offset)
	for {
		if len(s.updates) > 0 {
			n := min(limit, len(s.updates))
			out := make([]json.RawMessage, n)
			for i := range out {
				out[i] = s.updates[i].raw
			}
			return out, nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return []json.RawMessage{}, nil
		}
		sig := s.updateSignal
		s.mu.Unlock()
		t := time.NewTimer(wait)
		var aerr *apiError
		select {
		case <-sig:
		case <-t.C:
		case <-ctx.Done():
			aerr = &apiError{code: 499, desc: "client went away"}
		case <-s.closed:
			t.Stop()
			s.mu.Lock()
			return []json.RawMessage{}, nil
		case <-mine:
			aerr = &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		t.Stop()
		s.mu.Lock()
		if s.webhook.url != "" {
			return nil, &apiError{code: 409, desc: conflictWebhook}
		}
		if aerr != nil {
			return nil, aerr
		}
	}
}

// dropPending forgets all queued updates (drop_pending_updates).
func (s *Server) dropPending() {
	for _, u := range s.updates {
		s.lost[u.id] = fmt.Errorf("telegramtest: update %d dropped by drop_pending_updates", u.id)
	}
	s.updates = nil
	broadcast(&s.confirmSignal)
}

func (s *Server) setWebhook(c *callCtx) (any, *apiError) {
	u := c.str("url")
	if c.boolean("drop_pending_updates") {
		s.dropPending()
	}
	if u == "" {
		return s.removeWebhook()
	}
	if u == s.webhook.url && c.str("secret_token") == s.webhook.secret {
		return describedTrue{"Webhook is already set"}, nil
	}
	s.setAllowed(c.req, c.has("allowed_updates"))
	maxConn, err := strconv.Atoi(c.str("max_connections"))
	if err != nil {
		maxConn = 40
	}
	var allowed []string
	_ = json.Unmarshal([]byte(c.str("allowed_updates")), &allowed)
	s.webhook = webhookState{
		url: u, secret: c.str("secret_token"), maxConnections: maxConn,
		allowedUpdates: allowed, generation: s.webhook.generation + 1,
	}
	if s.pollCancel != nil {
		close(s.pollCancel)
		s.pollCancel = nil
	}
	broadcast(&s.updateSignal)
	return describedTrue{"Webhook was set"}, nil
}

func (s *Server) removeWebhook() (any, *apiError) {
	if s.webhook.url == "" {
		return describedTrue{"Webhook is already deleted"}, nil
	}
	s.webhook = webhookState{generation: s.webhook.generation + 1}
	broadcast(&s.updateSignal)
	return describedTrue{"Webhook was deleted"}, nil
}

func (s *Server) deleteWebhook(c *callCtx) (any, *apiError) {
	if c.boolean("drop_pending_updates") {
		s.dropPending()
	}
	return s.removeWebhook()
}

type wireWebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

func (s *Server) getWebhookInfo(*callCtx) (any, *apiError) {
	w := s.webhook
	info := wireWebhookInfo{URL: w.url, PendingUpdateCount: len(s.updates), LastErrorDate: w.lastErrorDate, LastErrorMessage: w.lastErrorMsg}
	if w.url != "" {
		info.MaxConnections, info.AllowedUpdates = w.maxConnections, w.allowedUpdates
	}
	return info, nil
}

// deliverLoop pushes queued updates to the webhook one at a time, in order,
// retrying failures with exponential backoff like Telegram does.
func (s *Server) deliverLoop() {
	for {
		s.mu.Lock()
		wh := s.webhook
		var next *pendingUpdate
		if wh.url != "" && len(s.updates) > 0 {
			next = s.updates[0]
		}
		sig := s.updateSignal
		s.mu.Unlock()
		var timer *time.Timer
		var wait <-chan time.Time
		if next != nil {
			if d := time.Until(wh.nextAttempt); d > 0 {
				timer = time.NewTimer(d)
				wait = timer.C
				next = nil
			}
		}
		if next == nil {
			select {
			case <-sig:
			case <-wait:
			case <-s.closed:
				return
			}
			if timer != nil {
				timer.Stop()
			}
			continue
		}
		status, reply, err := s.post(wh, next)
		s.mu.Lock()
		if s.webhook.generation != wh.generation {
			s.mu.Unlock()
			continue // webhook changed meanwhile: deliver again under the new one
		}
		var replyReq *request
		if err == nil && status/100 == 2 {
			s.stats.WebhookOK++
			s.webhook.attempts = 0
			s.webhook.nextAttempt = time.Time{}
			if len(s.updates) > 0 && s.updates[0] == next {
				s.updates = s.updates[1:]
			}
			if next.id > s.confirmed {
				s.confirmed = next.id
			}
			broadcast(&s.confirmSignal)
			replyReq = webhookReply(reply)
		} else {
			s.stats.WebhookFailed++
			msg := fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
			if err != nil {
				msg = "Connection refused"
				if errors.Is(err, context.DeadlineExceeded) {
					msg = "Read timeout expired"
				}
			}
			s.webhook.lastErrorDate, s.webhook.lastErrorMsg = time.Now().Unix(), msg
			s.webhook.attempts++
			if s.webhook.attempts > s.opts.WebhookRetries {
				s.lost[next.id] = fmt.Errorf("telegramtest: update %d given up after %d webhook deliveries: %s", next.id, s.webhook.attempts, msg)
				if len(s.updates) > 0 && s.updates[0] == next {
					s.updates = s.updates[1:]
				}
				s.webhook.attempts = 0
				s.webhook.nextAttempt = time.Time{}
				broadcast(&s.confirmSignal)
			} else {
				s.webhook.nextAttempt = time.Now().Add(s.opts.WebhookBackoff << (s.webhook.attempts - 1))
			}
		}
		s.mu.Unlock()
		if replyReq != nil {
			s.runWebhookReply(replyReq)
		}
	}
}

func (s *Server) post(wh webhookState, u *pendingUpdate) (int, []byte, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wh.url, bytes.NewReader(u.raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if wh.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, nil
}

// webhookReply decodes a method call made in the webhook's answer, which
// Telegram executes without returning its result.
func webhookReply(body []byte) *request {
	if len(bytes.TrimSpace(body)) == 0 || body[0] != '{' {
		return nil
	}
	req := &request{params: map[string]string{}, files: map[string]*File{}}
	if err := req.readJSONBody(body, func(k, v string) { req.params[k] = v }); err != nil {
		return nil
	}
	if req.params["method"] == "" {
		return nil
	}
	return req
}

func (s *Server) runWebhookReply(req *request) {
	name := req.params["method"]
	delete(req.params, "method")
	h, canonical := s.lookup(name)
	if h == nil {
		s.count(name, 404)
		s.addViolation(name, &apiError{code: 404, desc: "Not Found", violation: true}, req)
		return
	}
	call := Call{Method: canonical}
	if aerr := s.check(canonical, req); aerr != nil {
		s.count(canonical, aerr.code)
		s.addViolation(canonical, aerr, req)
		return
	}
	s.describe(&call, req)
	s.mu.Lock()
	s.describeCallback(&call, req)
	s.mu.Unlock()
	_, _, aerr := s.execute(h, s.opts.Token, req, &call)
	if aerr != nil {
		s.count(canonical, aerr.code)
		if aerr.violation {
			s.addViolation(canonical, aerr, req)
		}
		return
	}
	s.count(canonical, 200)
}

// WaitHandled returns once the bot confirmed the update: a getUpdates call
// arrived with an offset past it, or the webhook answered it with 2xx. It
// fails if the update was given up (webhook retries exhausted, dropped
// with drop_pending_updates), on ctx's end, or when the server closes.
func (s *Server) WaitHandled(ctx context.Context, updateID int64) error {
	for {
		s.mu.Lock()
		if err := s.lost[updateID]; err != nil {
			s.mu.Unlock()
			return err
		}
		if s.confirmed >= updateID {
			s.mu.Unlock()
			return nil
		}
		if updateID <= 0 || updateID >= s.nextUpdateID {
			s.mu.Unlock()
			return fmt.Errorf("telegramtest: no update %d was pushed", updateID)
		}
		sig := s.confirmSignal
		s.mu.Unlock()
		select {
		case <-sig:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: update %d not confirmed by the bot: %w", updateID, ctx.Err())
		case <-s.closed:
			return ErrClosed
		}
	}
}

// Pending is the number of updates the bot has not confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}
