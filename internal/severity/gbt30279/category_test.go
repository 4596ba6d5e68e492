package gbt30279_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// TestCategoryTree checks the tree's shape: unique codes, parents listed
// before their children, the four top-level categories of §5 in order.
func TestCategoryTree(t *testing.T) {
	seen := map[string]bool{}
	var top []string
	for _, c := range gbt30279.Categories() {
		if seen[c.Code] {
			t.Errorf("%s appears twice", c.Code)
		}
		if c.Parent == "" {
			top = append(top, c.Code)
		} else if !seen[c.Parent] {
			t.Errorf("%s: parent %q is not listed before it", c.Code, c.Parent)
		}
		if !strings.HasPrefix(c.Code, c.Parent) {
			t.Errorf("%s: code does not extend its parent %q", c.Code, c.Parent)
		}
		if c.Label.Chinese == "" || c.Label.English == "" {
			t.Errorf("%s has no label", c.Code)
		}
		seen[c.Code] = true
	}
	want := []string{gbt30279.CategoryCode, gbt30279.CategoryConfiguration, gbt30279.CategoryEnvironment, gbt30279.CategoryOther}
	if diff := cmp.Diff(want, top); diff != "" {
		t.Errorf("top-level categories (-want +got):\n%s", diff)
	}
}

// TestCodeIssueSubtypes pins the subtypes of 代码问题 and 环境问题 by
// their Chinese names, the names the standard uses.
func TestCodeIssueSubtypes(t *testing.T) {
	children := func(parent string) []string {
		var out []string
		for _, c := range gbt30279.Categories() {
			if c.Parent == parent {
				out = append(out, c.Label.Chinese)
			}
		}
		return out
	}
	for _, tc := range []struct {
		parent string
		want   []string
	}{
		{"code", []string{"资源管理错误", "输入验证错误", "数字错误", "竞争条件问题", "处理逻辑错误", "加密问题", "授权问题", "数据转换问题", "未声明功能", "其他"}},
		{"code.input_validation", []string{"缓冲区错误", "注入", "路径遍历", "后置链接", "跨站请求伪造"}},
		{"code.authorization", []string{"信任管理问题", "权限许可和访问控制问题"}},
		{"environment", []string{"信息泄露", "故障注入", "其他"}},
		{"environment.information_disclosure", []string{"日志信息泄露", "调试信息泄露", "侧信道信息泄露"}},
		{"configuration", nil},
		{"other", nil},
	} {
		if diff := cmp.Diff(tc.want, children(tc.parent)); diff != "" {
			t.Errorf("subtypes of %s (-want +got):\n%s", tc.parent, diff)
		}
	}
}

func TestCategoryPath(t *testing.T) {
	c, ok := gbt30279.LookupCategory("code.input_validation.injection.sql")
	if !ok {
		t.Fatal("SQL injection not found")
	}
	var got []string
	for _, p := range c.Path() {
		got = append(got, p.Label.Chinese)
	}
	if diff := cmp.Diff([]string{"代码问题", "输入验证错误", "注入", "SQL注入"}, got); diff != "" {
		t.Errorf("Path (-want +got):\n%s", diff)
	}
	if _, ok := gbt30279.LookupCategory("code.sql"); ok {
		t.Error("LookupCategory found an unknown code")
	}
}

func TestCategoryForCWE(t *testing.T) {
	for _, tc := range []struct {
		cwe  string
		want string // "" when unmapped or malformed
	}{
		{"CWE-78", "code.input_validation.injection.command"},
		{"CWE-79", "code.input_validation.injection.xss"},
		{"CWE-89", "code.input_validation.injection.sql"},
		{"CWE-22", "code.input_validation.path_traversal"},
		{"CWE-119", "code.input_validation.buffer"},
		{"CWE-787", "code.input_validation.buffer"},
		{"CWE-190", "code.numeric"},
		{"CWE-362", "code.race_condition"},
		{"CWE-200", "environment.information_disclosure"},
		{"CWE-532", "environment.information_disclosure.log"},
		{"CWE-287", "code.authorization.access_control"},
		{"CWE-862", "code.authorization.access_control"},
		{"CWE-798", "code.authorization.trust_management"},
		{"CWE-327", "code.crypto"},
		{"CWE-16", "configuration"},
		{"CWE-416", "code.resource_management"},
		{"CWE-502", "code.data_conversion"},
		{"CWE-912", "code.undeclared_function"},
		{"CWE-352", "code.input_validation.csrf"},
		{"CWE-1247", "environment.fault_injection"},
		{"cwe-79", "code.input_validation.injection.xss"},
		{" 79 ", "code.input_validation.injection.xss"},
		{"CWE-99999", ""},
		{"CWE-079", ""},
		{"CWE-", ""},
		{"CWE--79", ""},
		{"CWE-+79", ""},
		{"NVD-CWE-Other", ""},
		{"", ""},
	} {
		c, ok := gbt30279.CategoryForCWE(tc.cwe)
		if ok != (tc.want != "") || c.Code != tc.want {
			t.Errorf("CategoryForCWE(%q) = %q, %v; want %q", tc.cwe, c.Code, ok, tc.want)
		}
	}
}

// TestCWECrossWalkTargetsExist keeps the cross-walk pointing at real
// categories.
func TestCWECrossWalkTargetsExist(t *testing.T) {
	walk := gbt30279.CWECrossWalk()
	if len(walk) < 100 {
		t.Errorf("the cross-walk has %d entries; expected the common CWEs", len(walk))
	}
	for cwe, code := range walk {
		if _, ok := gbt30279.LookupCategory(code); !ok {
			t.Errorf("CWE-%d maps to unknown category %q", cwe, code)
		}
	}
}
