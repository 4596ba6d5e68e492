package validate

import (
	"regexp"
	"strconv"
)

// cweNamesByID holds the names, as of CWE 4.x, of the weaknesses most
// often named in advisories (the CWE Top 25 and their neighbours). The
// full CWE list is MITRE's and is not shipped; test 6.1.11 checks the
// names of the weaknesses listed here and the form of every ID.
var cweNamesByID = map[int]string{
	20:  "Improper Input Validation",
	22:  "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
	77:  "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
	78:  "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
	79:  "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
	89:  "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
	94:  "Improper Control of Generation of Code ('Code Injection')",
	119: "Improper Restriction of Operations within the Bounds of a Memory Buffer",
	125: "Out-of-bounds Read",
	190: "Integer Overflow or Wraparound",
	200: "Exposure of Sensitive Information to an Unauthorized Actor",
	269: "Improper Privilege Management",
	276: "Incorrect Default Permissions",
	287: "Improper Authentication",
	306: "Missing Authentication for Critical Function",
	352: "Cross-Site Request Forgery (CSRF)",
	400: "Uncontrolled Resource Consumption",
	416: "Use After Free",
	434: "Unrestricted Upload of File with Dangerous Type",
	476: "NULL Pointer Dereference",
	502: "Deserialization of Untrusted Data",
	611: "Improper Restriction of XML External Entity Reference",
	787: "Out-of-bounds Write",
	798: "Use of Hard-coded Credentials",
	862: "Missing Authorization",
	863: "Incorrect Authorization",
	918: "Server-Side Request Forgery (SSRF)",
}

// cweID is the form of a CWE ID.
var cweID = regexp.MustCompile(`^CWE-[1-9][0-9]*$`)

// 6.1.11: a vulnerability's CWE has a valid ID and that ID's name.
func cweNames(doc any) []Violation {
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		c := obj(v.v["cwe"])
		if c == nil {
			continue
		}
		p := v.path.key("cwe")
		id, _ := c["id"].(string)
		if !cweID.MatchString(id) {
			out = append(out, violation(p.key("id"), "%q is not a CWE ID such as CWE-79", id))
			continue
		}
		n, _ := strconv.Atoi(id[len("CWE-"):])
		name, _ := c["name"].(string)
		if want, ok := cweNamesByID[n]; ok && name != want {
			out = append(out, violation(p.key("name"), "%s is named %q, not %q", id, want, name))
		}
	}
	return out
}
