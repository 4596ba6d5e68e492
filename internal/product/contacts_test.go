package product_test

import (
	"context"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// Customers' webhook and robot URLs carry tokens: they are sealed in the
// database, opened for those who keep the list and for the notices, and a
// value stored before sealing is still read. A sealed value does not open
// for another organisation or another field.
func TestContactsSealed(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			kr, err := keyring.Open(ctx, keyring.NewKey(), w.d.DB)
			if err != nil {
				t.Fatal(err)
			}
			svc := product.NewService(w.d.DB).WithCustomers(w.d.DB, kr)
			eng := w.p["engineer"]
			const hook, robot = "https://psirt.example.cn/in?token=s3cret-hook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=s3cret-robot"
			c := product.Customer{Party: product.Party{Name: "甲客户", Country: "CN", Email: "s3cret.ops@jia.example.cn"}, Kind: product.EndCustomer,
				Language: product.Chinese, WebhookURL: hook, RobotKind: notify.WeCom, RobotURL: robot}
			if err := svc.PutCustomers(ctx, eng, []product.Customer{c}); err != nil {
				t.Fatal(err)
			}
			raw, err := w.d.DB.Customers(ctx, eng.OrgID)
			if err != nil || len(raw) != 1 {
				t.Fatalf("stored: %+v, %v", raw, err)
			}
			for _, v := range []string{raw[0].WebhookURL, raw[0].RobotURL, raw[0].Email} {
				if !strings.HasPrefix(v, "sealed:v1:") || strings.Contains(v, "s3cret") {
					t.Errorf("stored contact %q is not sealed", v)
				}
			}
			got, err := svc.Customers(ctx, eng)
			if err != nil || len(got) != 1 || got[0].WebhookURL != hook || got[0].RobotURL != robot || got[0].Email != c.Email {
				t.Fatalf("read back: %+v, %v", got, err)
			}
			if got, _ := svc.Customers(ctx, w.p["triager"]); len(got) != 1 || strings.Contains(got[0].WebhookURL+got[0].RobotURL, "s3cret") {
				t.Errorf("a reader who does not keep the list sees %+v", got)
			}

			other := []product.Customer{raw[0]}
			if err := product.OpenContacts(kr, eng.OrgID+1, other); err == nil {
				t.Error("a sealed contact opened for another organisation")
			}
			swapped := []product.Customer{raw[0]}
			swapped[0].WebhookURL, swapped[0].RobotURL = raw[0].RobotURL, raw[0].WebhookURL
			if err := product.OpenContacts(kr, eng.OrgID, swapped); err == nil {
				t.Error("a sealed robot URL opened as a webhook URL")
			}
			legacy := []product.Customer{{Party: product.Party{Name: "旧记录"}, WebhookURL: hook}}
			if err := product.OpenContacts(kr, eng.OrgID, legacy); err != nil || legacy[0].WebhookURL != hook {
				t.Errorf("a contact stored before sealing: %q, %v", legacy[0].WebhookURL, err)
			}
		})
	}
}
