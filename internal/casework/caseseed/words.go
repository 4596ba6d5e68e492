package caseseed

import (
	"fmt"
	"math/rand/v2"
)

// A product line: the Chinese and English names of a kind of product and
// the model prefix its vendors use.
type product struct{ zh, en, model string }

var products = []product{
	{"路由器", "router", "R"}, {"交换机", "switch", "S"}, {"防火墙", "firewall", "FW"},
	{"网络摄像头", "IP camera", "IPC"}, {"工控PLC", "PLC", "PLC"}, {"VPN网关", "VPN gateway", "VG"},
	{"无线接入点", "wireless access point", "AP"}, {"网络存储", "NAS", "NAS"}, {"堡垒机", "bastion host", "BH"},
	{"负载均衡器", "load balancer", "LB"}, {"视频监控平台", "video surveillance platform", "VMS"},
	{"办公自动化系统", "office automation system", "OA"}, {"邮件网关", "mail gateway", "MG"},
	{"打印机", "printer", "P"}, {"智能电表", "smart meter", "SM"}, {"SCADA系统", "SCADA system", "SCADA"},
	{"入侵检测系统", "intrusion detection system", "IDS"}, {"数据库审计系统", "database audit system", "DBA"},
	{"云管理平台", "cloud management platform", "CMP"}, {"移动应用", "mobile app", "APP"},
}

// Vendors, fictional: a Chinese name and its pinyin.
var vendors = [][2]string{
	{"华睿", "Huarui"}, {"启明", "Qiming"}, {"天枢", "Tianshu"}, {"长川", "Changchuan"}, {"中瀚", "Zhonghan"},
	{"博通达", "Botongda"}, {"海星", "Haixing"}, {"星辰", "Xingchen"}, {"东岳", "Dongyue"}, {"云岭", "Yunling"},
	{"远航", "Yuanhang"}, {"恒信", "Hengxin"},
}

// Where in a product a flaw sits.
var components = [][2]string{
	{"Web管理界面", "web management interface"}, {"固件升级模块", "firmware update module"},
	{"登录接口", "login API"}, {"诊断页面", "diagnostics page"}, {"SNMP服务", "SNMP service"},
	{"Telnet服务", "Telnet service"}, {"文件上传功能", "file upload"}, {"配置备份功能", "configuration backup"},
	{"REST API", "REST API"}, {"远程管理协议", "remote management protocol"}, {"Modbus服务", "Modbus service"},
	{"日志导出功能", "log export"},
}

// Kinds of flaw.
var flaws = [][2]string{
	{"命令注入", "Command injection"}, {"缓冲区溢出", "Buffer overflow"}, {"认证绕过", "Authentication bypass"},
	{"跨站脚本", "Cross-site scripting"}, {"SQL注入", "SQL injection"}, {"信息泄露", "Information disclosure"},
	{"路径遍历", "Path traversal"}, {"硬编码凭据", "Hard-coded credentials"}, {"拒绝服务", "Denial of service"},
	{"权限提升", "Privilege escalation"}, {"跨站请求伪造", "Cross-site request forgery"},
	{"反序列化", "Insecure deserialisation"}, {"任意文件读取", "Arbitrary file read"}, {"越权访问", "Broken access control"},
	{"整数溢出", "Integer overflow"}, {"弱加密算法", "Weak cryptography"}, {"服务端请求伪造", "Server-side request forgery"},
}

// title is one generated case title with the product it names.
type title struct {
	text    string
	product string // English product name, for the scope
	model   string
	version string
}

// newTitle returns a realistic title: seven in ten Chinese, the rest
// English, naming a vendor, product, model, component and flaw.
func newTitle(r *rand.Rand) title {
	p := products[r.IntN(len(products))]
	v := vendors[r.IntN(len(vendors))]
	c := components[r.IntN(len(components))]
	f := flaws[r.IntN(len(flaws))]
	model := fmt.Sprintf("%s%d%s", p.model, 100*(1+r.IntN(90)), []string{"", "", "-E", "-Pro", "X"}[r.IntN(5)])
	version := fmt.Sprintf("V%d.%d.%d", 1+r.IntN(6), r.IntN(10), r.IntN(30))
	t := title{product: v[1] + " " + p.en, model: model, version: version}
	switch n := r.IntN(10); {
	case n < 3:
		t.text = fmt.Sprintf("%s%s %s %s存在%s漏洞", v[0], p.zh, model, c[0], f[0])
	case n < 5:
		t.text = fmt.Sprintf("%s %s %s%s漏洞", v[0], model, p.zh, f[0])
	case n < 7:
		t.text = fmt.Sprintf("%s%s%s%s漏洞（%s及之前版本）", v[0], p.zh, c[0], f[0], version)
	case n < 9:
		t.text = fmt.Sprintf("%s in the %s of %s %s %s", f[1], c[1], v[1], model, p.en)
	default:
		t.text = fmt.Sprintf("%s %s %s: %s via the %s", v[1], p.en, model, lower(f[1]), c[1])
	}
	return t
}

func lower(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// summary returns a case summary of realistic length (600 to 1,500 bytes),
// which is sealed at rest like any other.
func summary(r *rand.Rand, t title) string {
	s := fmt.Sprintf("报告人称，%s（型号 %s，版本 %s）在默认配置下可被未经认证的远程攻击者利用。", t.product, t.model, t.version)
	for len(s) < 600+r.IntN(900) {
		s += []string{
			"攻击者向受影响接口发送特制请求，即可在设备上以最高权限执行任意命令。",
			"The reporter supplied a proof of concept and a packet capture; the issue reproduces on the lab unit.",
			"厂商已确认该问题影响当前在售的多个型号，修复版本计划在下一个维护周期发布。",
			"Exploitation needs network access to the management interface, which is exposed by default on the WAN side.",
			"临时缓解措施：关闭远程管理功能，或通过访问控制列表限制管理接口的来源地址。",
		}[r.IntN(5)]
	}
	return s
}
