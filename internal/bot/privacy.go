package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/netzbot/netzbot/internal/user"
)

// PrivacyInfo is what /privacy says beyond the fixed text: how long data
// is kept (days; 0 = the feature keeps none) and whom to contact.
type PrivacyInfo struct {
	// Contact is who answers data protection questions: an e-mail address,
	// a phone number or an office. Empty: the network's coordination.
	Contact          string
	BookingDays      int
	SearchLogDays    int
	NotificationDays int
}

// eraseConfirmTTL is how long the "yes, delete" button stays valid: an old
// confirmation found weeks later in the chat should not erase anything.
const eraseConfirmTTL = 15 * time.Minute

// privacyInfo answers /privacy: what is stored, why, how long, whom to ask.
func (b *Bot) privacyInfo(_ context.Context, r *Request) ([]Reply, error) {
	l, info := r.L, b.d.PrivacyInfo
	text := l.T("privacy_text") + "\n\n" + l.T("privacy_retention_heading")
	if info.BookingDays > 0 {
		text += "\n• " + l.N("privacy_retention_bookings", info.BookingDays)
	}
	if info.SearchLogDays > 0 {
		text += "\n• " + l.N("privacy_retention_search", info.SearchLogDays)
	}
	if info.NotificationDays > 0 {
		text += "\n• " + l.N("privacy_retention_notifications", info.NotificationDays)
	}
	text += "\n• " + l.T("privacy_retention_profile")
	if info.Contact != "" {
		text += "\n\n" + l.T("privacy_contact", "Contact", info.Contact)
	} else {
		text += "\n\n" + l.T("privacy_contact_network")
	}
	text += "\n\n" + l.T("privacy_rights")
	return []Reply{{Text: text, Buttons: Keyboard{
		Row(l, Button{Text: l.T("privacy_button_export"), Data: "priv:export"}),
		Row(l, Button{Text: l.T("privacy_button_erase"), Data: "priv:erase"}),
	}}}, nil
}

// myData answers /mydata with everything stored about the user as a JSON
// document, collected from every registered section.
func (b *Bot) myData(ctx context.Context, r *Request) ([]Reply, error) {
	exp, err := b.d.Privacy.Export(ctx, r.User.ID, b.d.Now())
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode personal data: %w", err)
	}
	return []Reply{{Document: &Document{
		Name:    "netzbot-my-data.json",
		Data:    append(data, '\n'),
		Caption: r.L.T("privacy_export_caption"),
	}}}, nil
}

// deleteMyData asks for confirmation before erasing anything.
func (b *Bot) deleteMyData(_ context.Context, r *Request) ([]Reply, error) {
	l := r.L
	stamp := strconv.FormatInt(b.d.Now().Unix(), 10)
	return []Reply{{Text: l.T("privacy_erase_confirm"), Buttons: Keyboard{
		Row(l, Button{Text: l.T("privacy_button_erase_yes"), Data: "priv:del:" + stamp}),
		Row(l, Button{Text: l.T("privacy_button_erase_no"), Data: "priv:keep"}),
	}}}, nil
}

// privacyButton handles priv:export, priv:erase (ask), priv:del:<unix>
// (confirmed) and priv:keep (changed their mind).
func (b *Bot) privacyButton(ctx context.Context, r *Request) ([]Reply, error) {
	switch {
	case len(r.Args) == 1 && r.Args[0] == "export":
		return b.myData(ctx, r)
	case len(r.Args) == 1 && r.Args[0] == "erase":
		replies, err := b.deleteMyData(ctx, r)
		return replies, err
	case len(r.Args) == 1 && r.Args[0] == "keep":
		return []Reply{{Text: r.L.T("privacy_erase_kept"), Edit: true}}, nil
	case len(r.Args) == 2 && r.Args[0] == "del":
		return b.eraseConfirmed(ctx, r)
	}
	return b.staleButton(ctx, r)
}

// eraseConfirmed erases everything about the user who pressed the button,
// whoever's chat it is in: the data names no user, the presser is the one.
func (b *Bot) eraseConfirmed(ctx context.Context, r *Request) ([]Reply, error) {
	stamp, ok := argID(r.Args, 1)
	if !ok {
		return b.forged(r, "privacy_erase"), nil
	}
	asked := time.Unix(stamp, 0)
	if now := b.d.Now(); now.Sub(asked) > eraseConfirmTTL || asked.After(now.Add(time.Minute)) {
		return []Reply{{Text: r.L.T("privacy_erase_expired"), Edit: true}}, nil
	}
	counts, err := b.d.Privacy.Erase(ctx, r.User.ID)
	if errors.Is(err, user.ErrLastAdmin) {
		return []Reply{{Text: r.L.T("privacy_erase_last_admin"), Edit: true}}, nil
	}
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	text := r.L.T("privacy_erased")
	var done string
	for _, k := range keys {
		// A feature names what it erased; those with a message are told.
		if line := r.L.N("privacy_erased_"+k, counts[k]); line != "privacy_erased_"+k {
			done += "\n• " + line
		}
	}
	if done != "" {
		text += "\n" + done
	}
	text += "\n\n" + r.L.T("privacy_erased_footer")
	b.log.Info("personal data erased", "update_id", r.Update.ID, "sections", len(keys))
	return []Reply{{Text: text, Edit: true}}, nil
}
