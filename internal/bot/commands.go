package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/netzbot/netzbot/internal/locale"
)

// PublishCommands sets Telegram's command menu with localized descriptions
// for every shipped language, and the default language for everyone else.
func (b *Bot) PublishCommands(ctx context.Context) error {
	publish := func(lang, code string) error {
		l := b.d.Catalog.Localizer(lang)
		cmds := make([]models.BotCommand, 0, len(commandOrder))
		for _, c := range commandOrder {
			cmds = append(cmds, models.BotCommand{Command: c.name, Description: l.T(c.desc)})
		}
		if err := b.d.Sender.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: code}); err != nil {
			return fmt.Errorf("set commands for %q: %w", code, err)
		}
		return nil
	}
	if err := publish(b.d.DefaultLanguage, ""); err != nil {
		return err
	}
	for _, lang := range locale.Supported {
		if err := publish(lang, lang); err != nil {
			return err
		}
	}
	return nil
}
