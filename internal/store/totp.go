package store

import (
	"context"
	"fmt"
	"time"
)

// ReplaceRecoveryCodes deletes a user's two-factor recovery codes, used or
// not, and stores hashes as the new, unused set.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: delete recovery codes: %w", err)
	}
	for _, h := range hashes {
		_, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h)
		if err != nil {
			return fmt.Errorf("store: add recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode marks the user's unused recovery code with hash hash as
// used at at. It returns errs.NotFound when the user has no such unused
// code. The check and the mark are one statement, so two concurrent
// requests cannot both spend the same code.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = $3
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, at)
	if err != nil {
		return fmt.Errorf("store: use recovery code: %w", err)
	}
	return mustAffect(res, "no such recovery code")
}
