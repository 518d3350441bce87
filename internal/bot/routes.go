package bot

import "strings"

// routes is the one table of everything the bot reacts to.
func (b *Bot) routes() {
	// Commands, typed as /name (also /name@bot and with arguments).
	b.commands = map[string]HandlerFunc{
		"start":    b.start,    // start.go: greeting, language picker, deep links
		"menu":     b.menu,     // start.go
		"help":     b.help,     // help.go
		"language": b.language, // language.go; "/language ar" switches at once
		"lang":     b.language,
		"settings": b.settings, // settings.go
		"cancel":   b.cancel,   // cancel.go
	}
	// Buttons, by the first part of their callback data ("lang:ar").
	b.callbacks = map[string]HandlerFunc{
		"lang": b.chooseLanguage, // lang:<code>
		"menu": b.menuButton,     // menu:main|help|language|settings
	}
	// Text typed while a flow waits for input, by flow name.
	b.flows = map[string]HandlerFunc{
		flowOnboarding: b.onboardingText, // start.go
	}
	// /start payloads of deep links (t.me/<bot>?start=<prefix>_<value>).
	b.deepLinks = map[string]HandlerFunc{}
	// Notifications the worker sends on its own (notify.go), by kind.
	b.renderers = map[string]Renderer{
		KindMessage: b.renderMessage, // messages.go: one message id
	}
}

// commandOrder is the command menu Telegram shows, with the message id of
// each description.
var commandOrder = []struct{ name, desc string }{
	{"start", "command_start"},
	{"help", "command_help"},
	{"language", "command_language"},
	{"settings", "command_settings"},
	{"cancel", "command_cancel"},
}

// route picks the handler for a request and names it for logs and metrics.
func (b *Bot) route(r *Request) (string, HandlerFunc) {
	switch {
	case r.Callback != nil:
		prefix, _, _ := strings.Cut(r.Data, ":")
		if h, ok := b.callbacks[prefix]; ok {
			return "button_" + prefix, h
		}
		return "button_stale", b.staleButton
	case r.IsCommand:
		if h, ok := b.commands[r.Command.Name]; ok {
			return "command_" + r.Command.Name, h
		}
		return "command_unknown", b.unknownCommand
	case r.Text != "":
		if tooLong(r.Text) {
			return "too_long", b.tooLong
		}
		if h, ok := b.flows[r.State.Flow]; ok && !r.State.Idle() {
			return "flow_" + r.State.Flow, h
		}
		return "text", b.freeText
	}
	return "unsupported", b.unsupported
}
