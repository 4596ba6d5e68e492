package assetcsv

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/exposure"
)

func TestRead(t *testing.T) {
	azcore := exposure.Component{
		Purl: "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.14.0", Ecosystem: "Go",
		Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0",
	}
	log4j := exposure.Component{
		Purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Ecosystem: "Maven",
		Package: "org.apache.logging.log4j:log4j-core", Version: "2.14.1",
	}
	angular := exposure.Component{Purl: "pkg:npm/%40angular/core@16.0.0", Ecosystem: "npm", Package: "@angular/core", Version: "16.0.0"}
	openssl := exposure.Component{
		Purl: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12", Ecosystem: "Debian:12",
		Package: "openssl", Version: "3.0.11-1~deb12u2",
	}
	tests := []struct {
		name, csv string
		want      []exposure.Inventory
	}{
		{
			"merge by asset",
			"\xef\xbb\xbfasset,host,component,version,purl\n" +
				"billing,db1.example,azcore,v1.14.0,pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.14.0\n" +
				"# a comment\n" +
				"portal,,log4j-core,2.14.1,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\n" +
				"billing,,openssl,3.0.11-1~deb12u2,pkg:deb/debian/openssl?distro=debian-12\n" +
				"billing,db1.example,azcore,v1.14.0,pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.14.0\n",
			[]exposure.Inventory{
				{Source: "assets.csv (host db1.example)", Name: "billing", Components: []exposure.Component{azcore, openssl}},
				{Source: "assets.csv", Name: "portal", Components: []exposure.Component{log4j}},
			},
		},
		{
			"ecosystem instead of purl",
			"Asset, Ecosystem, Component, Version, Purl\n" +
				"web,Go,github.com/Azure/azure-sdk-for-go/sdk/azcore,v1.14.0,\n" +
				"web,Maven,org.apache.logging.log4j:log4j-core,2.14.1,\n" +
				"web,npm,@angular/core,16.0.0,\n",
			[]exposure.Inventory{{Source: "assets.csv", Name: "web", Components: []exposure.Component{azcore, log4j, angular}}},
		},
		{"header only", "asset,purl\n", []exposure.Inventory{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read("assets.csv", strings.NewReader(tc.csv))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	const head = "asset,host,component,version,purl\n"
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "assets.csv: empty file"},
		{"unknown column", "asset,hots,purl\n", `assets.csv: line 1, column 2: unknown column "hots"`},
		{"twice", "asset,purl,PURL\n", `line 1, column 3: column "purl" twice`},
		{"no asset", "host,purl\n", `line 1: no "asset" column`},
		{"no purl nor ecosystem", "asset,component,version\n", `line 1: no purl column, so an "ecosystem" column is needed`},
		{"fields", head + "a,h,c,1\n", "line 2: wrong number of fields (want 5, as in the header)"},
		{"quote", head + "a,h,\"c,1,pkg:npm/c@1\n", "line 2, character 22: extraneous or missing \" in quoted-field"},
		{"empty asset", head + "a,h,c,1,pkg:npm/c@1\n,h,c,1,pkg:npm/c@1\n", "line 3, column asset: empty"},
		{"bad purl", head + "a,h,c,1,npm/c@1\n", `line 2, column purl: purl "npm/c@1"`},
		{"no version", head + "a,h,c,,pkg:npm/c\n", "line 2, column version: empty, and the purl has none"},
		{"versions differ", head + "a,h,c,2,pkg:npm/c@1\n", `line 2, column version: "2", but the purl says "1"`},
		{"two hosts", head + "a,h1,c,1,pkg:npm/c@1\na,h2,d,1,pkg:npm/d@1\n", `line 3, column host: asset "a" is on host "h1" (line 2), not "h2"`},
		{"no purl no ecosystem", head + "a,h,c,1,\n", "line 2, column purl: empty, and no ecosystem"},
		{"unknown ecosystem", "asset,ecosystem,component,version,purl\na,Debian,openssl,3,\n", `line 2, column ecosystem: "Debian" is not one of`},
		{"too many fields", "asset,ecosystem,component,version\na,Maven,log4j,2,\n", "line 2: wrong number of fields (want 4, as in the header)"},
		{"maven name 2", "asset,ecosystem,component,version\na,Maven,log4j,2\n", `line 2, column component: Maven component "log4j": want group:artifact`},
		{"no component", "asset,ecosystem,component,version\na,npm,,2\n", "line 2, column component: empty"},
		{"multi-line field", head + "a,h,\"c\nd\",1,pkg:npm/c@1\nb,,c,1,x\n", "line 4, column purl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read("assets.csv", strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Read: err = %v, want one containing %q", err, tc.want)
			}
			if got != nil {
				t.Errorf("Read returned %v with its error", got)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add("asset,host,component,version,purl\nweb,h,azcore,v1.0.0,pkg:golang/github.com/Azure/x@v1.0.0\n")
	f.Add("asset,ecosystem,component,version\nweb,Maven,g:a,1\nweb,npm,@s/n,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		invs, err := Read("f.csv", strings.NewReader(s))
		if err != nil {
			if invs != nil {
				t.Fatalf("Read returned %v with err %v", invs, err)
			}
			return
		}
		for _, inv := range invs {
			if inv.Name == "" || len(inv.Components) == 0 {
				t.Errorf("inventory without name or components: %+v", inv)
			}
			for _, c := range inv.Components {
				if c.Purl == "" || c.Version == "" {
					t.Errorf("component without purl or version: %+v", c)
				}
			}
		}
	})
}
