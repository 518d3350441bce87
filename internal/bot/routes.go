package bot

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

		"privacy":      b.privacyInfo,  // privacy.go: what is stored, why, how long
		"mydata":       b.myData,       // privacy.go: everything stored, as JSON
		"deletemydata": b.deleteMyData, // privacy.go: erase after confirmation
		"admin":        b.admin,        // admin.go: grant and revoke roles (admins)
	}
	// Buttons, by the first part of their callback data ("lang:ar").
	b.callbacks = map[string]HandlerFunc{
		"lang": b.chooseLanguage, // lang:<code>
		"menu": b.menuButton,     // menu:main|help|language|settings
		"priv": b.privacyButton,  // privacy.go: priv:export|erase|keep|del:<unix time>
		"adm":  b.adminButton,    // admin.go: adm:user:<id>|role:<id>:<role>|set:<id>:<role>|no
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
	// The network area (network.go): /network, /meetings, /groups, /invite,
	// /attendees, /broadcast; buttons net, mt, mtf, rsvp, grp, gnf, inv, att,
	// bc, rem; flows invite, meeting, broadcast, group; deep link i_<token>; meeting,
	// group and broadcast notifications.
	b.networkRoutes()
	// Consultation booking (booking.go): /book, /mybookings, /agenda;
	// buttons bk, rs, mb, wl, ag; flows booking, agenda; deep links
	// c_<token> (counsellor invite) and b_<service>; reminders, counsellor
	// notices, waitlist offers; the sweeper ending waitlist holds.
	b.bookingRoutes()
	// The offer directory (offers.go): /offers, buttons of:…, deep link
	// o_<id>; free text outside a flow is a search (search.go), a shared
	// location lists offers near it (offers_near.go).
	b.offerRoutes()
}

// commandOrder is the command menu Telegram shows, with the message id of
// each description.
var commandOrder = []struct{ name, desc string }{
	{"start", "command_start"},
	{"help", "command_help"},
	{"offers", "command_offers"}, // offers.go
	{"language", "command_language"},
	{"settings", "command_settings"},
	{"cancel", "command_cancel"},
	{"privacy", "command_privacy"}, // privacy.go; /mydata and /deletemydata are its buttons
	// booking.go, mybookings.go
	{"book", "command_book"},
	{"mybookings", "command_mybookings"},
}

// route picks the handler for a request and names it for logs and metrics.
func (b *Bot) route(r *Request) (string, HandlerFunc) {
	switch {
	case r.Callback != nil:
		prefix, args, ok := parseCallback(r.Data)
		if !ok {
			return "button_malformed", b.malformedButton
		}
		if h, ok := b.callbacks[prefix]; ok {
			r.Args = args
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
	case r.Location != nil:
		return "location", b.sharedLocation // offers_near.go
	}
	return "unsupported", b.unsupported
}
