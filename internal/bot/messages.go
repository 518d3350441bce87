package bot

import (
	"context"
	"sort"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

// KindMessage is a notification that renders one message id with the
// notification's other data as template values: Data{"id": "welcome"}.
const KindMessage = "message"

// renderMessage renders a KindMessage notification.
func (b *Bot) renderMessage(_ context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	id := n.Data["id"]
	if id == "" {
		return nil, notify.ErrObsolete
	}
	keys := make([]string, 0, len(n.Data))
	for k := range n.Data {
		if k != "id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	kv := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, n.Data[k])
	}
	return []Reply{Text(l.T(id, kv...))}, nil
}
