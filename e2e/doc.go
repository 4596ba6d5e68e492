// Package e2e holds Embargo's end-to-end tests: they build the embargo
// command, start it as a real process on a free port with a fresh data
// directory, and drive it with headless Chromium through chromedp.
//
// The tests skip when Chromium is missing, unless EMBARGO_REQUIRE_BROWSER=1
// (CI sets it), in which case they fail. EMBARGO_TEST_CHROMIUM names the
// browser binary (default /usr/bin/chromium); EMBARGO_TEST_ARTIFACTS names
// the directory for screenshots (default e2e/artifacts/, which git ignores).
package e2e
