package bot

import (
	"context"
)

// unknownCommand names the command it does not know.
func (b *Bot) unknownCommand(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{Text(r.L.T("unknown_command", "Command", "/"+r.Command.Name))}, nil
}

// unsupported answers stickers, photos, voice messages and the like.
func (b *Bot) unsupported(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{Text(r.L.T("unsupported_message"))}, nil
}

// tooLong answers a message over MaxTextInput characters without reading it.
func (b *Bot) tooLong(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{Text(r.L.N("message_too_long", MaxTextInput))}, nil
}

// staleButton answers a button whose data is unknown, old or tampered with:
// a toast, nothing changed.
func (b *Bot) staleButton(_ context.Context, r *Request) ([]Reply, error) {
	b.log.Warn("unknown or tampered callback data", "update_id", r.Update.ID, "data_len", len(r.Data))
	return []Reply{{Toast: r.L.T("button_stale")}}, nil
}
