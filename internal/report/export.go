package report

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/audit"
)

// ReceiptRecord is one receipt-log entry as exported (CN-05-2): every
// field the log keeps, with the sealed part opened.
type ReceiptRecord struct {
	Seq         int64     `json:"seq"`
	ReceiptID   string    `json:"receipt_id"`
	ReceivedAt  time.Time `json:"received_at"`
	ReceivedCST string    `json:"received_at_cst"`
	OrgID       int64     `json:"org_id"`
	Channel     Channel   `json:"channel"`
	TrackingID  string    `json:"tracking_id"`
	Reporter    Reporter  `json:"reporter"`
	Product     string    `json:"product"`
	Version     string    `json:"version"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Encrypted   bool      `json:"encrypted"`
	Attachments int       `json:"attachments"`
	Actor       string    `json:"actor"`
	Hash        string    `json:"hash"`
	PrevHash    string    `json:"prev_hash"`
}

// CST is China Standard Time, in which the regulation's clocks are read.
var CST = time.FixedZone("CST", 8*60*60)

// exportPage is how many events ExportReceipts reads per query.
const exportPage = 1000

// ExportReceipts calls fn for each receipt-log entry received in [from,
// to), oldest first, with its sealed part opened. A zero from or to leaves
// that end open.
func ExportReceipts(ctx context.Context, r audit.Reader, sl Sealer, from, to time.Time, fn func(ReceiptRecord) error) error {
	head, err := r.AuditHead(ctx, audit.Receipts)
	if err != nil {
		return err
	}
	after := head.FirstSeq - 1
	for {
		evs, err := r.AuditEvents(ctx, audit.Receipts, after, exportPage)
		if err != nil {
			return err
		}
		for _, e := range evs {
			after = e.Seq
			if (!from.IsZero() && e.At.Before(from)) || (!to.IsZero() && !e.At.Before(to)) {
				continue
			}
			rec, err := OpenReceipt(e, sl)
			if err != nil {
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(evs) < exportPage {
			return nil
		}
	}
}

// OpenReceipt reads a receipt-log event into a record, opening its sealed
// part.
func OpenReceipt(e audit.Event, sl Sealer) (ReceiptRecord, error) {
	var d ReceiptDetails
	if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
		return ReceiptRecord{}, fmt.Errorf("receipt %d: %w", e.Seq, err)
	}
	rec := ReceiptRecord{Seq: e.Seq, ReceiptID: ReceiptID(e.Seq), ReceivedAt: e.At, ReceivedCST: e.At.In(CST).Format("2006-01-02 15:04:05"),
		OrgID: e.OrgID, Channel: d.Channel, TrackingID: d.TrackingID, SHA256: d.SHA256, Size: d.Size, Encrypted: d.Encrypted,
		Attachments: d.Attachments, Actor: e.Actor, Hash: e.Hash, PrevHash: e.PrevHash}
	ct, err := base64.StdEncoding.DecodeString(d.Sealed)
	if err != nil {
		return rec, fmt.Errorf("receipt %d: sealed part: %w", e.Seq, err)
	}
	plain, err := sl.Unseal(ct, receiptAAD(d.TrackingID))
	if err != nil {
		return rec, fmt.Errorf("receipt %d: %w", e.Seq, err)
	}
	var s receiptSealed
	if err := json.Unmarshal(plain, &s); err != nil {
		return rec, fmt.Errorf("receipt %d: sealed part: %w", e.Seq, err)
	}
	rec.Reporter, rec.Product, rec.Version = s.Reporter, s.Product, s.Version
	return rec, nil
}
