package bot

import (
	"context"

	"github.com/netzbot/netzbot/internal/locale"
)

// settings shows the user's settings with buttons to change them.
func (b *Bot) settings(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{{
		Text: r.L.T("settings_text", "Language", locale.NativeName(r.L.Lang)),
		Buttons: Keyboard{
			{{Text: r.L.T("settings_change_language"), Data: "menu:language"}},
			backButton(r.L),
		},
	}}, nil
}
