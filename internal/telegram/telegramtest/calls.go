package telegramtest

import (
	"context"
	"fmt"
)

// Calls returns every recorded call (all methods but getUpdates), accepted
// or refused, in the order they completed.
func (s *Server) Calls() []Call {
	return s.CallsSince(0)
}

// Mark is a position in the call log, for CallsSince and WaitCall.
func (s *Server) Mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// CallsSince returns the calls recorded after Mark returned mark.
func (s *Server) CallsSince(mark int) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mark < 0 || mark > len(s.calls) {
		mark = len(s.calls)
	}
	return append([]Call(nil), s.calls[mark:]...)
}

// chatCallsSince returns the calls since mark that concern one chat.
func (s *Server) chatCallsSince(mark int, chatID int64) []Call {
	var out []Call
	for _, c := range s.CallsSince(mark) {
		if c.ChatID == chatID {
			out = append(out, c)
		}
	}
	return out
}

// WaitCall waits for a call after mark that match accepts (nil accepts
// any), for bots that confirm updates before handling them.
func (s *Server) WaitCall(ctx context.Context, mark int, match func(Call) bool) (Call, error) {
	for {
		s.mu.Lock()
		if mark < 0 {
			mark = 0
		}
		for ; mark < len(s.calls); mark++ {
			if c := s.calls[mark]; match == nil || match(c) {
				s.mu.Unlock()
				return c, nil
			}
		}
		sig := s.callSignal
		s.mu.Unlock()
		select {
		case <-sig:
		case <-ctx.Done():
			return Call{}, fmt.Errorf("telegramtest: no matching call: %w", ctx.Err())
		case <-s.closed:
			return Call{}, ErrClosed
		}
	}
}

// exchange pushes an update, waits until the bot confirmed it and returns
// the calls the bot made for the chat meanwhile. The bot is expected to
// finish handling an update before confirming it; calls that arrive after
// the confirmation are not included (use WaitCall for those).
func (s *Server) exchange(ctx context.Context, chatID int64, push func() (int64, error)) ([]Call, error) {
	mark := s.Mark()
	id, err := push()
	if err != nil {
		return nil, err
	}
	err = s.WaitHandled(ctx, id)
	return s.chatCallsSince(mark, chatID), err
}

// Exchange sends text as the user and returns what the bot did in their
// chat in response: sendMessage, edits, deletes, callback answers... in order.
func (s *Server) Exchange(ctx context.Context, u User, text string) ([]Call, error) {
	return s.exchange(ctx, u.ID, func() (int64, error) { return s.SendText(u, text), nil })
}

// Press presses an inline button (by label or callback_data) on a message
// in the user's chat and returns the bot's calls in response, including
// its answerCallbackQuery.
func (s *Server) Press(ctx context.Context, u User, messageID int, labelOrData string) ([]Call, error) {
	return s.exchange(ctx, u.ID, func() (int64, error) { return s.PressButton(u, messageID, labelOrData) })
}

// Share sends a location as the user and returns the bot's calls in response.
func (s *Server) Share(ctx context.Context, u User, lat, lon float64) ([]Call, error) {
	return s.exchange(ctx, u.ID, func() (int64, error) { return s.SendLocation(u, lat, lon), nil })
}

// LastMessage is the newest message the bot sent to the chat that is not
// deleted, i.e. what the user sees at the bottom of the chat.
func (s *Server) LastMessage(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	if ch == nil {
		return Message{}, false
	}
	for i := len(ch.order) - 1; i >= 0; i-- {
		if m := ch.msgs[ch.order[i]]; m.msg.FromBot && !m.msg.Deleted {
			return m.snapshot(), true
		}
	}
	return Message{}, false
}

// Message returns one message of a chat in its current state (edits
// applied, Deleted set if the bot deleted it).
func (s *Server) Message(chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	if ch == nil || ch.msgs[messageID] == nil {
		return Message{}, false
	}
	return ch.msgs[messageID].snapshot(), true
}

// History returns the chat's messages from both sides, oldest first,
// deleted ones included (marked).
func (s *Server) History(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	if ch == nil {
		return nil
	}
	out := make([]Message, 0, len(ch.order))
	for _, id := range ch.order {
		out = append(out, ch.msgs[id].snapshot())
	}
	return out
}
