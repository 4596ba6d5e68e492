package web

import (
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
)

// The public pages of notice recipients and subscribers: they work
// without JavaScript and without an account, every request is
// rate-limited per client address (LinkAttempts), and a link's token is
// only ever compared by its hash. A GET never changes anything (mail
// scanners follow links); the button on the page posts.

// recipientPage is the data of a recipient's link.
type recipientPage struct {
	Token        string
	View         notice.RecipientView
	Acknowledged bool
	Replied      bool
	Problem      string
}

func (h *Handler) noticeLinks(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Notices == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	return h.limitLinks(w, r)
}

// showRecipient shows a recipient what it can do with its link:
// acknowledge the notice, and reply or ask for help.
func (h *Handler) showRecipient(w http.ResponseWriter, r *http.Request) error {
	return h.renderRecipient(w, r, http.StatusOK, recipientPage{Replied: r.URL.Query().Get("replied") == "1"})
}

func (h *Handler) renderRecipient(w http.ResponseWriter, r *http.Request, status int, data recipientPage) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	data.Token = r.PathValue("token")
	v, err := h.cfg.Notices.Recipient(r.Context(), data.Token)
	if err != nil {
		return h.badLink(w, r)
	}
	data.View = v
	noStore(w)
	return h.render(w, r, status, pageRecipient, data)
}

// badLink answers a wrong or stale link.
func (h *Handler) badLink(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusNotFound, pageNotice, noticePage{Title: "link.title", Message: "notices.link_bad"})
}

// acknowledgeNotice records that the recipient received the notice.
func (h *Handler) acknowledgeNotice(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	if _, err := h.cfg.Notices.Acknowledge(r.Context(), r.PathValue("token")); err != nil {
		return h.badLink(w, r)
	}
	http.Redirect(w, r, "/notices/r/"+r.PathValue("token"), http.StatusSeeOther)
	return nil
}

// replyToNotice threads the recipient's reply into the case.
func (h *Handler) replyToNotice(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	err := h.cfg.Notices.Reply(r.Context(), r.PathValue("token"), r.PostFormValue("body"))
	switch {
	case errs.Is(err, errs.Invalid):
		return h.renderRecipient(w, r, http.StatusBadRequest, recipientPage{Problem: h.problem(r, err)})
	case err != nil:
		return h.badLink(w, r)
	}
	http.Redirect(w, r, "/notices/r/"+r.PathValue("token")+"?replied=1", http.StatusSeeOther)
	return nil
}

// subscribePage is the data of a product's subscription form.
type subscribePage struct {
	ProductID int64
	Email     string
	Sent      bool
	Problem   string
}

// showSubscribe shows the form to subscribe to a product's notices.
func (h *Handler) showSubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("product"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "notice.product", "no such product")
	}
	return h.render(w, r, http.StatusOK, pageSubscribe, subscribePage{ProductID: id})
}

// subscribe asks for a subscription and mails its confirmation link. The
// answer is the same whether the address was subscribed already or not.
func (h *Handler) subscribe(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("product"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "notice.product", "no such product")
	}
	data := subscribePage{ProductID: id, Email: r.PostFormValue("email")}
	err = h.cfg.Notices.Subscribe(r.Context(), id, data.Email, h.language(r).String())
	switch {
	case errs.Is(err, errs.Invalid):
		data.Problem = h.problem(r, err)
		return h.render(w, r, http.StatusBadRequest, pageSubscribe, data)
	case err != nil:
		return err
	}
	data.Sent = true
	return h.render(w, r, http.StatusOK, pageSubscribe, data)
}

// linkActionPage is the data of a page with one button that acts on a
// mailed link.
type linkActionPage struct {
	Title, Message, Button, Action string
}

// showConfirm and showUnsubscribe show the button that confirms or ends a
// subscription.
func (h *Handler) showConfirm(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, linkActionPage{Title: "notices.confirm_title", Message: "notices.confirm_lead",
		Button: "notices.confirm_button", Action: "/notices/confirm/" + r.PathValue("token")})
}

func (h *Handler) showUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, linkActionPage{Title: "notices.unsubscribe_title", Message: "notices.unsubscribe_lead",
		Button: "notices.unsubscribe_button", Action: "/notices/unsubscribe/" + r.PathValue("token")})
}

func (h *Handler) linkAction(w http.ResponseWriter, r *http.Request, data linkActionPage) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageLinkAction, data)
}

// confirmSubscription activates a subscription.
func (h *Handler) confirmSubscription(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	if _, err := h.cfg.Notices.Confirm(r.Context(), r.PathValue("token")); err != nil {
		return h.badLink(w, r)
	}
	return h.render(w, r, http.StatusOK, pageNotice, noticePage{Title: "notices.confirm_title", Message: "notices.confirmed", OK: true})
}

// unsubscribe ends a subscription: the page's button, or a mail client's
// one-click POST (RFC 8058), which sends List-Unsubscribe=One-Click.
func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := h.noticeLinks(w, r); err != nil {
		return err
	}
	if _, err := h.cfg.Notices.Unsubscribe(r.Context(), r.PathValue("token")); err != nil {
		return h.badLink(w, r)
	}
	return h.render(w, r, http.StatusOK, pageNotice, noticePage{Title: "notices.unsubscribe_title", Message: "notices.unsubscribed", OK: true})
}
