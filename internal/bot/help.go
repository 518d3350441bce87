package bot

import "context"

// help explains the bot and its commands.
func (b *Bot) help(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{{Text: r.L.T("help_text"), Buttons: Keyboard{backButton(r.L)}}}, nil
}
