package product

import (
	"bytes"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

// FuzzParseCSV feeds outside input to the CSV parser: it must not panic,
// must fail only with errs.Invalid, and what it accepts must write and
// read back unchanged.
func FuzzParseCSV(f *testing.F) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.String())
	f.Add(header + "P,M,1.0,1.x,libc,2.31,true,GNU,US,Globex,DE\n")
	f.Add("product\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteCSV(&out, c); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCSV(&out)
		if err != nil {
			t.Fatalf("reading back what WriteCSV wrote: %v\n%s", err, out.String())
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseJSON does the same for the JSON parser.
func FuzzParseJSON(f *testing.F) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.String())
	f.Add(`{"format": "embargo.products.v1", "products": [{"name": "P", "models": [{"name": "M", "versions": [{"version": "2.x"}]}]}]}`)
	f.Add(`{"format": "embargo.products.v1", "products": null}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseJSON(strings.NewReader(in))
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteJSON(&out, c); err != nil {
			t.Fatal(err)
		}
		again, err := ParseJSON(&out)
		if err != nil {
			t.Fatalf("reading back what WriteJSON wrote: %v\n%s", err, out.String())
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseCustomersCSV feeds outside input to the customer CSV parser:
// it must not panic, must fail only with errs.Invalid, and what it
// accepts must write and read back unchanged.
func FuzzParseCustomersCSV(f *testing.F) {
	f.Add("name,kind,country,language,email,product,model,version\n甲,customer,CN,zh-CN,a@b.cn,P,M,1.0\n甲,customer,CN,zh-CN,a@b.cn,P,M,1.1\n")
	f.Add("name,country,webhook_url,robot_kind,robot_url\nB,DE,https://h.example/x,wecom,https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k\n")
	f.Add("name\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		cs, err := ParseCustomersCSV(strings.NewReader(in))
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteCustomersCSV(&out, cs); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCustomersCSV(&out)
		if err != nil {
			t.Fatalf("reading back what WriteCustomersCSV wrote: %v\n%s", err, out.String())
		}
		if diff := cmp.Diff(cs, again); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseCustomersJSON does the same for the customer JSON parser.
func FuzzParseCustomersJSON(f *testing.F) {
	f.Add(`{"customers":[{"name":"甲","country":"CN","email":"a@b.cn","runs":[{"product":"P","model":"M","version":"1.0"}]}]}`)
	f.Add(`{"customers":[{"name":"B","country":"de","language":"en","webhook_url":"https://h.example/x"}]}`)
	f.Add(`{"customers":[{"name":1}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		cs, err := ParseCustomersJSON(strings.NewReader(in))
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("err = %v, want Invalid", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteCustomersJSON(&out, cs); err != nil {
			t.Fatal(err)
		}
		again, err := ParseCustomersJSON(&out)
		if err != nil {
			t.Fatalf("reading back what WriteCustomersJSON wrote: %v\n%s", err, out.String())
		}
		if diff := cmp.Diff(cs, again); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
