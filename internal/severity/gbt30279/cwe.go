package gbt30279

// cweCategory maps common CWE IDs to the most specific category they fit.
// It covers the CWE Top 25 of recent years and the weaknesses most often
// seen in advisories; a CWE that is absent is classified by hand. Where a
// CWE could sit under two categories, the choice follows the category's
// description in §5 (noted inline).
var cweCategory = map[int]string{
	// Resource management 资源管理错误: memory, handles and other resources
	// managed wrongly over their lifetime.
	400:  "code.resource_management", // uncontrolled resource consumption
	401:  "code.resource_management", // memory leak
	404:  "code.resource_management", // improper resource shutdown or release
	415:  "code.resource_management", // double free
	416:  "code.resource_management", // use after free
	476:  "code.resource_management", // NULL pointer dereference
	770:  "code.resource_management", // allocation without limits
	772:  "code.resource_management", // missing release of resource
	824:  "code.resource_management", // uninitialised pointer
	908:  "code.resource_management", // uninitialised resource
	1333: "code.resource_management", // inefficient regular expression (ReDoS)

	// Input validation 输入验证错误 and its subtypes.
	20:   "code.input_validation",
	434:  "code.input_validation", // unrestricted upload of dangerous file type
	601:  "code.input_validation", // open redirect
	611:  "code.input_validation", // XML external entities
	918:  "code.input_validation", // server-side request forgery
	1321: "code.input_validation", // prototype pollution
	119:  "code.input_validation.buffer",
	120:  "code.input_validation.buffer",
	121:  "code.input_validation.buffer",
	122:  "code.input_validation.buffer",
	125:  "code.input_validation.buffer", // out-of-bounds read
	131:  "code.input_validation.buffer",
	787:  "code.input_validation.buffer", // out-of-bounds write
	788:  "code.input_validation.buffer",
	805:  "code.input_validation.buffer",
	74:   "code.input_validation.injection",
	75:   "code.input_validation.injection",
	90:   "code.input_validation.injection", // LDAP injection
	91:   "code.input_validation.injection", // XML injection
	113:  "code.input_validation.injection", // HTTP response splitting
	117:  "code.input_validation.injection", // log injection
	643:  "code.input_validation.injection", // XPath injection
	134:  "code.input_validation.injection.format_string",
	79:   "code.input_validation.injection.xss",
	80:   "code.input_validation.injection.xss",
	89:   "code.input_validation.injection.sql",
	564:  "code.input_validation.injection.sql", // Hibernate injection
	94:   "code.input_validation.injection.code",
	95:   "code.input_validation.injection.code", // eval injection
	917:  "code.input_validation.injection.code", // expression language injection
	1336: "code.input_validation.injection.code", // template injection
	77:   "code.input_validation.injection.command",
	78:   "code.input_validation.injection.command", // OS command injection
	88:   "code.input_validation.injection.command", // argument injection
	22:   "code.input_validation.path_traversal",
	23:   "code.input_validation.path_traversal",
	35:   "code.input_validation.path_traversal",
	36:   "code.input_validation.path_traversal",
	73:   "code.input_validation.path_traversal", // external control of file name or path
	59:   "code.input_validation.link_following",
	61:   "code.input_validation.link_following",
	352:  "code.input_validation.csrf",

	// Numeric errors 数字错误.
	189: "code.numeric",
	190: "code.numeric", // integer overflow
	191: "code.numeric", // integer underflow
	369: "code.numeric", // divide by zero
	681: "code.numeric", // incorrect numeric conversion
	682: "code.numeric", // incorrect calculation

	// Race conditions 竞争条件问题.
	362: "code.race_condition",
	364: "code.race_condition",
	366: "code.race_condition",
	367: "code.race_condition", // TOCTOU
	667: "code.race_condition", // improper locking

	// Processing logic 处理逻辑错误.
	670: "code.logic",
	691: "code.logic",
	754: "code.logic", // unchecked unusual condition
	835: "code.logic", // infinite loop
	840: "code.logic", // business logic errors
	841: "code.logic",

	// Cryptographic issues 加密问题: wrong, weak or missing use of
	// cryptography, including cleartext storage or transmission.
	261: "code.crypto",
	310: "code.crypto",
	311: "code.crypto", // missing encryption of sensitive data
	312: "code.crypto", // cleartext storage
	319: "code.crypto", // cleartext transmission
	326: "code.crypto", // inadequate encryption strength
	327: "code.crypto", // broken or risky algorithm
	328: "code.crypto", // weak hash
	330: "code.crypto", // insufficiently random values
	338: "code.crypto",
	347: "code.crypto", // improper verification of a signature
	759: "code.crypto", // hash without salt
	916: "code.crypto", // password hash with insufficient effort

	// Authorization 授权问题. Default, hard-coded passwords and
	// certificates are trust management by §5.2.8.1's description;
	// authentication and permission failures are access control.
	255:  "code.authorization.trust_management",
	259:  "code.authorization.trust_management", // hard-coded password
	295:  "code.authorization.trust_management", // improper certificate validation
	321:  "code.authorization.trust_management", // hard-coded cryptographic key
	798:  "code.authorization.trust_management", // hard-coded credentials
	1392: "code.authorization.trust_management", // default credentials
	1394: "code.authorization.trust_management", // default cryptographic key
	264:  "code.authorization.access_control",
	269:  "code.authorization.access_control", // improper privilege management
	276:  "code.authorization.access_control", // incorrect default permissions
	284:  "code.authorization.access_control",
	285:  "code.authorization.access_control",
	287:  "code.authorization.access_control", // improper authentication
	288:  "code.authorization.access_control",
	290:  "code.authorization.access_control",
	306:  "code.authorization.access_control", // missing authentication
	307:  "code.authorization.access_control", // no limit on authentication attempts
	384:  "code.authorization.access_control", // session fixation
	425:  "code.authorization.access_control", // forced browsing
	639:  "code.authorization.access_control", // IDOR
	732:  "code.authorization.access_control", // incorrect permission assignment
	862:  "code.authorization.access_control", // missing authorization
	863:  "code.authorization.access_control", // incorrect authorization

	// Data conversion 数据转换问题 between representations and types.
	502: "code.data_conversion", // deserialisation of untrusted data
	704: "code.data_conversion", // incorrect type conversion
	843: "code.data_conversion", // type confusion

	// Undeclared functionality 未声明功能: test interfaces, debug code and
	// hidden functions left reachable.
	489:  "code.undeclared_function", // active debug code
	506:  "code.undeclared_function", // embedded malicious code
	912:  "code.undeclared_function", // hidden functionality
	1242: "code.undeclared_function", // undocumented features

	// Configuration errors 配置错误: insecure configuration files,
	// parameters and defaults.
	16:   CategoryConfiguration,
	260:  CategoryConfiguration, // password in configuration file
	1004: CategoryConfiguration, // cookie without HttpOnly
	1188: CategoryConfiguration, // insecure default initialisation
	614:  CategoryConfiguration, // cookie without Secure

	// Information disclosure 信息泄露 and its subtypes.
	200:  "environment.information_disclosure",
	201:  "environment.information_disclosure",
	497:  "environment.information_disclosure",
	538:  "environment.information_disclosure",
	548:  "environment.information_disclosure", // directory listing
	532:  "environment.information_disclosure.log",
	209:  "environment.information_disclosure.debug", // error message with sensitive information
	215:  "environment.information_disclosure.debug",
	203:  "environment.information_disclosure.side_channel", // observable discrepancy
	208:  "environment.information_disclosure.side_channel", // timing discrepancy
	385:  "environment.information_disclosure.side_channel", // covert timing channel
	1300: "environment.information_disclosure.side_channel",

	// Fault injection 故障注入.
	1247: "environment.fault_injection", // protection against voltage and clock glitches
	1332: "environment.fault_injection", // instruction skips
	1351: "environment.fault_injection", // hardware behaviour in extreme environments
}
