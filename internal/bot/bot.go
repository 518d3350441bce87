// Package bot is netzbot's conversation logic: it turns a Telegram update
// into replies. Each flow lives in its own file; routes.go lists every
// command, button prefix and flow in one table.
//
// Every update passes the same middleware (Handle): panic recovery, a
// structured log line and metrics, user lookup, language resolution and the
// user's conversation state. Handlers return replies as values; deliver
// sends them through the rate-limited Sender.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
	"unicode/utf8"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/privacy"
	"github.com/netzbot/netzbot/internal/telegram"
	"github.com/netzbot/netzbot/internal/user"
)

// MaxTextInput is the longest message the bot reads, in characters.
// Longer input is answered with a hint instead of being processed.
const MaxTextInput = 1000

// Sender is what the bot needs to talk to Telegram (telegram.Sender).
type Sender interface {
	SendMessage(ctx context.Context, p *tg.SendMessageParams) (*models.Message, error)
	EditMessageText(ctx context.Context, p *tg.EditMessageTextParams) (*models.Message, error)
	AnswerCallbackQuery(ctx context.Context, p *tg.AnswerCallbackQueryParams) error
	SendVenue(ctx context.Context, p *tg.SendVenueParams) (*models.Message, error)
	SendDocument(ctx context.Context, p *tg.SendDocumentParams, name string, data []byte) (*models.Message, error)
	SetMyCommands(ctx context.Context, p *tg.SetMyCommandsParams) error
}

// Metrics records what the bot handled; see internal/metrics.
type Metrics interface {
	UpdateHandled(kind, route string, d time.Duration)
}

// Deps are the bot's collaborators.
type Deps struct {
	Users         user.Store
	Conversations conversation.Store
	// Sessions loads the user, their flow state and filters for every
	// update in one round trip.
	Sessions      conversation.SessionStore
	Notifications notify.Store
	Catalog       *locale.Catalog
	Sender        Sender
	// BotUsername is used to accept "/cmd@BotUsername" and to build deep links.
	BotUsername     string
	DefaultLanguage string
	Logger          *slog.Logger
	Metrics         Metrics
	// Unavailable reports errors that mean the database is unreachable:
	// the user is told to try again and the update is retried later.
	Unavailable func(error) bool
	// Now is the clock; tests inject their own.
	Now func() time.Time

	// Roles changes roles (/admin); see auth.go and admin.go.
	Roles user.RoleStore
	// Privacy is every store's share of personal data, for /mydata and
	// /deletemydata (privacy.go).
	Privacy *privacy.Registry
	// PrivacyInfo is what /privacy tells about retention and contact.
	PrivacyInfo PrivacyInfo
	// Flood is the per-user flood limit (flood.go); zero: DefaultFloodLimit.
	Flood FloodLimit

	// Members, Meetings and Broadcasts are the network's members, working
	// groups, invites, meetings and announcements (network.go); nil leaves
	// those commands out.
	Members    member.Store
	Meetings   meeting.Store
	Broadcasts member.BroadcastStore

	// Offers is the offer directory (offers.go, search.go); nil leaves
	// /offers out and free text is not searched.
	Offers offer.Store
	// TimeZone is the city's, for opening hours; nil: Europe/Berlin.
	TimeZone *time.Location

	// Bookings is consultation booking (booking.go, mybookings.go,
	// waitlist.go, agenda.go); nil leaves those commands out.
	// BookingPolicy are its rules (horizon, notice, deadline, reminders…).
	Bookings      booking.Store
	BookingPolicy booking.Policy
}

// Bot handles updates. It is safe for concurrent use.
type Bot struct {
	d   Deps
	log *slog.Logger

	commands  map[string]HandlerFunc
	callbacks map[string]HandlerFunc
	flows     map[string]HandlerFunc
	deepLinks map[string]HandlerFunc
	renderers map[string]Renderer
	kicks     chan struct{}

	mu       sync.Mutex
	toldDown map[int64]time.Time // chats told "unavailable", to say it once per outage

	flood *floodGate
	// sweepers run after each delivery batch (notify.go), e.g. broadcast
	// progress and reports, expanding recurring meetings.
	sweepers []Sweeper
}

// HandlerFunc handles one request and returns what to say.
type HandlerFunc func(ctx context.Context, r *Request) ([]Reply, error)

// Request is an update with everything a handler needs already resolved.
type Request struct {
	Update *models.Update
	ChatID int64
	From   *models.User
	User   *user.User
	L      *locale.Localizer
	State  conversation.State
	// Filters are the user's offer filters as loaded with the session;
	// handlers that change them update this copy too.
	Filters offer.Filters

	Text      string // text of a message
	Command   telegram.Command
	IsCommand bool
	Location  *models.Location

	Callback  *models.CallbackQuery
	Data      string   // callback data of a pressed button
	Args      []string // Data after the prefix, split at ":" (callback.go)
	MessageID int      // message whose button was pressed
}

// New builds a bot.
func New(d Deps) *Bot {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Unavailable == nil {
		d.Unavailable = func(error) bool { return false }
	}
	if !locale.IsSupported(d.DefaultLanguage) {
		d.DefaultLanguage = locale.Reference
	}
	if d.Privacy == nil {
		d.Privacy = privacy.NewRegistry()
	}
	b := &Bot{d: d, log: d.Logger, toldDown: map[int64]time.Time{}, kicks: make(chan struct{}, 1), flood: newFloodGate(d.Flood)}
	b.routes()
	return b
}

// Handle is the middleware around every handler; it implements
// telegram.Handler. It returns an error wrapping telegram.ErrRetry only
// when the update should be handled again later.
func (b *Bot) Handle(ctx context.Context, u *models.Update) (err error) {
	start := time.Now()
	kind, route := updateKind(u), "-"
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("handler panicked", "update_id", u.ID, "kind", kind, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			b.sayError(ctx, u, "error_internal")
			route, err = "panic", nil
		}
		d := time.Since(start)
		if b.d.Metrics != nil {
			b.d.Metrics.UpdateHandled(kind, route, d)
		}
		b.log.Info("update handled", "update_id", u.ID, "kind", kind, "route", route, "duration_ms", d.Milliseconds(), "retry", err != nil)
	}()
	switch {
	case u.MyChatMember != nil:
		route = "chat_member"
		return b.chatMember(ctx, u.MyChatMember)
	case u.Message != nil, u.CallbackQuery != nil:
		if !b.admit(ctx, u) { // flood control, before any database work
			route = "flood"
			return nil
		}
		route, err = b.interact(ctx, u)
		return err
	}
	return nil // updates we did not ask for
}

// interact handles a message or a pressed button.
func (b *Bot) interact(ctx context.Context, u *models.Update) (string, error) {
	r := &Request{Update: u}
	if m := u.Message; m != nil {
		if m.From == nil || m.From.IsBot {
			return "ignored", nil
		}
		r.From, r.ChatID, r.Text, r.Location = m.From, m.Chat.ID, m.Text, m.Location
		if cmd, ok := telegram.ParseCommand(m.Text, b.d.BotUsername); ok {
			r.Command, r.IsCommand = cmd, true
		}
		if m.Chat.Type != models.ChatTypePrivate && !r.IsCommand {
			return "group_ignored", nil // in groups the bot only reacts to commands
		}
	} else {
		cq := u.CallbackQuery
		r.Callback, r.From, r.Data = cq, &cq.From, cq.Data
		r.ChatID = cq.From.ID
		if m := cq.Message.Message; m != nil {
			r.ChatID, r.MessageID = m.Chat.ID, m.ID
		}
	}

	ss, err := b.d.Sessions.Open(ctx, r.From.ID, r.From.LanguageCode)
	if err != nil {
		return "unavailable", b.storeFailed(ctx, u, r.From.LanguageCode, err)
	}
	r.User, r.State, r.Filters = ss.User, ss.State, ss.Filters
	r.L = b.d.Catalog.Localizer(locale.Resolve(r.User.Language, r.From.LanguageCode, b.d.DefaultLanguage))
	b.recovered(r.ChatID)

	name, h := b.route(r)
	replies, err := h(ctx, r)
	if err != nil {
		if b.d.Unavailable(err) {
			return name, b.storeFailed(ctx, u, r.L.Lang, err)
		}
		b.log.Error("handler failed", "update_id", u.ID, "route", name, "error", err)
		replies = []Reply{{Text: r.L.T("error_internal"), Toast: ""}}
	}
	b.deliver(ctx, r, replies)
	return name, nil
}

// storeFailed answers a database failure. An outage is announced once per
// chat and the update is retried; any other error gets the generic message.
func (b *Bot) storeFailed(ctx context.Context, u *models.Update, lang string, err error) error {
	if !b.d.Unavailable(err) {
		b.log.Error("store failed", "update_id", u.ID, "error", err)
		b.sayError(ctx, u, "error_internal")
		return nil
	}
	b.log.Warn("database unavailable, update will be retried", "update_id", u.ID, "error", err)
	key := telegram.ChatKey(u)
	b.mu.Lock()
	last, told := b.toldDown[key]
	if !told || b.d.Now().Sub(last) > 5*time.Minute {
		b.toldDown[key] = b.d.Now()
	}
	b.mu.Unlock()
	if !told || b.d.Now().Sub(last) > 5*time.Minute {
		b.sayErrorLang(ctx, u, lang, "error_unavailable")
	}
	return fmt.Errorf("%w: %w", telegram.ErrRetry, err)
}

func (b *Bot) recovered(chatID int64) {
	b.mu.Lock()
	delete(b.toldDown, chatID)
	b.mu.Unlock()
}

// sayError tells the user something failed, in the language Telegram
// reports for them: the database may be what failed.
func (b *Bot) sayError(ctx context.Context, u *models.Update, id string) {
	lang := ""
	if from := fromOf(u); from != nil {
		lang = from.LanguageCode
	}
	b.sayErrorLang(ctx, u, lang, id)
}

func (b *Bot) sayErrorLang(ctx context.Context, u *models.Update, lang, id string) {
	l := b.d.Catalog.Localizer(locale.Resolve("", lang, b.d.DefaultLanguage))
	if locale.IsSupported(lang) {
		l = b.d.Catalog.Localizer(lang)
	}
	chatID := telegram.ChatKey(u)
	if chatID == 0 {
		return
	}
	defer func() { _ = recover() }() // never let the error path panic again
	if cq := u.CallbackQuery; cq != nil {
		_ = b.d.Sender.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID})
	}
	if _, err := b.d.Sender.SendMessage(ctx, &tg.SendMessageParams{ChatID: chatID, Text: l.T(id), ParseMode: models.ParseModeHTML}); err != nil {
		b.log.Warn("sending error message failed", "update_id", u.ID, "error", err)
	}
}

// chatMember follows the user blocking (kicked) or unblocking the bot.
func (b *Bot) chatMember(ctx context.Context, m *models.ChatMemberUpdated) error {
	if m.Chat.Type != models.ChatTypePrivate {
		return nil
	}
	active := m.NewChatMember.Type != models.ChatMemberTypeBanned && m.NewChatMember.Type != models.ChatMemberTypeLeft
	if _, err := b.d.Users.Touch(ctx, m.From.ID, m.From.LanguageCode); err != nil {
		if b.d.Unavailable(err) {
			return fmt.Errorf("%w: %w", telegram.ErrRetry, err)
		}
		return nil
	}
	if err := b.d.Users.SetActive(ctx, m.From.ID, active); err != nil && b.d.Unavailable(err) {
		return fmt.Errorf("%w: %w", telegram.ErrRetry, err)
	}
	return nil
}

// MarkBlocked is the Sender's 403 callback: stop writing to that user.
func (b *Bot) MarkBlocked(ctx context.Context, chatID int64) {
	if chatID <= 0 {
		return
	}
	if err := b.d.Users.SetActive(ctx, chatID, false); err != nil && !errors.Is(err, context.Canceled) {
		b.log.Warn("marking blocked user inactive failed", "error", err)
	}
	b.log.Info("user blocked the bot; marked inactive")
}

func fromOf(u *models.Update) *models.User {
	switch {
	case u.Message != nil:
		return u.Message.From
	case u.CallbackQuery != nil:
		return &u.CallbackQuery.From
	case u.MyChatMember != nil:
		return &u.MyChatMember.From
	}
	return nil
}

func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil:
		switch {
		case u.Message.Text != "":
			return "text"
		case u.Message.Location != nil:
			return "location"
		}
		return "other_message"
	case u.CallbackQuery != nil:
		return "callback"
	case u.MyChatMember != nil:
		return "chat_member"
	}
	return "other"
}

// tooLong reports whether a message exceeds MaxTextInput characters.
func tooLong(s string) bool { return utf8.RuneCountInString(s) > MaxTextInput }
