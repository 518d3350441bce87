package main

import (
	"context"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/user"
)

func TestUsersCommandGrantsAndRevokesButKeepsTheLastAdmin(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	t.Setenv("DATABASE_URL", db.DSN)
	ctx := context.Background()
	store := &postgres.UserStore{Pool: db.Pool}
	role := func(id int64) user.Role {
		u, err := store.Get(ctx, id)
		if err != nil {
			t.Fatalf("user %d: %v", id, err)
		}
		return u.Role
	}
	if code, out, errOut := runCmd(t, ctx, "", "users", "grant", "1001", "admin"); code != 0 || !strings.Contains(out, "1001: public -> admin") {
		t.Fatalf("grant: %d %q %q", code, out, errOut)
	}
	if role(1001) != user.RoleAdmin {
		t.Fatal("not granted")
	}
	code, _, errOut := runCmd(t, ctx, "", "users", "revoke", "1001", "admin")
	if code != 1 || !strings.Contains(errOut, "last admin") || role(1001) != user.RoleAdmin {
		t.Errorf("revoking the last admin: exit %d, %q, role %s", code, errOut, role(1001))
	}
	runCmd(t, ctx, "", "users", "grant", "1002", "admin")
	if code, _, errOut := runCmd(t, ctx, "", "users", "revoke", "1001", "coordinator"); code != 1 || role(1001) != user.RoleAdmin {
		t.Errorf("revoke with the wrong role: exit %d %q", code, errOut)
	}
	if code, _, _ := runCmd(t, ctx, "", "users", "revoke", "1001", "admin"); code != 0 || role(1001) != user.RolePublic {
		t.Errorf("revoke with another admin left: exit %d, role %s", code, role(1001))
	}
	if code, out, _ := runCmd(t, ctx, "", "users", "list"); code != 0 || !strings.Contains(out, "1002\tadmin") || strings.Contains(out, "1001") {
		t.Errorf("list: %d %q", code, out)
	}
	for _, bad := range [][]string{{"users"}, {"users", "grant", "x", "admin"}, {"users", "grant", "5", "king"}, {"users", "grant", "5", "public"}, {"users", "revoke"}, {"users", "frob", "5"}} {
		if code, _, _ := runCmd(t, ctx, "", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
