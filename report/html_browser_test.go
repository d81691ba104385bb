package report

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/report/picture"
)

// chromium finds Debian's headless browser: $FAULTLINE_CHROMIUM, else
// chromium on the PATH, else /usr/bin/chromium.
func chromium() string {
	if p := os.Getenv("FAULTLINE_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// runChromium runs one headless Chromium command with its own profile
// and returns what it wrote to stdout; the test fails if the page logged
// an uncaught script error.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--enable-logging=stderr",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(flags, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") && strings.Contains(line, "Uncaught") {
			t.Errorf("script error in the page: %s", line)
		}
	}
	return stdout.Bytes()
}

// TestHTMLInBrowser loads the demo inventory's page in headless Chromium:
// the findings, the expected downtime section and both pictures are in
// the rendered DOM, a link to a finding lights its causes up, the page asks the server for nothing else,
// and a screenshot of it is a real picture.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("chromium is not installed (Debian: apt-get install chromium): skipping the browser test")
	}
	page, _, r := renderPage(t, "../inventory.yaml", HTMLOptions{Inventory: "inventory.yaml"}, nil)
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		asked = append(asked, req.URL.Path)
		mu.Unlock()
		if req.URL.Path != "/report" {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()

	var first audit.Finding
	for _, f := range r.Findings {
		if f.Severity == audit.Critical && len(f.Causes) > 0 {
			first = f
			break
		}
	}
	url := srv.URL + "/report"
	dom := string(runChromium(t, bin, "--dump-dom", url+"#"+picture.FindingID(first.ID)))
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg" class="pic" id="pic-power"`, `id="pic-network"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page has no %s", want)
		}
	}
	if n := strings.Count(dom, `<article class="finding `); n != len(r.Findings) {
		t.Errorf("the rendered page shows %d findings, want %d", n, len(r.Findings))
	}
	for _, f := range r.Findings {
		if !strings.Contains(dom, `id="`+picture.FindingID(f.ID)+`"`) {
			t.Errorf("finding %s is not in the rendered page", f.ID)
		}
	}
	checkReliabilityDOM(t, dom, r)
	for _, cause := range first.Causes {
		lit := `id="` + picture.ComponentID(cause) + `" class="`
		i := strings.Index(dom, lit)
		if i < 0 {
			t.Errorf("cause %s is not in the rendered picture", cause)
			continue
		}
		class := dom[i+len(lit):]
		class = class[:strings.IndexByte(class, '"')]
		if !strings.Contains(" "+class+" ", " hl ") {
			t.Errorf("after following a link to %s, its cause %s has classes %q, want hl", first.ID, cause, class)
		}
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	runChromium(t, bin, "--window-size=1440,1800", "--screenshot="+shot, url)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	if b := img.Bounds(); b.Dx() != 1440 || b.Dy() != 1800 {
		t.Errorf("screenshot is %dx%d, want 1440x1800", b.Dx(), b.Dy())
	}
	colours := map[uint32]bool{}
	red := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>11)<<10|(g>>11)<<5|bl>>11] = true
			if r>>8 > 180 && g>>8 < 80 && bl>>8 < 80 {
				red++
			}
		}
	}
	if len(colours) < 40 {
		t.Errorf("the screenshot has %d colours: nothing rendered?", len(colours))
	}
	if red < 200 {
		t.Errorf("the screenshot has %d red samples: the critical marks did not render", red)
	}
	t.Logf("screenshot: %s (%d bytes, %d colours)", shot, len(data), len(colours))

	mu.Lock()
	defer mu.Unlock()
	for _, p := range asked {
		if p != "/report" && p != "/favicon.ico" {
			t.Errorf("the page asked the server for %s", p)
		}
	}
}

// checkReliabilityDOM: the rendered page's expected downtime section has
// a row per service (by expected downtime, as the report lists them) and
// lists the findings by risk, the riskiest first, each linking to a
// finding on the page.
func checkReliabilityDOM(t *testing.T, dom string, r *audit.Report) {
	t.Helper()
	start, end := strings.Index(dom, `<section class="reliability" id="reliability"`), strings.Index(dom, `<section class="findings" id="findings"`)
	if start < 0 || end < start {
		t.Fatal("the rendered page has no expected downtime section before the findings")
	}
	section := dom[start:end]
	rows := strings.Count(section, `<th scope="row">`)
	if want := min(len(r.Reliability.Services), maxServicesShown); rows != want || want == 0 {
		t.Errorf("the section shows %d services, want %d", rows, want)
	}
	if i := strings.Index(section, `<th scope="row"><code>`); i < 0 || !strings.HasPrefix(section[i+len(`<th scope="row"><code>`):], r.Reliability.Services[0].ID+"<") {
		t.Errorf("the first service shown is not %s, the longest expected downtime", r.Reliability.Services[0].ID)
	}
	var risky []audit.Finding
	for _, f := range r.Findings {
		if f.DowntimeMinutesPerYear != nil && *f.DowntimeMinutesPerYear > 0 {
			risky = append(risky, f)
		}
	}
	audit.SortByRisk(risky)
	if n := strings.Count(section, `<code class="fid">`); len(risky) == 0 || n != min(len(risky), maxRisksOnPage) {
		t.Fatalf("the section lists %d findings by risk, want %d", n, min(len(risky), maxRisksOnPage))
	}
	link := `href="#` + picture.FindingID(risky[0].ID) + `"`
	if i, j := strings.Index(section, `<ol class="by-risk">`), strings.Index(section, link); i < 0 || j < i || strings.Count(section[i:j], "<li>") != 1 {
		t.Errorf("the riskiest finding %s is not first in the list by risk", risky[0].ID)
	}
	if !strings.Contains(dom, `id="`+picture.FindingID(risky[0].ID)+`"`) {
		t.Errorf("the list by risk links to %s, which is not on the page", risky[0].ID)
	}
}
