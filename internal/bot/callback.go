package bot

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Callback data and deep-link payloads come from the user's client and can
// be anything: an old button, a tampered one, random bytes. They are parsed
// here, in one place, before a handler sees them.

// MaxCallbackData is Telegram's limit for callback_data, in bytes.
const MaxCallbackData = 64

// maxCallbackArgs bounds the parts after the prefix.
const maxCallbackArgs = 8

// parseCallback splits callback data "prefix:arg:arg…" as routes.go uses
// it. It fails (ok false) for data our own buttons never carry: empty or
// over 64 bytes, a prefix that is not [a-z][a-z0-9_]{0,15}, more than 8
// arguments, or arguments with anything but printable ASCII. Arguments may
// be empty ("lang:"); handlers check their meaning.
func parseCallback(data string) (prefix string, args []string, ok bool) {
	if data == "" || len(data) > MaxCallbackData || !utf8.ValidString(data) {
		return "", nil, false
	}
	prefix, rest, hasArgs := strings.Cut(data, ":")
	if !validPrefix(prefix) {
		return "", nil, false
	}
	if !hasArgs {
		return prefix, nil, true
	}
	args = strings.Split(rest, ":")
	if len(args) > maxCallbackArgs {
		return "", nil, false
	}
	for _, a := range args {
		for i := 0; i < len(a); i++ {
			if a[i] < 0x21 || a[i] > 0x7e {
				return "", nil, false
			}
		}
	}
	return prefix, args, true
}

func validPrefix(p string) bool {
	if p == "" || len(p) > 16 || p[0] < 'a' || p[0] > 'z' {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// argID reads args[i] as a database or Telegram id: 1 to 19 decimal
// digits, no sign, no leading zero, greater than zero.
func argID(args []string, i int) (int64, bool) {
	if i < 0 || i >= len(args) {
		return 0, false
	}
	s := args[i]
	if s == "" || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	for j := 0; j < len(s); j++ {
		if s[j] < '0' || s[j] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// arg returns args[i], or "" when there are fewer arguments.
func arg(args []string, i int) string {
	if i < 0 || i >= len(args) {
		return ""
	}
	return args[i]
}

// MaxDeepLink is Telegram's limit for a /start payload.
const MaxDeepLink = 64

// parseDeepLink splits a /start payload "prefix_value" (t.me/<bot>?start=o_12).
// Telegram only passes [A-Za-z0-9_-] up to 64 characters; anything else was
// typed by hand and is not a deep link (ok false). The value may contain
// further underscores; it may be empty ("o_" has prefix "o").
func parseDeepLink(payload string) (prefix, value string, ok bool) {
	if payload == "" || len(payload) > MaxDeepLink {
		return "", "", false
	}
	for i := 0; i < len(payload); i++ {
		c := payload[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "", "", false
		}
	}
	prefix, value, _ = strings.Cut(payload, "_")
	if prefix == "" {
		return "", "", false
	}
	return prefix, value, true
}
