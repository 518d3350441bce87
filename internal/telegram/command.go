// Package telegram is netzbot's side of the Telegram Bot API: the one
// outgoing Sender with its rate limits and retries, the update Poller and
// webhook handler, per-chat ordering of updates, and command parsing.
//
// Messages are sent with github.com/go-telegram/bot. Updates are fetched
// by our own getUpdates loop instead of the library's, because the library
// confirms an update (advances the offset) before its handler ran, so a
// crash or a database outage would lose it.
package telegram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Command is a parsed "/name@bot args" message.
type Command struct {
	Name string // lower-case, without the slash and the @bot suffix
	Args string // the rest of the text, trimmed
}

// ParseCommand parses a bot command at the start of text. It accepts
// "/start", "/start@netzbot_bot payload" (only when the @name is this bot's,
// compared case-insensitively) and trailing text; it tolerates zero-width
// and bidi marks that RTL keyboards put before the slash. Unlike
// go-telegram/bot's matcher it works on runes, not on UTF-16 entity offsets.
func ParseCommand(text, botUsername string) (Command, bool) {
	text = strings.TrimLeftFunc(text, func(r rune) bool { return unicode.IsSpace(r) || isInvisible(r) })
	if !strings.HasPrefix(text, "/") {
		return Command{}, false
	}
	head, args, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		args = head[i+1:] + " " + args
		head = head[:i]
	}
	name, target, addressed := strings.Cut(head, "@")
	name = strings.TrimRightFunc(name, isInvisible)
	if addressed && botUsername != "" && !strings.EqualFold(strings.TrimFunc(target, isInvisible), botUsername) {
		return Command{}, false // meant for another bot in a group
	}
	if name == "" || len(name) > 32 || !utf8.ValidString(name) {
		return Command{}, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return Command{}, false
		}
	}
	return Command{Name: strings.ToLower(name), Args: strings.TrimSpace(args)}, true
}

// isInvisible reports zero-width and bidi formatting characters.
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff',
		'\u061c', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
		'\u2066', '\u2067', '\u2068', '\u2069':
		return true
	}
	return false
}
