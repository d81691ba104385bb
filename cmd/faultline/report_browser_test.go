package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/api"
	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/engine"
	"github.com/faultline/faultline/plan"
	"github.com/faultline/faultline/report/picture"
)

// chromiumPath finds Debian's headless browser: $FAULTLINE_CHROMIUM, else
// chromium on the PATH.
func chromiumPath() string {
	if p := os.Getenv("FAULTLINE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// The demo's components the what-if is asked about (both are in the
// bundled inventory.yaml: rack r03's A-side PDU and its second
// top-of-rack switch).
var browserFail = []string{"pdu-r03-a", "tor-3b"}

// impacts is what the page lists, by list: "kind id" strings.
type impacts map[string][]string

func impactsOf(w *audit.WhatIf) impacts {
	out := impacts{"down": {}, "degraded": {}, "overloaded": {}}
	for name, xs := range map[string][]audit.Impact{"down": w.Down, "degraded": w.Degraded, "overloaded": w.Overloaded} {
		for _, x := range xs {
			out[name] = append(out[name], x.Kind+" "+x.ID)
		}
	}
	return out
}

// readImpacts reads the what-if answer the page shows.
const readImpacts = `(() => {
  const out = {down: [], degraded: [], overloaded: []};
  document.querySelectorAll("#wi-result ul[data-list]").forEach(ul => {
    ul.querySelectorAll("li[data-id]").forEach(li => out[ul.dataset.list].push(li.dataset.kind + " " + li.dataset.id));
  });
  return out;
})()`

// cliJSON runs the faultline CLI and decodes its JSON output.
func cliJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	if code != exitOK && code != exitFindings {
		t.Fatalf("faultline %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("faultline %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
}

// TestReportWorkbenchInBrowser drives Debian's Chromium over the DevTools
// protocol against the served report of the demo inventory: clicking
// pdu-r03-a and tor-3b in the picture lists what the CLI's whatif says for
// them, the address keeps the selection and gives the same answer when
// opened afresh, "Plan these" shows the CLI plan's batches and blocked
// components, the keyboard reaches and toggles components, the page
// works without JavaScript, and it fits the window at 80% zoom.
// Screenshots are written to a temporary directory named in the log.
func TestReportWorkbenchInBrowser(t *testing.T) {
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium is not installed (Debian: apt-get install chromium): skipping the browser test")
	}
	if testing.Short() {
		t.Skip("-short: skipping the browser test")
	}
	const inv = "../../inventory.yaml"
	var want audit.WhatIf
	cliJSON(t, &want, "whatif", inv, "--fail", strings.Join(browserFail, ","), "-o", "json")
	var wantPlan plan.Plan
	cliJSON(t, &wantPlan, "plan", inv, "--maintain", strings.Join(browserFail, ","), "-o", "json")
	if len(want.Down) == 0 || len(want.Overloaded) == 0 {
		t.Fatalf("the demo's what-if for %v should take something down and overload something: %+v", browserFail, want)
	}

	eng, err := engine.New(context.Background(), engine.Config{InventoryFile: inv, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv := api.New(eng, api.Options{ReportHTML: reportPage, ReportWhatIf: reportWhatIfPage})
	var mu sync.Mutex
	var asked, scriptErrors []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()

	// The screenshots outlive the test, for people (and CI artifacts) to
	// look at: under $FAULTLINE_SCREENSHOTS, else a new temporary directory.
	shots := os.Getenv("FAULTLINE_SCREENSHOTS")
	if shots == "" {
		if shots, err = os.MkdirTemp("", "faultline-report-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("hide-scrollbars", true))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}

	// tab opens a tab with a deadline that fails the test on any
	// uncaught script error.
	tab := func(t *testing.T) context.Context {
		ctx, cancel := chromedp.NewContext(browser)
		t.Cleanup(cancel)
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		t.Cleanup(cancelT)
		if err := chromedp.Listen(ctx, func(ev any) {
			if e, ok := ev.(*runtime.EventExceptionThrown); ok {
				d := e.ExceptionDetails
				msg := d.Text
				if d.Exception != nil {
					msg += " " + d.Exception.Description
				}
				mu.Lock()
				scriptErrors = append(scriptErrors, fmt.Sprintf("%s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, msg))
				mu.Unlock()
			}
		}); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	do := func(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(t *testing.T, ctx context.Context, name string) {
		t.Helper()
		data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	shown := func(t *testing.T, ctx context.Context) impacts {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[impacts](readImpacts))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	answered := `document.querySelectorAll("#wi-result ul[data-list]").length === 3 && document.querySelector("#wi-result .wi-failed-ids").textContent === "` + strings.Join(browserFail, ", ") + `"`
	wantURL := ts.URL + "/report?fail=" + strings.Join(browserFail, ",")
	var pasted string

	t.Run("click", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Navigate(ts.URL+"/report"),
			chromedp.WaitVisible(chromedp.CSS(".pic .wi-pick")))
		for _, id := range browserFail {
			// Where a person clicks: the box with the name.
			do(t, ctx, chromedp.Click(chromedp.CSS(`[id="c-`+id+`"] rect`)))
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](answered, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("wi-fail")))
			t.Fatalf("no answer after clicking %v (selection %q): %v", browserFail, v, err)
		}
		if diff := cmp.Diff(impactsOf(&want), shown(t, ctx)); diff != "" {
			t.Errorf("the page and the CLI's whatif differ (-cli +page):\n%s", diff)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if loc != wantURL {
			t.Errorf("the address is %s, want %s", loc, wantURL)
		}
		pasted = loc
		marked, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".pic .wi-failed")].map(e => e.id)`))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range browserFail {
			if !slices.Contains(marked, "c-"+id) {
				t.Errorf("%s is not marked selected in the picture (marked: %v)", id, marked)
			}
		}
		do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("#whatif")))
		shot(t, ctx, "whatif.png")
		do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS(`[id="c-`+browserFail[0]+`"]`)))
		shot(t, ctx, "whatif-picture.png")

		// Plan these.
		do(t, ctx, chromedp.Click(chromedp.ID("wi-plan")))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#wi-planout [data-list=batches]") !== null`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("no plan after Plan these: %v", err)
		}
		type planShown struct {
			Batches [][]string `json:"batches"`
			Blocked []string   `json:"blocked"`
			MD      string     `json:"md"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[planShown](`({
			batches: [...document.querySelectorAll("#wi-planout [data-list=batches] > li")].map(li => li.dataset.components.split(",")),
			blocked: [...document.querySelectorAll("#wi-planout [data-list=blocked] > li")].map(li => li.dataset.id),
			md: document.querySelector("#wi-planout textarea").value})`))
		if err != nil {
			t.Fatal(err)
		}
		wantShown := planShown{Batches: [][]string{}, Blocked: []string{}}
		for _, b := range wantPlan.Batches {
			wantShown.Batches = append(wantShown.Batches, b.Components)
		}
		for _, b := range wantPlan.Blocked {
			wantShown.Blocked = append(wantShown.Blocked, b.Component)
		}
		if got.Batches == nil {
			got.Batches = [][]string{}
		}
		if got.Blocked == nil {
			got.Blocked = []string{}
		}
		if diff := cmp.Diff(wantShown.Batches, got.Batches); diff != "" {
			t.Errorf("plan batches differ (-cli +page):\n%s", diff)
		}
		if diff := cmp.Diff(wantShown.Blocked, got.Blocked); diff != "" {
			t.Errorf("plan blocked differ (-cli +page):\n%s", diff)
		}
		for _, id := range browserFail {
			if !strings.Contains(got.MD, "`"+id+"`") {
				t.Errorf("the plan's Markdown lacks %s:\n%s", id, got.MD)
			}
		}
		do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("#wi-planout")))
		shot(t, ctx, "plan.png")
	})

	t.Run("address round-trips", func(t *testing.T) {
		if pasted == "" {
			t.Skip("the click test did not produce an address")
		}
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Navigate(pasted))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](answered, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("no answer on opening %s: %v", pasted, err)
		}
		if diff := cmp.Diff(impactsOf(&want), shown(t, ctx)); diff != "" {
			t.Errorf("the pasted address shows another answer (-cli +page):\n%s", diff)
		}
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("wi-fail")))
		if err != nil {
			t.Fatal(err)
		}
		if v != strings.Join(browserFail, ",") {
			t.Errorf("the input holds %q", v)
		}
	})

	t.Run("expected downtime", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Navigate(ts.URL+"/report"),
			chromedp.WaitVisible(chromedp.ID("reliability")))
		rep := eng.Snapshot().Report
		var wantIDs []string
		for _, s := range rep.Reliability.Services {
			wantIDs = append(wantIDs, s.ID)
		}
		// The services as laid out: rows with a height, in the page's order.
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#reliability tbody th code")].filter(e => e.getBoundingClientRect().height > 0).map(e => e.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantIDs, rows); diff != "" {
			t.Errorf("services shown by expected downtime (-want +got):\n%s", diff)
		}
		risky := slices.Clone(rep.Findings)
		audit.SortByRisk(risky)
		if len(risky) == 0 || risky[0].DowntimeMinutesPerYear == nil {
			t.Fatal("no finding with a downtime figure")
		}
		do(t, ctx, chromedp.ScrollIntoView(chromedp.ID("reliability")))
		shot(t, ctx, "downtime.png")
		// The riskiest finding is first, and its link leads to it.
		do(t, ctx, chromedp.Click(chromedp.CSS(".by-risk li:first-child a")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if want := "#" + picture.FindingID(risky[0].ID); !strings.HasSuffix(loc, want) {
			t.Errorf("the first finding by risk leads to %s, want %s (%s)", loc, want, risky[0].ID)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Navigate(ts.URL+"/report"),
			chromedp.WaitVisible(chromedp.CSS(".pic .wi-pick")))
		focusable, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll(".pic .wi-pick")].every(e => e.tabIndex === 0 && e.getAttribute("role") === "button")`))
		if err != nil || !focusable {
			t.Fatalf("components are not all focusable buttons: %v", err)
		}
		for _, id := range browserFail {
			do(t, ctx, chromedp.Focus(chromedp.CSS(`[id="c-`+id+`"]`)), chromedp.KeyEvent("\r"))
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](answered, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("Enter on %v gave no answer: %v", browserFail, err)
		}
		// Space toggles the second off again.
		do(t, ctx, chromedp.Focus(chromedp.CSS(`[id="c-`+browserFail[1]+`"]`)), chromedp.KeyEvent(" "))
		pressed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[id="c-`+browserFail[1]+`"]').getAttribute("aria-pressed")`))
		if err != nil || pressed != "false" {
			t.Errorf("after Space, %s has aria-pressed %q (%v), want false", browserFail[1], pressed, err)
		}
		v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("wi-fail")))
		if v != browserFail[0] {
			t.Errorf("after Space the selection is %q, want %q", v, browserFail[0])
		}
	})

	t.Run("typing with completion", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Navigate(ts.URL+"/report"),
			chromedp.WaitVisible(chromedp.ID("wi-fail")),
			chromedp.SendKeys(chromedp.ID("wi-fail"), browserFail[0]+",tor-3"))
		opts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#wi-ids option")].map(o => o.value)`))
		if err != nil {
			t.Fatal(err)
		}
		if want := browserFail[0] + "," + browserFail[1]; !slices.Contains(opts, want) {
			t.Errorf("typing %q offers %v, want %q among them", browserFail[0]+",tor-3", opts, want)
		}
		do(t, ctx, chromedp.SetValue(chromedp.ID("wi-fail"), strings.Join(browserFail, ",")), chromedp.Click(chromedp.ID("wi-go")))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](answered, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("no answer after typing the ids: %v", err)
		}
		if diff := cmp.Diff(impactsOf(&want), shown(t, ctx)); diff != "" {
			t.Errorf("typed ids give another answer (-cli +page):\n%s", diff)
		}
	})

	t.Run("without JavaScript", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, chromedp.EmulateViewport(1440, 1000), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}), chromedp.Navigate(ts.URL+"/report"), chromedp.WaitVisible(chromedp.ID("wi-fail")),
			chromedp.SendKeys(chromedp.ID("wi-fail"), strings.Join(browserFail, ",")),
			chromedp.Submit(chromedp.ID("wi-fail")), chromedp.WaitVisible(chromedp.CSS("#wi-result ul[data-list]")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(loc, "/report?fail=") {
			t.Errorf("the form went to %s", loc)
		}
		// Read the server-rendered answer from the DOM without the page's
		// scripts (Evaluate runs in DevTools' own world).
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("wi-result")))
		if err != nil {
			t.Fatal(err)
		}
		for _, list := range []string{"down", "overloaded"} {
			for _, x := range impactsOf(&want)[list] {
				kind, id, _ := strings.Cut(x, " ")
				if !strings.Contains(html, `data-kind="`+kind+`" data-id="`+id+`"`) {
					t.Errorf("without JavaScript the page does not list %s %s as %s", kind, id, list)
				}
			}
		}
		shot(t, ctx, "nojs.png")
	})

	t.Run("80% zoom", func(t *testing.T) {
		ctx := tab(t)
		// A 1366×768 laptop at 80% zoom: 1708 CSS pixels across.
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1708, Height: 960, DeviceScaleFactor: 0.8})
			return err
		}), chromedp.Navigate(wantURL))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](answered, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatal(err)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Error("at 80% zoom the page scrolls sideways")
		}
		shot(t, ctx, "zoom80.png")
	})

	cancelBrowser()
	mu.Lock()
	defer mu.Unlock()
	for _, e := range scriptErrors {
		t.Errorf("script error in the page: %s", e)
	}
	for _, p := range asked {
		if p != "/report" && p != "/api/v1/whatif" && p != "/api/v1/plan" && p != "/favicon.ico" {
			t.Errorf("the page asked the server for %s: every asset must be in the page", p)
		}
	}
}
