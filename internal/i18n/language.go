// Package i18n holds Embargo's message catalogues (Simplified Chinese and
// English) and decides which of them a reader gets.
//
// The package knows nothing about HTTP: web pages, emails and advisories all
// resolve a language with Match and look up text with a Catalog.
package i18n

import (
	"slices"

	"golang.org/x/text/language"
)

// The supported languages. Chinese comes first because it is the fallback:
// Embargo serves organisations under China's vulnerability regulation.
var (
	// Chinese is Simplified Chinese as written in mainland China (zh-CN).
	Chinese = language.MustParse("zh-CN")
	// English is English (en).
	English = language.English
)

// Supported returns the supported languages, the fallback first.
func Supported() []language.Tag {
	return []language.Tag{Chinese, English}
}

// matcher maps any language tag to the closest supported one. It is
// immutable, so sharing one is safe.
var matcher = language.NewMatcher(Supported())

// Match picks the language for a reader from, in order: the reader's explicit
// choice (a saved preference), the language cookie, and the Accept-Language
// header. Empty or unsupported values are skipped; when nothing matches the
// result is Chinese.
func Match(userChoice, cookie, acceptLanguage string) language.Tag {
	for _, s := range []string{userChoice, cookie} {
		if tag, ok := Lookup(s); ok {
			return tag
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	return closest(tags...)
}

// Lookup returns the supported language that s names ("en", "en-GB",
// "zh-CN", "zh-Hans"), and false when s is not a well-formed tag or names a
// language Embargo does not support.
func Lookup(s string) (language.Tag, bool) {
	tag, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return language.Und, false
	}
	return Supported()[i], true
}

// closest returns the supported language that best matches tags, or Chinese
// when none does. It returns the plain supported tag, never the matcher's
// variant with "-u-rg-" extensions.
func closest(tags ...language.Tag) language.Tag {
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Chinese
	}
	return Supported()[i]
}

// isSupported reports whether tag is exactly one of the supported languages.
func isSupported(tag language.Tag) bool {
	return slices.Contains(Supported(), tag)
}
