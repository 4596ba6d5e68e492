package gbt30279

import (
	"strconv"
	"strings"
)

// Category is a node of the vulnerability category tree of GB/T 30279-2020
// §5 (GB-30279-4). Code is a stable machine code whose dotted prefix is the
// parent's code ("code.input_validation.injection.sql" is under
// "code.input_validation.injection"); Parent is "" for the four top-level
// categories 代码问题, 配置错误, 环境问题 and 其他.
type Category struct {
	Code   string `json:"code"`
	Parent string `json:"parent,omitempty"`
	Label  Label  `json:"label"`
}

// The top-level category codes (§5.2 to §5.5).
const (
	CategoryCode          = "code"          // 代码问题 §5.2
	CategoryConfiguration = "configuration" // 配置错误 §5.3
	CategoryEnvironment   = "environment"   // 环境问题 §5.4
	CategoryOther         = "other"         // 其他 §5.5
)

// categories is the tree in pre-order. See docs/severity.md for
// which nodes were checked against published text of the standard.
var categories = []Category{
	cat(CategoryCode, "代码问题", "code issue"),
	cat("code.resource_management", "资源管理错误", "resource management error"),
	cat("code.input_validation", "输入验证错误", "input validation error"),
	cat("code.input_validation.buffer", "缓冲区错误", "buffer error"),
	cat("code.input_validation.injection", "注入", "injection"),
	cat("code.input_validation.injection.format_string", "格式化字符串错误", "format string error"),
	cat("code.input_validation.injection.xss", "跨站脚本", "cross-site scripting"),
	cat("code.input_validation.injection.sql", "SQL注入", "SQL injection"),
	cat("code.input_validation.injection.code", "代码注入", "code injection"),
	cat("code.input_validation.injection.command", "命令注入", "command injection"),
	cat("code.input_validation.path_traversal", "路径遍历", "path traversal"),
	cat("code.input_validation.link_following", "后置链接", "link following"),
	cat("code.input_validation.csrf", "跨站请求伪造", "cross-site request forgery"),
	cat("code.numeric", "数字错误", "numeric error"),
	cat("code.race_condition", "竞争条件问题", "race condition"),
	cat("code.logic", "处理逻辑错误", "processing logic error"),
	cat("code.crypto", "加密问题", "cryptographic issue"),
	cat("code.authorization", "授权问题", "authorization issue"),
	cat("code.authorization.trust_management", "信任管理问题", "trust management issue"),
	cat("code.authorization.access_control", "权限许可和访问控制问题", "permission and access control issue"),
	cat("code.data_conversion", "数据转换问题", "data conversion issue"),
	cat("code.undeclared_function", "未声明功能", "undeclared functionality"),
	cat("code.other", "其他", "other code issue"),
	cat(CategoryConfiguration, "配置错误", "configuration error"),
	cat(CategoryEnvironment, "环境问题", "environment issue"),
	cat("environment.information_disclosure", "信息泄露", "information disclosure"),
	cat("environment.information_disclosure.log", "日志信息泄露", "information disclosure through logs"),
	cat("environment.information_disclosure.debug", "调试信息泄露", "information disclosure through debug information"),
	cat("environment.information_disclosure.side_channel", "侧信道信息泄露", "side-channel information disclosure"),
	cat("environment.fault_injection", "故障注入", "fault injection"),
	cat("environment.other", "其他", "other environment issue"),
	cat(CategoryOther, "其他", "other"),
}

func cat(code, zh, en string) Category {
	parent := ""
	if i := strings.LastIndexByte(code, '.'); i >= 0 {
		parent = code[:i]
	}
	return Category{Code: code, Parent: parent, Label: Label{Chinese: zh, English: en}}
}

// Categories returns the category tree in pre-order: each category is
// followed by its subtypes. The result is a fresh copy on each call.
func Categories() []Category {
	return append([]Category(nil), categories...)
}

// LookupCategory returns the category with the given code.
func LookupCategory(code string) (Category, bool) {
	for _, c := range categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Path returns c's ancestors and c, top-level category first, for display
// as 代码问题 › 输入验证错误 › 注入.
func (c Category) Path() []Category {
	path := []Category{c}
	for p := c.Parent; p != ""; {
		parent, _ := LookupCategory(p)
		path = append([]Category{parent}, path...)
		p = parent.Parent
	}
	return path
}

// CategoryForCWE proposes a category for a CWE identifier given as
// "CWE-79", "cwe-79" or "79". It reports false for a malformed identifier
// and for a CWE the cross-walk does not map, which a person then
// classifies by hand. The cross-walk is Embargo's, not the standard's:
// GB/T 30279-2020 gives no CWE mapping.
func CategoryForCWE(id string) (Category, bool) {
	n, ok := parseCWE(id)
	if !ok {
		return Category{}, false
	}
	code, ok := cweCategory[n]
	if !ok {
		return Category{}, false
	}
	return LookupCategory(code)
}

// CWECrossWalk returns the whole cross-walk, CWE number to category code,
// for documentation and exports. The result is a fresh copy on each call.
func CWECrossWalk() map[int]string {
	m := make(map[int]string, len(cweCategory))
	for k, v := range cweCategory {
		m[k] = v
	}
	return m
}

func parseCWE(id string) (int, bool) {
	s := strings.TrimSpace(id)
	if len(s) > 4 && strings.EqualFold(s[:4], "CWE-") {
		s = s[4:]
	}
	if s == "" || len(s) > 6 || s[0] == '0' || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}
