package bot

import (
	"context"
	"strings"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
)

// flowOnboarding is the first contact: the user has not chosen a language.
const flowOnboarding = "onboarding"

// start greets a new user with the language picker, shows the main menu to
// a known one, and hands deep-link payloads to their handlers.
func (b *Bot) start(ctx context.Context, r *Request) ([]Reply, error) {
	if prefix, _, ok := parseDeepLink(r.Command.Args); ok {
		if h, ok := b.deepLinks[prefix]; ok {
			return h(ctx, r)
		}
	}
	if r.User.Language != "" {
		if !r.State.Idle() { // /start leaves any flow; idle needs no write
			if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
				return nil, err
			}
		}
		return []Reply{b.mainMenu(r.L, "welcome")}, nil
	}
	if err := b.d.Conversations.Set(ctx, r.User.ID, conversation.State{Flow: flowOnboarding, Step: "language"}); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(r.From.FirstName)
	if name == "" {
		name = "👋"
	}
	return []Reply{{Text: r.L.T("start_greeting", "Name", name), Buttons: languagePicker(r.L, r.L.Lang)}}, nil
}

// onboardingText lets a new user type a language name instead of tapping.
func (b *Bot) onboardingText(ctx context.Context, r *Request) ([]Reply, error) {
	if lang, ok := languageFromText(r.Text); ok {
		return b.setLanguage(ctx, r, lang, false)
	}
	return []Reply{{Text: r.L.T("language_hint"), Buttons: languagePicker(r.L, r.L.Lang)}}, nil
}

// menu shows the main menu.
func (b *Bot) menu(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{b.mainMenu(r.L, "welcome")}, nil
}

// menuButton handles the main menu's buttons, editing the menu in place.
func (b *Bot) menuButton(ctx context.Context, r *Request) ([]Reply, error) {
	var replies []Reply
	var err error
	switch strings.TrimPrefix(r.Data, "menu:") {
	case "main":
		replies = []Reply{b.mainMenu(r.L, "welcome")}
	case "help":
		replies, err = b.help(ctx, r)
	case "language":
		replies, err = b.language(ctx, r)
	case "settings":
		replies, err = b.settings(ctx, r)
	default:
		return b.staleButton(ctx, r)
	}
	for i := range replies {
		replies[i].Edit = true
	}
	return replies, err
}

// mainMenu is the text with id and the main menu's buttons.
func (b *Bot) mainMenu(l *locale.Localizer, id string) Reply {
	return Reply{Text: l.T(id), Buttons: mainMenuButtons(l)}
}

func mainMenuButtons(l *locale.Localizer) Keyboard {
	return Keyboard{
		Row(l, Button{Text: l.T("menu_offers"), Data: "of:cats"}, Button{Text: l.T("menu_help"), Data: "menu:help"}), // offers.go
		Row(l, Button{Text: l.T("menu_language"), Data: "menu:language"}, Button{Text: l.T("menu_settings"), Data: "menu:settings"}),
		// booking.go, mybookings.go
		Row(l, Button{Text: l.T("menu_book"), Data: "bk:go"}, Button{Text: l.T("menu_mybookings"), Data: "mb:list"}),
		Row(l, Button{Text: l.T("menu_network"), Data: "net:menu"}), // network.go: for member organisations
	}
}

// backButton leads back to the main menu.
func backButton(l *locale.Localizer) []Button {
	return []Button{{Text: l.T("button_back"), Data: "menu:main"}}
}
