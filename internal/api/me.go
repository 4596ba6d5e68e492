package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Me is the body of GET /api/v1/me: who the caller is.
type Me struct {
	UserID       int64               `json:"user_id"`
	Email        string              `json:"email"`
	Name         string              `json:"name"`
	Role         access.Role         `json:"role"`
	Country      string              `json:"country"`
	Organisation OrganisationRef     `json:"organisation"`
	Permissions  []access.Permission `json:"permissions"`
	TokenID      int64               `json:"token_id,omitempty"`
}

// OrganisationRef names an organisation.
type OrganisationRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// serveMe returns the caller's identity, role, organisation and effective
// permissions (the role's, narrowed by the token's scopes).
func (h *Handler) serveMe(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	me := Me{UserID: p.UserID, Email: p.Email, Name: p.Name, Role: p.Role, Country: p.Country,
		Organisation: OrganisationRef{ID: p.OrgID}, Permissions: []access.Permission{}, TokenID: p.TokenID}
	if h.orgs != nil && p.OrgID != 0 {
		org, err := h.orgs.Organisation(r.Context(), p.OrgID)
		if err != nil {
			return err
		}
		me.Organisation.Name = org.Name
	}
	for _, perm := range access.Permissions() {
		if p.Can(perm) {
			me.Permissions = append(me.Permissions, perm)
		}
	}
	return writeJSON(w, http.StatusOK, me)
}

// TokenInfo describes one of the caller's API tokens (never its secret).
type TokenInfo struct {
	ID         int64               `json:"id"`
	Name       string              `json:"name"`
	Scopes     []access.Permission `json:"scopes"`
	CreatedAt  time.Time           `json:"created_at"`
	ExpiresAt  *time.Time          `json:"expires_at,omitempty"`
	LastUsedAt *time.Time          `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time          `json:"revoked_at,omitempty"`
}

// serveTokens lists the caller's own tokens.
func (h *Handler) serveTokens(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	tokens, err := h.identity.Tokens(r.Context(), p)
	if err != nil {
		return err
	}
	out := []TokenInfo{}
	for _, t := range tokens {
		out = append(out, TokenInfo{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt,
			ExpiresAt: optTime(t.ExpiresAt), LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// revokeToken revokes one of the caller's tokens (the one in use, too).
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.New(errs.NotFound, "no such token")
	}
	if err := h.identity.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// optTime is t in UTC, or nil when t is zero (unknown), for optional
// fields.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
