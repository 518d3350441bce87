package telegramtest

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits the reference states only in prose (or Telegram enforces without
// saying), checked on top of the schema. All of them are violations.
const (
	maxTextLen           = 4096
	maxCaptionLen        = 1024
	maxCallbackData      = 64
	maxInlineButtons     = 100
	maxCallbackAnswerLen = 200
	maxCommands          = 100
	maxCommandLen        = 32
	maxCommandDescLen    = 256
)

var (
	commandRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	langCodeRE = regexp.MustCompile(`^[a-z]{2}$`)
	secretRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true,
	"choose_sticker": true, "find_location": true, "record_video_note": true,
	"upload_video_note": true,
}

func checkProse(method string, req *request) *apiError {
	p := req.params
	switch method {
	case "sendMessage":
		if aerr := checkText(req, p["text"], p["parse_mode"], false); aerr != nil {
			return aerr
		}
	case "editMessageText":
		if _, ok := p["text"]; !ok && p["rich_message"] == "" {
			return malformed("Bad Request: message text is empty")
		}
		if _, ok := p["text"]; ok {
			if aerr := checkText(req, p["text"], p["parse_mode"], false); aerr != nil {
				return aerr
			}
		}
	case "sendDocument":
		if aerr := checkText(req, p["caption"], p["parse_mode"], true); aerr != nil {
			return aerr
		}
	case "answerCallbackQuery":
		if utf8.RuneCountInString(p["text"]) > maxCallbackAnswerLen {
			return malformed(fmt.Sprintf("Bad Request: MESSAGE_TOO_LONG: callback answer text is longer than %d characters", maxCallbackAnswerLen))
		}
	case "setMyCommands":
		if aerr := checkCommands(req); aerr != nil {
			return aerr
		}
		if lc, ok := p["language_code"]; ok && lc != "" && !langCodeRE.MatchString(lc) {
			return malformed(fmt.Sprintf("Bad Request: invalid language_code %q: must be a two-letter ISO 639-1 code", lc))
		}
	case "deleteMyCommands":
		if lc, ok := p["language_code"]; ok && lc != "" && !langCodeRE.MatchString(lc) {
			return malformed(fmt.Sprintf("Bad Request: invalid language_code %q: must be a two-letter ISO 639-1 code", lc))
		}
	case "sendChatAction":
		if a, ok := p["action"]; ok && !chatActions[a] {
			return malformed("Bad Request: wrong parameter action in request")
		}
	case "sendLocation", "sendVenue":
		if aerr := checkLatLon(p["latitude"], p["longitude"]); aerr != nil {
			return aerr
		}
	case "setWebhook":
		if u := p["url"]; u != "" {
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				return malformed("Bad Request: bad webhook: invalid webhook URL specified")
			}
		}
		if st, ok := p["secret_token"]; ok && !secretRE.MatchString(st) {
			return malformed("Bad Request: bad webhook: secret token contains unallowed characters")
		}
		if mc, ok := p["max_connections"]; ok {
			if n, err := strconv.Atoi(mc); err == nil && (n < 1 || n > 100) {
				return malformed("Bad Request: bad webhook: max_connections must be between 1 and 100")
			}
		}
	}
	if _, ok := p["reply_markup"]; ok {
		if aerr := checkMarkup(req); aerr != nil {
			return aerr
		}
	}
	return nil
}

// checkText parses text like Telegram (so malformed markup is refused) and
// measures what remains: 1-4096 characters for text, 0-1024 for captions.
func checkText(req *request, text, mode string, caption bool) *apiError {
	plain, _, err := req.parseText(text, mode)
	if err != nil {
		if err == errUnsupportedParseMode {
			return malformed("Bad Request: unsupported parse_mode")
		}
		return malformed("Bad Request: can't parse entities: " + err.Error())
	}
	n := utf8.RuneCountInString(plain)
	if caption {
		if n > maxCaptionLen {
			return malformed("Bad Request: message caption is too long")
		}
		return nil
	}
	if strings.TrimSpace(plain) == "" {
		return malformed("Bad Request: message text is empty")
	}
	if n > maxTextLen {
		return malformed("Bad Request: message is too long")
	}
	return nil
}

func checkLatLon(lat, lon string) *apiError {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	if err1 != nil || err2 != nil {
		return nil // the schema check reports it
	}
	if la < -90 || la > 90 || lo < -180 || lo > 180 {
		return malformed("Bad Request: wrong location: latitude must be in [-90, 90], longitude in [-180, 180]")
	}
	return nil
}

func checkCommands(req *request) *apiError {
	x, err := req.jsonParam("commands")
	if err != nil {
		return nil // the schema check reports it
	}
	cmds, ok := x.([]any)
	if !ok {
		return nil
	}
	if len(cmds) == 0 {
		return malformed("Bad Request: commands list is empty")
	}
	if len(cmds) > maxCommands {
		return malformed(fmt.Sprintf("Bad Request: too many commands: %d > %d", len(cmds), maxCommands))
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		obj, _ := c.(map[string]any)
		name, _ := obj["command"].(string)
		desc, _ := obj["description"].(string)
		if !commandRE.MatchString(name) {
			return malformed(fmt.Sprintf("Bad Request: BOT_COMMAND_INVALID: command %d %q must be 1-%d characters of a-z, 0-9 and _", i, name, maxCommandLen))
		}
		if seen[name] {
			return malformed(fmt.Sprintf("Bad Request: BOT_COMMAND_INVALID: command %q is listed twice", name))
		}
		seen[name] = true
		if n := utf8.RuneCountInString(desc); n < 1 || n > maxCommandDescLen || strings.TrimSpace(desc) == "" {
			return malformed(fmt.Sprintf("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID: description of %q must be 1-%d characters", name, maxCommandDescLen))
		}
	}
	return nil
}

// inlineActions are the InlineKeyboardButton fields of which exactly one
// must be used.
var inlineActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

func checkMarkup(req *request) *apiError {
	x, err := req.jsonParam("reply_markup")
	if err != nil {
		return nil // the schema check reports it
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	if rows, ok := obj["inline_keyboard"].([]any); ok {
		total := 0
		for _, r := range rows {
			cells, _ := r.([]any)
			for _, c := range cells {
				total++
				b, _ := c.(map[string]any)
				if aerr := checkInlineButton(b); aerr != nil {
					return aerr
				}
			}
		}
		if total > maxInlineButtons {
			return malformed(fmt.Sprintf("Bad Request: reply markup is too long: %d inline buttons, at most %d allowed", total, maxInlineButtons))
		}
	}
	if rows, ok := obj["keyboard"].([]any); ok {
		for _, r := range rows {
			cells, _ := r.([]any)
			for _, c := range cells {
				var text string
				switch b := c.(type) {
				case map[string]any:
					text, _ = b["text"].(string)
				case string:
					text = b
				}
				if strings.TrimSpace(text) == "" {
					return malformed("Bad Request: keyboard button text is empty")
				}
			}
		}
	}
	return nil
}

func checkInlineButton(b map[string]any) *apiError {
	if b == nil {
		return nil
	}
	text, _ := b["text"].(string)
	if strings.TrimSpace(text) == "" {
		return malformed("Bad Request: BUTTON_TEXT_INVALID: inline keyboard button text is empty")
	}
	var used []string
	for _, k := range inlineActions {
		if v, ok := b[k]; ok && !isEmptyButtonField(k, v) {
			used = append(used, k)
		}
		// go-telegram/bot sends callback_data "" only when it was set to
		// empty on purpose; Telegram refuses it as invalid data.
		if k == "callback_data" {
			if v, ok := b[k].(string); ok && v == "" {
				return malformed("Bad Request: BUTTON_DATA_INVALID: callback_data must be 1-64 bytes")
			}
		}
	}
	switch len(used) {
	case 0:
		return malformed(fmt.Sprintf("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard (button %q)", text))
	case 1:
	default:
		return malformed(fmt.Sprintf("Bad Request: can't parse inline keyboard button: exactly one of %s must be used in button %q", strings.Join(used, ", "), text))
	}
	if d, ok := b["callback_data"].(string); ok && len(d) > maxCallbackData {
		return malformed(fmt.Sprintf("Bad Request: BUTTON_DATA_INVALID: callback_data is %d bytes, at most %d allowed", len(d), maxCallbackData))
	}
	if u, ok := b["url"].(string); ok && u != "" {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "http" && pu.Scheme != "https" && pu.Scheme != "tg" {
			return malformed(fmt.Sprintf("Bad Request: BUTTON_URL_INVALID: %q", u))
		}
	}
	return nil
}
