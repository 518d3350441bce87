package bot

import (
	"context"
	"strings"

	"github.com/netzbot/netzbot/internal/locale"
)

// language shows the language picker; "/language ar" switches at once.
func (b *Bot) language(ctx context.Context, r *Request) ([]Reply, error) {
	if arg := r.Command.Args; r.IsCommand && arg != "" {
		if lang, ok := languageFromText(arg); ok {
			return b.setLanguage(ctx, r, lang, false)
		}
	}
	kb := languagePicker(r.L, r.L.Lang)
	if r.User.Language != "" {
		kb = append(kb, backButton(r.L))
	}
	return []Reply{{Text: r.L.T("language_prompt"), Buttons: kb}}, nil
}

// chooseLanguage handles a tap on the picker: "lang:<code>".
func (b *Bot) chooseLanguage(ctx context.Context, r *Request) ([]Reply, error) {
	lang := strings.TrimPrefix(r.Data, "lang:")
	if !locale.IsSupported(lang) {
		return b.staleButton(ctx, r)
	}
	return b.setLanguage(ctx, r, lang, true)
}

// setLanguage stores the choice, ends onboarding and answers in the new
// language with the main menu.
func (b *Bot) setLanguage(ctx context.Context, r *Request, lang string, edit bool) ([]Reply, error) {
	if err := b.d.Users.SetLanguage(ctx, r.User.ID, lang); err != nil {
		return nil, err
	}
	r.User.Language = lang
	if r.State.Flow == flowOnboarding {
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
	}
	l := b.d.Catalog.Localizer(lang)
	r.L = l
	text := l.T("language_changed", "Language", locale.NativeName(lang)) + "\n\n" + l.T("welcome")
	return []Reply{{Text: text, Buttons: mainMenuButtons(l), Edit: edit}}, nil
}

// languagePicker lists every shipped language by its own name, two per
// row, with the suggested one marked and first.
func languagePicker(l *locale.Localizer, suggested string) Keyboard {
	langs := make([]string, 0, len(locale.Supported))
	langs = append(langs, suggested)
	for _, code := range locale.Supported {
		if code != suggested {
			langs = append(langs, code)
		}
	}
	var kb Keyboard
	for i := 0; i < len(langs); i += 2 {
		var row []Button
		for _, code := range langs[i:min(i+2, len(langs))] {
			label := locale.NativeName(code)
			if code == suggested {
				label = "✅ " + label
			}
			row = append(row, Button{Text: label, Data: "lang:" + code})
		}
		kb = append(kb, Row(l, row...))
	}
	return kb
}

// languageFromText recognises a typed language: a code ("ar", "uk-UA"), its
// own name ("Deutsch", "العربية"), or its English name.
func languageFromText(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(strings.Trim(s, "✅ ")))
	if s == "" {
		return "", false
	}
	if lang, ok := locale.Match(s); ok && len(s) <= 6 {
		return lang, true
	}
	for _, code := range locale.Supported {
		if strings.ToLower(locale.NativeName(code)) == s || englishNames[code] == s {
			return code, true
		}
	}
	if strings.HasPrefix(s, "kurd") {
		return "ku", true
	}
	return "", false
}

var englishNames = map[string]string{
	"de": "german", "en": "english", "ar": "arabic", "fa": "persian", "ps": "pashto", "uk": "ukrainian",
	"ru": "russian", "tr": "turkish", "ku": "kurdish", "ti": "tigrinya", "ro": "romanian", "vi": "vietnamese",
}
