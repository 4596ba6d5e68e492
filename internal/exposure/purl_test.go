package exposure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePurl(t *testing.T) {
	tests := []struct {
		purl string
		want Component
	}{
		// The trap: packageurl-go lower-cases golang purls; Go module
		// paths are case-sensitive.
		{"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.11.0",
			Component{Ecosystem: "Go", Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.11.0"}},
		{"pkg:golang/github.com/azure/azure-sdk-for-go/sdk/azcore@v1.11.0",
			Component{Ecosystem: "Go", Package: "github.com/azure/azure-sdk-for-go/sdk/azcore", Version: "v1.11.0"}},
		{"pkg:golang/github.com/BurntSushi/toml@v1.3.2?type=module#sub",
			Component{Ecosystem: "Go", Package: "github.com/BurntSushi/toml", Version: "v1.3.2"}},
		{"pkg:golang/golang.org/x/net@v0.0.0-20210226172049-e18ecbb05110",
			Component{Ecosystem: "Go", Package: "golang.org/x/net", Version: "v0.0.0-20210226172049-e18ecbb05110"}},
		{"pkg:golang/github.com/gogo/protobuf@v1.3.2%2Bincompatible",
			Component{Ecosystem: "Go", Package: "github.com/gogo/protobuf", Version: "v1.3.2+incompatible"}},
		{"pkg:npm/%40angular/core@16.2.0", Component{Ecosystem: "npm", Package: "@angular/core", Version: "16.2.0"}},
		{"pkg:npm/lodash@4.17.20", Component{Ecosystem: "npm", Package: "lodash", Version: "4.17.20"}},
		{"pkg:pypi/Django_REST.framework@3.14.0", Component{Ecosystem: "PyPI", Package: "django-rest.framework", Version: "3.14.0"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Component{Ecosystem: "Maven", Package: "org.apache.logging.log4j:log4j-core", Version: "2.14.1"}},
		{"pkg:cargo/tokio@1.28.0", Component{Ecosystem: "crates.io", Package: "tokio", Version: "1.28.0"}},
		{"pkg:gem/rails@7.0.4", Component{Ecosystem: "RubyGems", Package: "rails", Version: "7.0.4"}},
		{"pkg:nuget/Newtonsoft.Json@12.0.1", Component{Ecosystem: "NuGet", Package: "Newtonsoft.Json", Version: "12.0.1"}},
		{"pkg:composer/laravel/framework@9.0.0", Component{Ecosystem: "Packagist", Package: "laravel/framework", Version: "9.0.0"}},
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", Component{Ecosystem: "Debian:12", Package: "openssl", Version: "3.0.11-1~deb12u1"}},
		{"pkg:deb/debian/curl@7.50.3-1?distro=jessie", Component{Ecosystem: "Debian", Package: "curl", Version: "7.50.3-1"}},
		{"pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04", Component{Ecosystem: "Ubuntu:22.04", Package: "bash", Version: "5.1-6ubuntu1"}},
		{"pkg:apk/alpine/busybox@1.36.1-r2?distro=3.18.4", Component{Ecosystem: "Alpine:v3.18", Package: "busybox", Version: "1.36.1-r2"}},
		{"pkg:rpm/redhat/openssl@1.1.1k-7.el8?arch=x86_64", Component{Ecosystem: "Red Hat", Package: "openssl", Version: "1.1.1k-7.el8"}},
		{"pkg:hex/phoenix@1.7.0", Component{Ecosystem: "Hex", Package: "phoenix", Version: "1.7.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.purl, func(t *testing.T) {
			got, err := ParsePurl(tc.purl)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Purl = tc.purl
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePurl (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePurlErrors(t *testing.T) {
	tests := []struct{ purl, want string }{
		{"github.com/Azure/x@v1", `package URL "github.com/Azure/x@v1": purl scheme is not "pkg": "github.com/Azure/x@v1"`},
		{"pkg:generic/foo@1", `package URL "pkg:generic/foo@1": type "generic" has no OSV ecosystem`},
		{"pkg:golang", `package URL "pkg:golang": purl is missing type or name`},
	}
	for _, tc := range tests {
		t.Run(tc.purl, func(t *testing.T) {
			_, err := ParsePurl(tc.purl)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizePackage(t *testing.T) {
	tests := []struct{ eco, name, want string }{
		{"Go", "github.com/Azure/azure-sdk-for-go", "github.com/Azure/azure-sdk-for-go"},
		{"PyPI", "Django_REST..Framework", "django-rest-framework"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"npm", "JSONStream", "jsonstream"},
		{"Maven", "org.Apache:Foo", "org.Apache:Foo"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"RubyGems", "Rails", "Rails"},
		{"Debian:12", "OpenSSL", "openssl"},
	}
	for _, tc := range tests {
		if got := NormalizePackage(tc.eco, tc.name); got != tc.want {
			t.Errorf("NormalizePackage(%q, %q) = %q, want %q", tc.eco, tc.name, got, tc.want)
		}
	}
}

// FuzzParsePurl checks that ParsePurl never panics and that a Go module
// path survives with its case.
func FuzzParsePurl(f *testing.F) {
	f.Add("pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.11.0")
	f.Add("pkg:npm/%40angular/core@16.2.0?x=y#a/b")
	f.Add("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParsePurl(s)
		if err != nil {
			return
		}
		if c.Ecosystem == "" || c.Purl != s {
			t.Errorf("ParsePurl(%q) = %+v", s, c)
		}
	})
}
