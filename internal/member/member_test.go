package member_test

import (
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

func TestTokensAreLongRandomAndHashed(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		tok, err := member.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !member.ValidToken(tok) || seen[tok] {
			t.Fatalf("token %q invalid or repeated", tok)
		}
		seen[tok] = true
		if h := member.HashToken(tok); len(h) != 32 || string(h) == tok {
			t.Fatalf("hash %x", h)
		}
	}
	if member.TokenBytes*8 < 128 {
		t.Errorf("tokens carry %d bits, want at least 128", member.TokenBytes*8)
	}
	link := member.InviteLink("netzbot_bot", "abc")
	if link != "https://t.me/netzbot_bot?start=i_abc" {
		t.Errorf("link %s", link)
	}
	for _, bad := range []string{"", "short", "has space in it 1234567890", "ääääääääääääääääääääääää"} {
		if member.ValidToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestWhoMayInvite(t *testing.T) {
	cases := []struct {
		by, role user.Role
		ok       bool
	}{
		{user.RoleMember, user.RoleMember, false},
		{user.RoleCounsellor, user.RoleMember, false},
		{user.RoleCoordinator, user.RoleMember, true},
		{user.RoleCoordinator, user.RoleCoordinator, false},
		{user.RoleAdmin, user.RoleCoordinator, true},
		{user.RoleAdmin, user.RoleAdmin, false},
	}
	for _, c := range cases {
		if got := member.CanInvite(c.by, c.role); got != c.ok {
			t.Errorf("%s inviting %s: %v, want %v", c.by, c.role, got, c.ok)
		}
	}
}

func TestInviteSpecValidate(t *testing.T) {
	now := time.Now()
	ok := member.InviteSpec{OrganisationID: 1, Role: user.RoleMember, MaxUses: 1, ExpiresAt: now.Add(time.Hour)}
	if err := ok.Validate(now); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []member.InviteSpec{
		{Role: user.RoleMember, MaxUses: 1, ExpiresAt: now.Add(time.Hour)},
		{OrganisationID: 1, Role: user.RoleAdmin, MaxUses: 1, ExpiresAt: now.Add(time.Hour)},
		{OrganisationID: 1, Role: user.RoleMember, MaxUses: 0, ExpiresAt: now.Add(time.Hour)},
		{OrganisationID: 1, Role: user.RoleMember, MaxUses: 1, ExpiresAt: now},
	} {
		if bad.Validate(now) == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestLeads(t *testing.T) {
	if got := member.NormalizeLeads([]int{120, 10080, 120, 1440}); len(got) != 3 || got[0] != 10080 || got[2] != 120 {
		t.Errorf("normalize: %v", got)
	}
	if member.ValidLeads([]int{1440, 17}) || !member.ValidLeads([]int{30, 10080}) {
		t.Error("lead validation")
	}
	if (member.Text{"en": "x"}).In("fa") != "x" || (member.Text{"de": "a", "fa": "b"}).In("fa") != "b" {
		t.Error("text fallback")
	}
}
