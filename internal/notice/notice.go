// Package notice tells the users of an affected product of a
// vulnerability's risk and its fix (RMSV Art. 7(3), CN-07-9; CRA Art.
// 14(8), EU-14-6): notice campaigns to the customers and downstream
// vendors that run an affected version, and to the product's public
// subscribers.
//
// A campaign is composed from a case and its remediation: the recipients
// are computed from who runs what (product.Customer), one per party and
// channel (e-mail, signed webhook, WeCom/DingTalk/Feishu robot), each in
// its party's language. Sending is asynchronous: Send marks the campaign
// and a runner enqueues its messages in the outbox in batches, so ten
// thousand notices never hold a request or the database for long. Each
// recipient passes the sharing gate (RMSV Art. 9(7), CN-09-7) in the
// transaction that enqueues its message: a foreign recipient other than
// the product's provider, without a recorded legal decision, gets the
// reduced notice, which names only the product, the versions it runs and
// the fixed version or patch to install, and no undisclosed detail (no
// title, description, grade, workaround or case reference). Public
// subscribers always get the reduced notice.
//
// A recipient's delivery state is its outbox row's (queued until sent;
// delivered when the receiving server or endpoint accepted it; bounced
// when delivery failed for good, such as an SMTP 5xx), plus its
// acknowledgement through the link in the notice. When no recipient is
// queued any more, the campaign is settled: delivered when it reached
// someone, which meets the case's affected-user duty (cn.user_notice) with
// the campaign as its evidence; failed otherwise. Those not reached can be
// sent the notice again (Resend). Recipients reply or ask for help through
// a link; replies become comments on the case.
package notice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
)

// State is where a campaign is.
type State string

// The states of a campaign: composed (draft), being delivered (sending),
// settled with at least one recipient reached (delivered), or with none
// (failed).
const (
	Draft     State = "draft"
	Sending   State = "sending"
	Delivered State = "delivered"
	Failed    State = "failed"
)

// Campaign is one notice about one case to the users of its affected
// versions.
type Campaign struct {
	ID        int64
	OrgID     int64
	CaseID    int64
	State     State
	Content   Content // opened; zero in lists
	CreatedBy string
	CreatedAt time.Time
	SentBy    string
	SentAt    time.Time
	SettledAt time.Time
}

// Content is what the composer wrote: the risk and what to do, in both
// languages (undisclosed detail; sealed at rest), and whether the
// product's public subscribers receive the notice too.
type Content struct {
	MessageZH   string `json:"message_zh"`
	MessageEN   string `json:"message_en"`
	Subscribers bool   `json:"subscribers"`
}

// RecipientState is where a recipient's notice is.
type RecipientState string

// The states of a recipient.
const (
	Queued       RecipientState = "queued"
	Sent         RecipientState = "delivered" // accepted by the receiving server or endpoint
	Bounced      RecipientState = "bounced"   // failed for good: not reached
	Acknowledged RecipientState = "acknowledged"
)

// Recipient is one party (or subscriber) on one channel of a campaign.
type Recipient struct {
	ID             int64
	CampaignID     int64
	PartyID        int64 // the product.Customer; 0 for a subscriber
	SubscriptionID int64 // 0 for a party
	Name           string
	Kind           string // customer, downstream_vendor, subscriber
	Country        string
	Language       string
	Channel        notify.Kind
	Target         string   // masked
	Versions       []string // the affected versions it runs
	// Detail is "full" or "reduced" once sent, and GateWhy the sharing
	// gate's reason.
	Detail         string
	GateWhy        string
	OutboxID       int64
	Attempt        int
	AcknowledgedAt time.Time
	// From the outbox row: its state, delivery time and last error.
	Outbox    notify.State
	SentAt    time.Time
	LastError string
}

// State derives the recipient's state from its outbox row and its
// acknowledgement.
func (r Recipient) State() RecipientState {
	switch {
	case !r.AcknowledgedAt.IsZero():
		return Acknowledged
	case r.OutboxID == 0:
		return Queued
	case r.Outbox == notify.Sent:
		return Sent
	case r.Outbox == notify.Dead:
		return Bounced
	}
	return Queued
}

// Reached reports whether the notice arrived.
func (r Recipient) Reached() bool { s := r.State(); return s == Sent || s == Acknowledged }

// Subscription is a public subscription to a product's notices.
type Subscription struct {
	ID          int64
	OrgID       int64
	ProductID   int64
	Product     string // filled by reads
	Email       string
	Language    string
	State       string // pending, active, ended
	CreatedAt   time.Time
	ConfirmedAt time.Time
	EndedAt     time.Time
}

// Progress counts a campaign's recipients by outcome.
type Progress struct {
	Queued, Reached, NotReached int
	// LastAt is the latest delivery.
	LastAt time.Time
}

// Tx is one notice transaction.
type Tx interface {
	obligation.Tx
	remediation.Tx
	Customers(ctx context.Context, org int64) ([]product.Customer, error)
	// CreateCampaign stores c with the content seal seals once its ID is
	// known, and returns the ID.
	CreateCampaign(ctx context.Context, c Campaign, seal func(id int64) ([]byte, error)) (int64, error)
	// CampaignByID returns campaign id with its sealed content;
	// errs.NotFound.
	CampaignByID(ctx context.Context, id int64) (Campaign, []byte, error)
	// CaseCampaigns lists a case's campaigns, newest first, unopened.
	CaseCampaigns(ctx context.Context, caseID int64) ([]Campaign, error)
	// UpdateCampaign writes c's state, sender, send and settle times.
	UpdateCampaign(ctx context.Context, c Campaign) error
	// AddRecipient stores r and returns its ID.
	AddRecipient(ctx context.Context, r Recipient) (int64, error)
	// CampaignRecipients lists a campaign's recipients with their outbox
	// rows' state, by ID.
	CampaignRecipients(ctx context.Context, campaignID int64) ([]Recipient, error)
	// UnqueuedRecipients lists up to limit recipients without an outbox row.
	UnqueuedRecipients(ctx context.Context, campaignID int64, limit int) ([]Recipient, error)
	// QueueRecipient records r's outbox row, attempt, detail, gate reason
	// and link token hash.
	QueueRecipient(ctx context.Context, r Recipient, tokenHash string) error
	// RequeueRecipients forgets the outbox rows of a campaign's recipients
	// whose row is dead, raising their attempt, and returns how many.
	RequeueRecipients(ctx context.Context, campaignID int64) (int, error)
	// RecipientByToken returns the recipient whose link token hashes to
	// hash; errs.NotFound.
	RecipientByToken(ctx context.Context, hash string) (Recipient, error)
	// AcknowledgeRecipient records the first acknowledgement.
	AcknowledgeRecipient(ctx context.Context, id int64, at time.Time) error
	// DeadOutbox stores r as a dead outbox row (a message that cannot be
	// sent) and returns its ID.
	DeadOutbox(ctx context.Context, r notify.Row) (int64, error)
	// CampaignProgress counts a campaign's recipients by outcome.
	CampaignProgress(ctx context.Context, campaignID int64) (Progress, error)
	SubscriptionTx
}

// SubscriptionTx keeps the public subscriptions.
type SubscriptionTx interface {
	// PutSubscription stores s as pending with the token hashes, or, when
	// the product has the address already, returns its ID unchanged.
	PutSubscription(ctx context.Context, s Subscription, confirmHash, unsubHash string) (int64, bool, error)
	// SubscriptionByHash returns the subscription whose confirm (or
	// unsubscribe) token hashes to hash; errs.NotFound.
	SubscriptionByHash(ctx context.Context, hash string, unsubscribe bool) (Subscription, error)
	// SetSubscriptionState moves subscription id to state at at.
	SetSubscriptionState(ctx context.Context, id int64, state string, at time.Time) error
	// ActiveSubscriptions lists org's active subscriptions to the named
	// products.
	ActiveSubscriptions(ctx context.Context, org int64, products []string) ([]Subscription, error)
	// ProductSubscriptions lists a product's subscriptions (every state).
	ProductSubscriptions(ctx context.Context, org, productID int64) ([]Subscription, error)
	// ProductByID returns the name and organisation of product id;
	// errs.NotFound.
	ProductByID(ctx context.Context, id int64) (name string, org int64, err error)
}

// Store persists campaigns.
type Store interface {
	TransactNotices(ctx context.Context, fn func(Tx) error) error
	// CampaignsIn lists the IDs of the campaigns in state st, oldest first.
	CampaignsIn(ctx context.Context, st State) ([]int64, error)
}

// Sealer encrypts content bound to where it is stored.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
	// DeriveSecret derives a secret for label from the instance key.
	DeriveSecret(label string) [32]byte
}

// Config is how notices go out.
type Config struct {
	// Notifier enqueues outbox messages in a caller's transaction.
	Notifier *notify.Service
	// Wake makes the outbox worker send at once.
	Wake func()
	// BaseURL is the instance's public address, ending in "/"; links in
	// notices point there.
	BaseURL string
	// Email says an SMTP relay is configured; without it, e-mail
	// recipients are left out.
	Email bool
}

// Service applies the rules.
type Service struct {
	store  Store
	cases  *casework.Service
	obl    *obligation.Service
	sealer Sealer
	cfg    Config
	poke   chan struct{}
	// Batch is how many recipients one transaction enqueues (200).
	Batch int
}

// NewService returns a Service; obl meets the affected-user duty.
func NewService(st Store, cases *casework.Service, obl *obligation.Service, sl Sealer, cfg Config) *Service {
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	return &Service{store: st, cases: cases, obl: obl, sealer: sl, cfg: cfg, poke: make(chan struct{}, 1), Batch: 200}
}

// hashToken is how link tokens are stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// recipientToken is the token in recipient id's links for attempt n:
// derived from the instance key, so that it need not be stored, only its
// hash.
func (s *Service) recipientToken(id int64, attempt int) string {
	b := s.sealer.DeriveSecret(fmt.Sprintf("embargo notice recipient v1 %d %d", id, attempt))
	return hex.EncodeToString(b[:20])
}

// unsubscribeToken is the one-click unsubscribe token of address email's
// subscription to product productID.
func (s *Service) unsubscribeToken(productID int64, email string) string {
	b := s.sealer.DeriveSecret(fmt.Sprintf("embargo notice unsubscribe v1 %d %s", productID, email))
	return hex.EncodeToString(b[:20])
}

func contentAAD(id int64) []byte { return fmt.Appendf(nil, "notice_campaigns.content:%d", id) }
