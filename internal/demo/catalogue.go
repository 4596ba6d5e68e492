package demo

import (
	"context"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/product"
)

// The demo's product names, as cases and advisories name them.
const (
	router   = "华睿 AR 系列企业路由器"
	switches = "华睿 S 系列园区交换机"
	firewall = "华睿 USG 下一代防火墙"
)

// upstreamSupplier makes the Wi-Fi chipset SDK in the routers: an
// upstream provider the routers' flaws may come from (CN-07-4).
const upstreamSupplier = "芯联微电子 (Xinlian Microelectronics)"

// versions makes a release line's versions, each with the same components.
func versions(line string, cs []product.Component, vs ...string) []product.Version {
	var out []product.Version
	for _, v := range vs {
		out = append(out, product.Version{Version: v, Line: line, Components: cs})
	}
	return out
}

// catalogueOf is the demo's product catalogue: routers, switches and a
// firewall, with their firmware versions and a few components each.
func catalogueOf() product.Catalogue {
	chipset := &product.Party{Name: upstreamSupplier, Country: "CN", Email: "psirt@xinlian.example"}
	routerParts := []product.Component{
		{Name: "openssl", Version: "3.0.13", PURL: "pkg:generic/openssl@3.0.13", ThirdParty: true,
			Supplier: &product.Party{Name: "OpenSSL Foundation", Country: "US"}},
		{Name: "busybox", Version: "1.36.1", PURL: "pkg:generic/busybox@1.36.1", ThirdParty: true,
			Supplier: &product.Party{Name: "BusyBox", Country: "US"}},
		{Name: "xl-wifi-sdk", Version: "4.2.7", ThirdParty: true, Supplier: chipset},
		{Name: "hr-webmgmt", Version: "3.2"},
	}
	switchParts := []product.Component{
		{Name: "net-snmp", Version: "5.9.4", PURL: "pkg:generic/net-snmp@5.9.4", ThirdParty: true,
			Supplier: &product.Party{Name: "Net-SNMP Project", Country: "US"}},
		{Name: "hr-vrp", Version: "5.1"},
	}
	fwParts := []product.Component{
		{Name: "strongswan", Version: "5.9.14", PURL: "pkg:generic/strongswan@5.9.14", ThirdParty: true,
			Supplier: &product.Party{Name: "strongSwan Project", Country: "CH"}},
		{Name: "hr-usg-dataplane", Version: "6.0"},
	}
	return product.Catalogue{Products: []product.Product{
		{Name: router, Description: "面向中小企业分支机构的千兆路由器 / Gigabit routers for branch offices", Models: []product.Model{
			{Name: "AR3200", Versions: append(versions("3.2", routerParts, "3.2.0", "3.2.1", "3.2.2"), versions("3.3", routerParts, "3.3.0")...)},
			{Name: "AR5600", Versions: append(versions("3.2", routerParts, "3.2.0", "3.2.1", "3.2.2"), versions("3.3", routerParts, "3.3.0")...)},
		}},
		{Name: switches, Description: "园区接入与汇聚交换机 / Campus access and aggregation switches", Models: []product.Model{
			{Name: "S5735", Versions: versions("5.1", switchParts, "5.1.0", "5.1.3", "5.1.4")},
			{Name: "S7700", Versions: versions("5.1", switchParts, "5.1.0", "5.1.3", "5.1.4")},
		}},
		{Name: firewall, Description: "下一代防火墙与 IPsec VPN 网关 / Next-generation firewall and IPsec VPN gateway", Models: []product.Model{
			{Name: "USG6300", Versions: append(versions("6.0", fwParts, "6.0.1", "6.0.2"), versions("6.1", fwParts, "6.1.0")...)},
		}},
	}}
}

// customersOf are the parties that run the products: the recipients of
// notices to affected users (CN-07-9). Their addresses are in the
// reserved .example domain.
func customersOf() []product.Customer {
	return []product.Customer{
		{Party: product.Party{Name: "江南城市商业银行 Jiangnan City Commercial Bank", Country: "CN", Email: "noc@jnbank.example"},
			Kind: product.EndCustomer, Language: product.Chinese, Runs: []product.Run{
				{Product: router, Model: "AR5600", Version: "3.2.1"}, {Product: firewall, Model: "USG6300", Version: "6.0.2"}}},
		{Party: product.Party{Name: "东海港务集团 Donghai Port Group", Country: "CN", Email: "it-security@dhport.example"},
			Kind: product.EndCustomer, Language: product.Chinese, Runs: []product.Run{
				{Product: router, Model: "AR3200", Version: "3.2.0"}, {Product: switches, Model: "S7700", Version: "5.1.3"}}},
		{Party: product.Party{Name: "星河智联科技 Xinghe Smart Link", Country: "CN", Email: "security@xinghe.example"},
			Kind: product.DownstreamVendor, Language: product.Chinese, Runs: []product.Run{
				{Product: router, Model: "AR3200", Version: "3.2.1"}}},
		{Party: product.Party{Name: "Meridian Logistics Pte. Ltd.", Country: "SG", Email: "secops@meridian-logistics.example"},
			Kind: product.EndCustomer, Language: product.English, Runs: []product.Run{
				{Product: router, Model: "AR5600", Version: "3.2.2"}, {Product: switches, Model: "S5735", Version: "5.1.3"}}},
	}
}

// catalogue imports the catalogue (as an engineer keeping it would) and
// the customer list.
func (w *world) catalogue(ctx context.Context) error {
	c := catalogueOf()
	sum, err := w.s.Products.Import(ctx, w.as(access.Engineer), c, product.ImportOptions{})
	if err != nil {
		return err
	}
	cs := customersOf()
	if err := w.s.Products.PutCustomers(ctx, w.as(access.Engineer), cs); err != nil {
		return err
	}
	w.sum.Products, w.sum.Customers = sum.Created, len(cs)
	return nil
}
