package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/user"
)

const usersUsage = `usage: netzbot users list
       netzbot users grant USER_ID ROLE
       netzbot users revoke USER_ID [ROLE]
ROLE is member, counsellor, coordinator or admin; USER_ID is the Telegram user id.
revoke makes the user public again (with ROLE: only if that is their role).
The last admin cannot be revoked.`

// runUsers manages roles from the command line, on the same database as
// serve: what /admin does in the chat, for the first admin or when nobody
// can reach the bot.
func runUsers(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usersUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	op, id, role, err := parseUsersArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, usersUsage)
		return fmt.Errorf("%w: users: %v", errUsage, err)
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel, false)
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	store := &postgres.UserStore{Pool: db.Pool}
	switch op {
	case "list":
		users, err := store.Privileged(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Fprintf(stdout, "%d\t%s\n", u.ID, u.Role)
		}
		if len(users) == 0 {
			fmt.Fprintln(stdout, "nobody has a role above public")
		}
		return nil
	case "revoke":
		if role != "" {
			u, err := store.Get(ctx, id)
			if errors.Is(err, user.ErrNotFound) {
				return fmt.Errorf("user %d is not known to the bot", id)
			}
			if err != nil {
				return err
			}
			if u.Role != role {
				return fmt.Errorf("user %d has the role %s, not %s: nothing changed", id, u.Role, role)
			}
		}
		role = user.RolePublic
	}
	old, err := store.SetRole(ctx, id, role)
	if errors.Is(err, user.ErrLastAdmin) {
		return fmt.Errorf("user %d is the last admin: grant admin to someone else first", id)
	}
	if err != nil {
		return err
	}
	logger.Warn("security event", "event", "role_changed", "by", "cli", "target_user_id", id, "from", string(old), "to", string(role))
	fmt.Fprintf(stdout, "user %d: %s -> %s\n", id, old, role)
	return nil
}

func parseUsersArgs(args []string) (op string, id int64, role user.Role, err error) {
	if len(args) == 0 {
		return "", 0, "", errors.New("missing subcommand")
	}
	op = args[0]
	switch {
	case op == "list" && len(args) == 1:
		return op, 0, "", nil
	case op == "grant" && len(args) == 3, op == "revoke" && (len(args) == 2 || len(args) == 3):
	default:
		return "", 0, "", fmt.Errorf("unexpected arguments %q", strings.Join(args, " "))
	}
	id, err = strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, "", fmt.Errorf("%q is not a Telegram user id", args[1])
	}
	if len(args) == 3 {
		role = user.Role(strings.ToLower(args[2]))
		if !role.Valid() || role == user.RolePublic {
			return "", 0, "", fmt.Errorf("unknown role %q", args[2])
		}
	}
	return op, id, role, nil
}
