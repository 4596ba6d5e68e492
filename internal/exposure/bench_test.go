package exposure

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// benchModules are real projects whose go.mod requirements are sampled
// into the synthetic inventories of the benchmarks.
var benchModules = []string{
	"k8s.io/kubernetes@v1.28.0",
	"github.com/hashicorp/vault@v1.15.0",
	"github.com/grafana/grafana@v6.1.6+incompatible",
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob@v1.0.0",
	"github.com/gin-gonic/gin@v1.7.0",
	"github.com/prometheus/client_golang@v1.11.0",
	"github.com/docker/cli@v24.0.0+incompatible",
	"github.com/etcd-io/etcd@v3.3.27+incompatible",
}

// mustBenchIndex builds an index of n inventories of size components each,
// sampled (with a fixed seed) from the requirements of benchModules.
func mustBenchIndex(b *testing.B, n, size int) (*Index, []Advisory) {
	b.Helper()
	var pool []Component
	for _, m := range benchModules {
		inv := mustGoModInventory(b, m)
		pool = append(pool, inv.Components...)
	}
	if len(pool) < 500 {
		b.Fatalf("only %d real components to sample", len(pool))
	}
	advs := mustVulnDB(b)
	x := NewIndex()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		inv := Inventory{Source: "inv-" + strconv.Itoa(i), Components: make([]Component, size)}
		for j := range inv.Components {
			inv.Components[j] = pool[r.IntN(len(pool))]
		}
		x.PutInventory(inv)
	}
	b.Logf("%d inventories of %d components sampled from %d real ones", n, size, len(pool))
	return x, advs
}

// BenchmarkNewAdvisory measures one new advisory reaching every affected
// inventory: PutAdvisory, then MatchAdvisory, over 10,000 inventories of
// 200 components (2 million). The advisory is golang.org/x/text's
// GO-2022-1059, which names a package most inventories hold.
func BenchmarkNewAdvisory(b *testing.B) {
	x, advs := mustBenchIndex(b, 10000, 200)
	var adv Advisory
	for _, a := range advs {
		if a.ID == "GO-2022-1059" {
			adv = a
		}
	}
	for _, a := range advs {
		x.PutAdvisory(a)
	}
	hits := 0
	for b.Loop() {
		x.PutAdvisory(adv)
		hits = len(x.MatchAdvisory(adv.ID))
	}
	b.ReportMetric(float64(hits), "matches")
	reportRSS(b)
}

// BenchmarkRematch measures a full re-match of 10,000 inventories (2
// million components): every vulndb advisory evaluated anew against every
// version the inventories hold, then every inventory's matches listed.
func BenchmarkRematch(b *testing.B) {
	x, advs := mustBenchIndex(b, 10000, 200)
	n := 0
	for b.Loop() {
		for _, a := range advs {
			x.PutAdvisory(a)
		}
		n = 0
		for _, ms := range x.MatchAll() {
			n += len(ms)
		}
	}
	b.ReportMetric(float64(n), "matches")
	reportRSS(b)
}

// BenchmarkRematchEach is BenchmarkRematch walking the matches with Each
// instead of materialising them all: what a server re-matching a large
// catalogue holds in memory.
func BenchmarkRematchEach(b *testing.B) {
	x, advs := mustBenchIndex(b, 10000, 200)
	n := 0
	for b.Loop() {
		for _, a := range advs {
			x.PutAdvisory(a)
		}
		n = 0
		x.Each(func(Match) bool { n++; return true })
	}
	b.ReportMetric(float64(n), "matches")
	reportRSS(b)
}

// reportRSS reports the process's peak resident set, where Linux says.
func reportRSS(b *testing.B) {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for line := range bytes.Lines(st) {
		var kb int
		if _, err := fmt.Sscanf(string(line), "VmHWM: %d kB", &kb); err == nil {
			b.ReportMetric(float64(kb)/1024, "MB-peak-rss")
		}
	}
}
