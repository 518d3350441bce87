package bot

import (
	"context"

	"github.com/netzbot/netzbot/internal/user"
)

// help explains the bot and the commands the user's role may use.
func (b *Bot) help(_ context.Context, r *Request) ([]Reply, error) {
	text := r.L.T("help_text")
	role := user.RolePublic
	if r.User != nil {
		role = r.User.Role
	}
	if role.AtLeast(user.RoleMember) {
		text += "\n\n" + r.L.T("help_members")
	}
	if role == user.RoleCounsellor || role == user.RoleAdmin { // coordinators need not be counsellors
		text += "\n\n" + r.L.T("help_counsellors")
	}
	if role.AtLeast(user.RoleCoordinator) {
		text += "\n\n" + r.L.T("help_coordinators")
	}
	return []Reply{{Text: text, Buttons: Keyboard{backButton(r.L)}}}, nil
}
