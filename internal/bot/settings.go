package bot

import (
	"context"

	"github.com/netzbot/netzbot/internal/locale"
)

// settings shows the user's settings with buttons to change them.
func (b *Bot) settings(ctx context.Context, r *Request) ([]Reply, error) {
	text := r.L.T("settings_text", "Language", locale.NativeName(r.L.Lang))
	kb := Keyboard{{{Text: r.L.T("settings_change_language"), Data: "menu:language"}}}
	// Members also set their meeting reminders here (remindersettings.go).
	more, rows, err := b.reminderSettings(ctx, r)
	if err != nil {
		return nil, err
	}
	return []Reply{{Text: text + more, Buttons: append(append(kb, rows...), backButton(r.L))}}, nil
}
