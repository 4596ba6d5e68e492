package casework

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// PersonRole is how someone follows a case: an assignee works on it, a
// watcher is kept informed.
type PersonRole string

// The roles on a case.
const (
	Assignee PersonRole = "assignee"
	Watcher  PersonRole = "watcher"
)

// Person is someone assigned to or watching a case.
type Person struct {
	UserID  int64
	Role    PersonRole
	AddedAt time.Time
	AddedBy string
}

// Comment is an internal note on a case: undisclosed content, sealed at
// rest, never shown to the reporter.
type Comment struct {
	ID     int64
	At     time.Time
	Author string
	Body   string
}

// MaxComment bounds a comment, in characters.
const MaxComment = 20000

// AddPerson assigns userID to case id, or makes them a watcher. They must
// belong to the case's organisation, and they are put on its access list
// (need-to-know follows the work). Audited (case.person_add). Needs
// access.WriteCases and sight of the case.
func (s *Service) AddPerson(ctx context.Context, p *access.Principal, id, userID int64, role PersonRole) error {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return err
	}
	if role != Assignee && role != Watcher {
		return errs.Coded(errs.Invalid, "case.person_role", "someone is an assignee or a watcher of a case")
	}
	return s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if org, err := tx.UserOrg(ctx, userID); err != nil || org != c.OrgID {
			return errs.Coded(errs.Invalid, "case.grant_user", "only members of the case's organisation can be given access")
		}
		now := tx.Now()
		if err := tx.GrantCaseAccess(ctx, c.ID, Grant{UserID: userID, GrantedAt: now, GrantedBy: p.Actor()}); err != nil {
			return err
		}
		if err := tx.AddCasePerson(ctx, c.ID, Person{UserID: userID, Role: role, AddedAt: now, AddedBy: p.Actor()}); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.person_add", c, map[string]any{"user": "user:" + itoa(userID), "role": role})
	})
}

// RemovePerson takes userID off case id in role (they stay on the access
// list: access is withdrawn on its own terms). Audited
// (case.person_remove). Needs access.WriteCases and sight of the case.
func (s *Service) RemovePerson(ctx context.Context, p *access.Principal, id, userID int64, role PersonRole) error {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return err
	}
	return s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.RemoveCasePerson(ctx, c.ID, userID, role); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.person_remove", c, map[string]any{"user": "user:" + itoa(userID), "role": role})
	})
}

// People returns who is assigned to and watching case id. Needs
// access.ReadCases and sight of the case.
func (s *Service) People(ctx context.Context, p *access.Principal, id int64) ([]Person, error) {
	var out []Person
	err := s.withCase(ctx, p, access.ReadCases, id, func(tx Tx, c Case) (err error) {
		out, err = tx.CasePeople(ctx, c.ID)
		return err
	})
	return out, err
}

// AddComment writes an internal comment on case id, sealed at rest;
// audited (case.comment) without its text. Anyone who may read the case
// may comment on it.
func (s *Service) AddComment(ctx context.Context, p *access.Principal, id int64, body string) (Comment, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return Comment{}, err
	}
	body = strings.TrimSpace(strings.ToValidUTF8(body, "\uFFFD"))
	if body == "" || utf8.RuneCountInString(body) > MaxComment {
		return Comment{}, errs.Coded(errs.Invalid, "case.comment", "write a comment of 1 to %d characters", MaxComment)
	}
	var cm Comment
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		cm = Comment{At: tx.Now(), Author: p.Actor(), Body: body}
		if cm.ID, err = tx.AddCaseComment(ctx, c.ID, cm, func(commentID int64) ([]byte, error) {
			return s.sealer.Seal([]byte(body), commentAAD(c.ID, commentID))
		}); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.comment", c, map[string]any{"comment": cm.ID})
	})
	return cm, err
}

// Comments returns case id's comments, oldest first, opened; the read is
// audited with the case's (case.read).
func (s *Service) Comments(ctx context.Context, p *access.Principal, id int64) ([]Comment, error) {
	var out []Comment
	err := s.withCase(ctx, p, access.ReadCases, id, func(tx Tx, c Case) error {
		sealed, err := tx.CaseComments(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, sc := range sealed {
			body, err := s.sealer.Unseal(sc.Body, commentAAD(c.ID, sc.ID))
			if err != nil {
				return err
			}
			out = append(out, Comment{ID: sc.ID, At: sc.At, Author: sc.Author, Body: string(body)})
		}
		if c.Disclosed() || len(out) == 0 {
			return nil
		}
		return record(ctx, tx, p, "case.read", c, map[string]any{"comments": len(out)})
	})
	return out, err
}

// SealedComment is a comment as stored.
type SealedComment struct {
	ID     int64
	At     time.Time
	Author string
	Body   []byte
}

func commentAAD(caseID, commentID int64) []byte {
	return []byte("cases.comment:" + itoa(caseID) + ":" + itoa(commentID))
}

// Assigned reports whether userID is assigned to a case among people.
func Assigned(people []Person, userID int64) bool {
	return slices.ContainsFunc(people, func(x Person) bool { return x.UserID == userID && x.Role == Assignee })
}

// Names returns the display names of the principal's organisation's
// people, by the actor names the case pages show ("user:42"), so that
// timelines and comments name people. Needs access.ReadCases.
func (s *Service) Names(ctx context.Context, p *access.Principal) (map[string]string, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return nil, err
	}
	byID, err := s.store.UserNames(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(byID))
	for id, name := range byID {
		out["user:"+itoa(id)] = name
	}
	return out, nil
}

// History returns everything that happened to case id, oldest first: its
// audit events (moves, assessments, facts, people, comments and files
// added, duties raised and met, submissions, the sharing gate's verdicts),
// without the reads, which the audit log keeps. At most the last 500.
// Needs access.ReadCases and sight of the case.
func (s *Service) History(ctx context.Context, p *access.Principal, id int64) ([]audit.Event, error) {
	var c Case
	if err := s.withCase(ctx, p, access.ReadCases, id, func(_ Tx, got Case) error {
		c = got
		return nil
	}); err != nil {
		return nil, err
	}
	evs, err := s.store.SearchAudit(ctx, audit.Filter{Stream: audit.Main, OrgID: c.OrgID, Subject: "case:" + c.Ref, Limit: 1000})
	if err != nil {
		return nil, err
	}
	evs = slices.DeleteFunc(evs, func(e audit.Event) bool {
		return e.Action == "case.read" || e.Action == "case.file_read" || e.Action == "case.list"
	})
	slices.SortFunc(evs, func(a, b audit.Event) int { return int(a.Seq - b.Seq) })
	if len(evs) > 500 {
		evs = evs[len(evs)-500:]
	}
	return evs, nil
}
