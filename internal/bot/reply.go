package bot

import (
	"context"
	"errors"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/locale"
)

// Reply is one thing the bot says back. Handlers return replies as values
// and deliver sends them in one place, which keeps handlers easy to test
// and every outgoing message on the rate-limited Sender.
type Reply struct {
	Text    string   // Telegram HTML, built with a Localizer
	Buttons Keyboard // inline keyboard under the text
	// Edit replaces the message whose button was pressed instead of
	// sending a new one, so menus don't pile up in the chat.
	Edit bool
	// Toast is shown briefly on a pressed button (answerCallbackQuery).
	Toast string
	// ReplyKeyboard replaces the keyboard of the user's app; RemoveKeyboard
	// takes it away again.
	ReplyKeyboard  [][]KeyButton
	RemoveKeyboard bool
	Venue          *Venue
	Document       *Document
}

// Button is an inline keyboard button: Data for callbacks (≤ 64 bytes,
// carrying its own state, e.g. "lang:ar"), or URL for a link.
type Button struct {
	Text string
	Data string
	URL  string
}

// Keyboard is rows of inline buttons.
type Keyboard [][]Button

// KeyButton is a reply keyboard button, which may ask for the location.
type KeyButton struct {
	Text            string
	RequestLocation bool
}

// Venue is a place shown as a native map pin.
type Venue struct {
	Latitude, Longitude float64
	Title, Address      string
}

// Document is a file sent to the user, e.g. an .ics calendar entry.
type Document struct {
	Name    string
	Data    []byte
	Caption string // Telegram HTML
}

// Row builds a keyboard row, mirrored for right-to-left languages.
func Row(l *locale.Localizer, buttons ...Button) []Button {
	return locale.Mirror(l.Lang, buttons)
}

// Text is a reply with text only.
func Text(s string) Reply { return Reply{Text: s} }

// deliver sends replies to the request's chat, in order. It answers a
// pressed button exactly once, also when there is nothing else to say.
func (b *Bot) deliver(ctx context.Context, r *Request, replies []Reply) {
	toast := ""
	for _, rep := range replies {
		if rep.Toast != "" {
			toast = rep.Toast
		}
	}
	if r.Callback != nil {
		// Answer first: the spinner on the button stops at once.
		if err := b.d.Sender.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: r.Callback.ID, Text: toast}); err != nil {
			b.log.Debug("answering callback failed", "update_id", r.Update.ID, "error", err)
		}
	}
	for _, rep := range replies {
		if err := b.send(ctx, r, rep); err != nil {
			b.log.Warn("sending reply failed", "update_id", r.Update.ID, "error", err)
			return
		}
	}
}

func (b *Bot) send(ctx context.Context, r *Request, rep Reply) error {
	var markup models.ReplyMarkup
	if len(rep.Buttons) > 0 {
		markup = inlineMarkup(rep.Buttons)
	} else if len(rep.ReplyKeyboard) > 0 {
		markup = replyMarkup(rep.ReplyKeyboard)
	} else if rep.RemoveKeyboard {
		markup = &models.ReplyKeyboardRemove{RemoveKeyboard: true}
	}
	noPreview := &models.LinkPreviewOptions{IsDisabled: tg.True()}
	textSent := false
	if rep.Text != "" && rep.Edit && r.MessageID != 0 && (markup == nil || len(rep.Buttons) > 0) {
		var inline models.ReplyMarkup
		if markup != nil {
			inline = markup
		}
		_, err := b.d.Sender.EditMessageText(ctx, &tg.EditMessageTextParams{
			ChatID: r.ChatID, MessageID: r.MessageID, Text: rep.Text,
			ParseMode: models.ParseModeHTML, ReplyMarkup: inline, LinkPreviewOptions: noPreview,
		})
		switch {
		case err == nil || strings.Contains(err.Error(), "message is not modified"):
			textSent = true
		case errors.Is(err, context.Canceled):
			return err
		default: // the message is too old or gone: say it as a new message
			b.log.Debug("edit failed, sending instead", "update_id", r.Update.ID, "error", err)
		}
	}
	if rep.Text != "" && !textSent {
		if _, err := b.d.Sender.SendMessage(ctx, &tg.SendMessageParams{
			ChatID: r.ChatID, Text: rep.Text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: markup, LinkPreviewOptions: noPreview,
		}); err != nil {
			return err
		}
	}
	if v := rep.Venue; v != nil {
		if _, err := b.d.Sender.SendVenue(ctx, &tg.SendVenueParams{
			ChatID: r.ChatID, Latitude: v.Latitude, Longitude: v.Longitude, Title: v.Title, Address: v.Address,
		}); err != nil {
			return err
		}
	}
	if d := rep.Document; d != nil {
		if _, err := b.d.Sender.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID: r.ChatID, Caption: d.Caption, ParseMode: models.ParseModeHTML,
		}, d.Name, d.Data); err != nil {
			return err
		}
	}
	return nil
}

func inlineMarkup(kb Keyboard) *models.InlineKeyboardMarkup {
	rows := make([][]models.InlineKeyboardButton, 0, len(kb))
	for _, row := range kb {
		out := make([]models.InlineKeyboardButton, 0, len(row))
		for _, btn := range row {
			if btn.URL != "" {
				out = append(out, models.InlineKeyboardButton{Text: btn.Text, URL: btn.URL})
			} else {
				out = append(out, models.InlineKeyboardButton{Text: btn.Text, CallbackData: btn.Data})
			}
		}
		if len(out) > 0 {
			rows = append(rows, out)
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func replyMarkup(kb [][]KeyButton) *models.ReplyKeyboardMarkup {
	rows := make([][]models.KeyboardButton, 0, len(kb))
	for _, row := range kb {
		out := make([]models.KeyboardButton, 0, len(row))
		for _, btn := range row {
			out = append(out, models.KeyboardButton{Text: btn.Text, RequestLocation: btn.RequestLocation})
		}
		rows = append(rows, out)
	}
	return &models.ReplyKeyboardMarkup{Keyboard: rows, ResizeKeyboard: true, OneTimeKeyboard: true}
}
