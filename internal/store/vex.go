package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/embargohq/embargo/internal/exposure"
)

// PutVEXStatements stores VEX statements in one statement, replacing
// those of the same organisation and key (exposure.VEXStatement.Key). The
// statement column holds the statement as JSON. The keys must be distinct
// within vs.
func (tx *Tx) PutVEXStatements(ctx context.Context, vs []exposure.StoredVEX) error {
	if len(vs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO vex_statements (org_id, statement_key, statement, source_format, imported_at, imported_by) VALUES `)
	args := make([]any, 0, 6*len(vs))
	for i, v := range vs {
		st, err := json.Marshal(v.Statement)
		if err != nil {
			return fmt.Errorf("store: VEX statement on %s: %w", v.Statement.Vulnerability.ID, err)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
		args = append(args, v.OrgID, vexKey(v.Statement), string(st), v.Format, v.ImportedAt.UTC(), v.ImportedBy)
	}
	b.WriteString(` ON CONFLICT (org_id, statement_key) DO UPDATE SET statement = excluded.statement,
		source_format = excluded.source_format, imported_at = excluded.imported_at, imported_by = excluded.imported_by`)
	if _, err := tx.exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("store: put VEX statements: %w", classify(err))
	}
	return nil
}

// vexKey is the statement_key column: the SHA-256 of the statement's Key,
// which holds NUL bytes PostgreSQL text cannot.
func vexKey(s exposure.VEXStatement) string {
	sum := sha256.Sum256([]byte(s.Key()))
	return hex.EncodeToString(sum[:])
}

// VEXStatements returns org's VEX statements (every organisation's when
// org is 0), in the order they were first stored.
func (db *DB) VEXStatements(ctx context.Context, org int64) ([]exposure.StoredVEX, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT org_id, statement, source_format, imported_at, imported_by
		FROM vex_statements WHERE $1 = 0 OR org_id = $1 ORDER BY id`, org)
	if err != nil {
		return nil, fmt.Errorf("store: VEX statements: %w", err)
	}
	defer rows.Close()
	var out []exposure.StoredVEX
	for rows.Next() {
		var v exposure.StoredVEX
		var st string
		if err := rows.Scan(&v.OrgID, &st, &v.Format, &v.ImportedAt, &v.ImportedBy); err != nil {
			return nil, fmt.Errorf("store: VEX statements: %w", err)
		}
		if err := json.Unmarshal([]byte(st), &v.Statement); err != nil {
			return nil, fmt.Errorf("store: VEX statement of organisation %d: %w", v.OrgID, err)
		}
		v.ImportedAt = v.ImportedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}
