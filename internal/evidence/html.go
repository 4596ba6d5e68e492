package evidence

import (
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
)

// packTemplateText is the page: self-contained (inline CSS, no scripts,
// no external assets), so it can be archived, mailed and printed as is.
//
//go:embed pack.html.tmpl
var packTemplateText string

// chinaTime is China Standard Time. A fixed zone, so that rendering needs
// no tzdata: China has had no daylight saving time since 1991.
var chinaTime = time.FixedZone("CST", 8*3600)

// parsePackTemplate parses the page template once; the package's tests
// render it, so a broken template never ships.
var parsePackTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("pack").Funcs(template.FuncMap{
		"l":     func(zh bool, key string) template.HTML { return bilingual(zh, label(key)) },
		"when":  when,
		"value": func(zh bool, kind, v string) template.HTML { return bilingual(zh, valueLabel(kind, v)) },
		"rmsv":  func(zh bool, art string) template.HTML { return bilingual(zh, rmsvArticle(art)) },
		"csl":   func(zh bool, a *CSLArticle) template.HTML { return bilingual(zh, cslArticle(a)) },
	}).Parse(packTemplateText)
})

// pageData is what the template sees.
type pageData struct {
	P    Pack
	ZH   bool // Chinese first; English first otherwise
	Lang string
	Met  int
}

// RenderHTML writes p as a readable, printable HTML page in both Chinese
// and English, lang's language first (Chinese for any "zh" tag, English
// otherwise). Times are shown in Beijing time and in UTC. The page is a
// copy for people: the signed envelope remains the evidence.
func RenderHTML(w io.Writer, p Pack, lang language.Tag) error {
	t, err := parsePackTemplate()
	if err != nil {
		return fmt.Errorf("evidence: page template: %w", err)
	}
	base, _ := lang.Base()
	d := pageData{P: p.normalized(), ZH: base.String() == "zh", Lang: "en"}
	if d.ZH {
		d.Lang = "zh-CN"
	}
	for _, duty := range p.Duties {
		if duty.State == Met {
			d.Met++
		}
	}
	return t.Execute(w, d)
}

// bilingual renders a [Chinese, English] pair, the reader's language
// first and the other in a quieter style.
func bilingual(zh bool, pair [2]string) template.HTML {
	first, second, firstLang, secondLang := pair[0], pair[1], "zh-CN", "en"
	if !zh {
		first, second, firstLang, secondLang = second, first, secondLang, firstLang
	}
	if first == second {
		return template.HTML(html.EscapeString(first))
	}
	return template.HTML(fmt.Sprintf(`<span lang="%s">%s</span> <span class="alt" lang="%s">%s</span>`,
		firstLang, html.EscapeString(first), secondLang, html.EscapeString(second)))
}

// when shows t in Beijing time and in UTC, the reader's first: Chinese
// law counts in Beijing time, other regimes and the pack itself in UTC.
func when(zh bool, t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	const layout = "2006-01-02 15:04:05"
	cst, utc := t.In(chinaTime).Format(layout), t.UTC().Format(layout)+" UTC"
	if zh {
		return template.HTML(fmt.Sprintf(`%s 北京时间 <span class="alt">%s</span>`, cst, utc))
	}
	return template.HTML(fmt.Sprintf(`%s <span class="alt">%s CST (UTC+8)</span>`, utc, cst))
}

// rmsvArticle names an RMSV article given as "7" or "7(2)".
func rmsvArticle(art string) [2]string {
	num, item, ok := strings.Cut(strings.TrimSuffix(art, ")"), "(")
	if !ok {
		return [2]string{"《规定》第" + num + "条", "RMSV Art. " + art}
	}
	if i := strings.Index("123456789", item); len(item) == 1 && i >= 0 {
		item = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九"}[i]
	}
	return [2]string{"《规定》第" + num + "条第（" + item + "）项", "RMSV Art. " + art}
}

// cslArticle names a Cybersecurity Law article under both numberings.
func cslArticle(a *CSLArticle) [2]string {
	switch {
	case a == nil:
		return [2]string{"—", "—"}
	case a.Status == Unconfirmed:
		return [2]string{fmt.Sprintf("现行序号未确认（原第%d条）", a.Before),
			fmt.Sprintf("current number unconfirmed (2016: Art. %d)", a.Before)}
	case a.Status == Confirmed:
		return [2]string{fmt.Sprintf("第%d条（原第%d条，已确认）", a.Current, a.Before),
			fmt.Sprintf("Art. %d (2016: Art. %d; confirmed)", a.Current, a.Before)}
	}
	return [2]string{fmt.Sprintf("第%d条（原第%d条，推得）", a.Current, a.Before),
		fmt.Sprintf("Art. %d (2016: Art. %d; derived)", a.Current, a.Before)}
}
