package member

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"time"

	"github.com/netzbot/netzbot/internal/user"
)

// Invite defaults and limits.
const (
	DefaultInviteValidity = 14 * 24 * time.Hour
	MaxInviteUses         = 500
	// TokenBytes is the random part of a token: 144 bits (≥ 128 required),
	// 24 characters in base64url, which fits a deep link's 64 characters.
	TokenBytes = 18
	// DeepLinkPrefix starts an invite's /start payload: t.me/<bot>?start=i_<token>.
	DeepLinkPrefix = "i"
)

// InviteSpec is what an invite grants.
type InviteSpec struct {
	OrganisationID int64
	Role           user.Role // member or coordinator
	GroupIDs       []int64
	MaxUses        int // at least 1
	ExpiresAt      time.Time
	CreatedBy      int64 // 0 from the CLI
}

// Validate checks the spec's own values (not whether the ids exist).
func (s InviteSpec) Validate(now time.Time) error {
	switch {
	case s.OrganisationID <= 0:
		return fmt.Errorf("invite: organisation required")
	case s.Role != user.RoleMember && s.Role != user.RoleCoordinator:
		return fmt.Errorf("invite: role must be member or coordinator, not %q", s.Role)
	case s.MaxUses < 1 || s.MaxUses > MaxInviteUses:
		return fmt.Errorf("invite: uses must be between 1 and %d", MaxInviteUses)
	case !s.ExpiresAt.After(now):
		return fmt.Errorf("invite: expiry must be in the future")
	}
	return nil
}

// Redemption is what redeeming an invite gave the user.
type Redemption struct {
	Organisation Organisation
	Role         user.Role // the role the user has now
	Groups       []Group
}

// NewToken returns a fresh random invite token (URL- and deep-link-safe).
func NewToken() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invite token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var tokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{24}$`)

// ValidToken reports whether s has the shape of a token; anything else is
// refused without a database lookup.
func ValidToken(s string) bool { return tokenRe.MatchString(s) }

// HashToken is what the database keeps of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// InviteLink is the deep link that opens the bot with the invite.
func InviteLink(botUsername, token string) string {
	return "https://t.me/" + botUsername + "?start=" + DeepLinkPrefix + "_" + token
}
