package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/assetcsv"
)

// Importer is the part of exposure.Service the import page uses: feed
// records, VEX statements and assets, each all or nothing.
type Importer interface {
	ImportAdvisories(ctx context.Context, p *access.Principal, advs []exposure.Advisory, progress func(done, total int)) (exposure.ImportSummary, error)
	ImportVEX(ctx context.Context, p *access.Principal, format string, ss []exposure.VEXStatement) (int, error)
	ImportAssets(ctx context.Context, p *access.Principal, invs []exposure.Inventory) (exposure.ImportSummary, error)
}

// MaxImportUpload caps the body of POST /imports: the largest file an
// import takes (an advisory zip) and the form around it.
const MaxImportUpload = exposure.MaxAdvisoryBytes + 1<<20

// importKind is what an upload holds.
type importKind string

// The kinds of upload, each with its own size limit and permission.
const (
	importAdvisories importKind = "advisories" // OSV (a record or a zip), CVE JSON 5, CSAF
	importVEX        importKind = "vex"        // OpenVEX, CSAF csaf_vex, CycloneDX VEX
	importAssets     importKind = "assets"     // an asset CSV or one SBOM
)

// limit is the largest file of kind k.
func (k importKind) limit() int64 {
	switch k {
	case importAdvisories:
		return exposure.MaxAdvisoryBytes
	case importVEX:
		return exposure.MaxVEXBytes
	}
	return exposure.MaxAssetBytes
}

// allowed reports whether p may import kind k. The services decide again;
// asking first spares a person the upload and the wait.
func (k importKind) allowed(p *access.Principal) bool {
	switch k {
	case importAdvisories:
		return p.InstanceAdmin || p.Can(access.ManageOrg)
	case importVEX, importAssets:
		return p.Can(access.ManageProducts)
	}
	return false
}

// The stages of an import, in order; failed ends one early.
const (
	stageRead   = "read"   // parsing the upload
	stageStore  = "store"  // writing it, all or nothing (advisories count records)
	stageMatch  = "match"  // matching and opening or joining cases
	stageDone   = "done"   // finished
	stageFailed = "failed" // stopped with an error; nothing was stored
)

// importJob is one upload being imported in the background: a large
// advisory zip takes seconds, and the page shows how far it has got. Only
// the person who sent it sees it.
type importJob struct {
	ID      string
	UserID  int64
	Kind    importKind
	File    string
	Size    int
	Started time.Time

	mu       sync.Mutex
	stage    string
	done     int
	total    int
	summary  exposure.ImportSummary
	vex      int    // statements stored, for a VEX import
	format   string // the VEX document's format
	problem  error
	finished time.Time
}

// importView is a job as a page shows it, copied under the job's lock.
type importView struct {
	ID, File, Stage, Format string
	Kind                    importKind
	Size, Done, Total, VEX  int
	Percent, SizeKiB        int
	Took                    time.Duration // from start to finish, rounded
	Summary                 exposure.ImportSummary
	Problem                 error
	Started, Finished       time.Time
	Running                 bool
}

func (j *importJob) view() importView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := importView{ID: j.ID, File: j.File, Kind: j.Kind, Size: j.Size, Stage: j.stage, Done: j.done, Total: j.total,
		VEX: j.vex, Format: j.format, Summary: j.summary, Problem: j.problem, Started: j.Started, Finished: j.finished,
		Running: j.stage != stageDone && j.stage != stageFailed}
	if j.total > 0 {
		v.Percent = j.done * 100 / j.total
	}
	v.SizeKiB = (j.Size + 1023) / 1024
	if !j.finished.IsZero() {
		v.Took = j.finished.Sub(j.Started).Round(time.Millisecond)
	}
	return v
}

func (j *importJob) set(fn func(j *importJob)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(j)
}

// importJobs are the imports of the last day, kept in memory: a restart
// forgets the page, not the data (an import is all or nothing).
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

// keepImports is how long a finished import stays on the page, and
// maxImports how many imports the server remembers at most.
const (
	keepImports = 24 * time.Hour
	maxImports  = 200
)

// add remembers j, forgetting finished imports older than keepImports;
// errs.Unavailable when maxImports are running.
func (js *importJobs) add(j *importJob, now time.Time) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.jobs == nil {
		js.jobs = map[string]*importJob{}
	}
	for id, old := range js.jobs {
		if v := old.view(); !v.Running && now.Sub(v.Finished) > keepImports {
			delete(js.jobs, id)
		}
	}
	if len(js.jobs) >= maxImports {
		return errs.Coded(errs.Unavailable, "import.busy", "too many imports are running; try again in a minute")
	}
	js.jobs[j.ID] = j
	return nil
}

// get returns user's import id, or nil.
func (js *importJobs) get(id string, user int64) *importJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	if j := js.jobs[id]; j != nil && j.UserID == user {
		return j
	}
	return nil
}

// of returns user's imports, newest first.
func (js *importJobs) of(user int64) []importView {
	js.mu.Lock()
	var out []importView
	for _, j := range js.jobs {
		if j.UserID == user {
			out = append(out, j.view())
		}
	}
	js.mu.Unlock()
	slices.SortFunc(out, func(a, b importView) int { return b.Started.Compare(a.Started) })
	return out
}

// importsPage is the data of /imports and /imports/{id}.
type importsPage struct {
	CanFeeds, CanProducts bool
	Imports               []importView
	Job                   *importView
	Problem               string
}

// importer returns the signed-in person, or NotFound when imports are off.
func (h *Handler) importer(r *http.Request) (*access.Principal, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	if h.cfg.Imports == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	if !importAdvisories.allowed(p) && !importAssets.allowed(p) {
		return nil, errs.Coded(errs.Forbidden, "import.forbidden", "importing needs organisation or catalogue management")
	}
	return p, nil
}

// showImports is the import page: the forms the person may use and their
// recent imports.
func (h *Handler) showImports(w http.ResponseWriter, r *http.Request) error {
	p, err := h.importer(r)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageImports, h.importsData(p))
}

func (h *Handler) importsData(p *access.Principal) importsPage {
	return importsPage{CanFeeds: importAdvisories.allowed(p), CanProducts: importAssets.allowed(p), Imports: h.imports.of(p.UserID)}
}

// startImport takes an upload, starts importing it in the background and
// sends the person to its progress page.
func (h *Handler) startImport(w http.ResponseWriter, r *http.Request) error {
	p, err := h.importer(r)
	if err != nil {
		return err
	}
	kind := importKind(r.FormValue("kind"))
	if kind != importAdvisories && kind != importVEX && kind != importAssets {
		return h.importProblem(w, r, p, errs.Coded(errs.Invalid, "import.kind", "choose what the file holds"))
	}
	if !kind.allowed(p) {
		return errs.Coded(errs.Forbidden, "import.forbidden", "importing needs organisation or catalogue management")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.importProblem(w, r, p, errs.Coded(errs.Invalid, "import.file", "choose a file to import"))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, kind.limit()+1))
	if err != nil {
		return err
	}
	if int64(len(b)) > kind.limit() {
		return h.importProblem(w, r, p, errs.Coded(errs.TooLarge, "import.too_large", "the file is over %d MiB", kind.limit()>>20))
	}
	j := &importJob{ID: rand.Text(), UserID: p.UserID, Kind: kind, File: path.Base(hdr.Filename), Size: len(b),
		Started: time.Now(), stage: stageRead}
	if err := h.imports.add(j, j.Started); err != nil {
		return h.importProblem(w, r, p, err)
	}
	// The import outlives the request: it keeps the request's values (the
	// principal, the request ID for the logs) but not its cancellation.
	ctx := context.WithoutCancel(r.Context())
	go h.runImport(ctx, p, j, b, r.FormValue("csv") == "on" || strings.EqualFold(path.Ext(j.File), ".csv"), strings.TrimSpace(r.FormValue("name")))
	http.Redirect(w, r, "/imports/"+j.ID, http.StatusSeeOther)
	return nil
}

// importProblem shows the import page again with what was wrong.
func (h *Handler) importProblem(w http.ResponseWriter, r *http.Request, p *access.Principal, err error) error {
	if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.TooLarge) && !errs.Is(err, errs.Unavailable) {
		return err
	}
	data := h.importsData(p)
	data.Problem = h.problem(r, err)
	noStore(w)
	return h.render(w, r, errs.HTTPStatus(err), pageImports, data)
}

// runImport parses and imports b, recording each stage on j.
func (h *Handler) runImport(ctx context.Context, p *access.Principal, j *importJob, b []byte, csv bool, name string) {
	err := h.doImport(ctx, p, j, b, csv, name)
	j.set(func(j *importJob) {
		j.finished = time.Now()
		if err != nil {
			j.stage, j.problem = stageFailed, err
			return
		}
		j.stage = stageDone
	})
	if err != nil && !errs.Is(err, errs.Invalid) {
		h.log.ErrorContext(ctx, "import failed", "kind", string(j.Kind), "file", j.File, "err", err)
	}
}

func (h *Handler) doImport(ctx context.Context, p *access.Principal, j *importJob, b []byte, csv bool, name string) error {
	stage := func(s string) { j.set(func(j *importJob) { j.stage = s }) }
	switch j.Kind {
	case importAdvisories:
		advs, err := exposure.ReadAdvisories(j.File, b)
		if err != nil {
			return err
		}
		stage(stageStore)
		j.set(func(j *importJob) { j.total = len(advs) })
		sum, err := h.cfg.Imports.ImportAdvisories(ctx, p, advs, func(done, total int) {
			j.set(func(j *importJob) {
				j.done, j.total = done, total
				if done == total {
					j.stage = stageMatch
				}
			})
		})
		j.set(func(j *importJob) { j.summary = sum })
		return err
	case importVEX:
		format, ss, err := exposure.ReadVEX(b)
		if err != nil {
			return err
		}
		stage(stageStore)
		n, err := h.cfg.Imports.ImportVEX(ctx, p, format, ss)
		j.set(func(j *importJob) { j.vex, j.format = n, format })
		return err
	case importAssets:
		invs, err := assetcsv.ReadUpload(j.File, b, csv, name)
		if err != nil {
			return err
		}
		stage(stageStore)
		sum, err := h.cfg.Imports.ImportAssets(ctx, p, invs)
		j.set(func(j *importJob) { j.summary = sum })
		return err
	}
	return fmt.Errorf("web: unknown import kind %q", j.Kind)
}

// showImport is an import's progress page; while the import runs, the
// page refreshes itself every second (no script needed).
func (h *Handler) showImport(w http.ResponseWriter, r *http.Request) error {
	p, err := h.importer(r)
	if err != nil {
		return err
	}
	j := h.imports.get(r.PathValue("id"), p.UserID)
	if j == nil {
		return errs.Coded(errs.NotFound, "import.not_found", "no such import: imports are kept for a day, and only their sender sees them")
	}
	v := j.view()
	data := h.importsData(p)
	data.Job = &v
	if v.Problem != nil {
		data.Problem = h.problem(r, v.Problem)
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageImports, data)
}
