package bot

import "context"

// cancel leaves whatever flow the user is in.
func (b *Bot) cancel(ctx context.Context, r *Request) ([]Reply, error) {
	if r.State.Idle() {
		return []Reply{b.mainMenu(r.L, "cancel_nothing")}, nil
	}
	if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
		return nil, err
	}
	return []Reply{b.mainMenu(r.L, "cancel_done")}, nil
}
