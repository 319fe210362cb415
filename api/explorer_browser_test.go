package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hearsay/fixtures"
)

// The explorer's browser checks drive headless Chromium as
// TestBrowser_Playground does (browser_test.go's CDP client), on the page
// at "/" over the seed.

// explorerShotEnv names a directory the checks write their screenshots
// to; without it they go to the test's artifact directory (kept by go test
// -artifacts). explorerUpdateEnv=1 rewrites the README's screenshot,
// explorerReadmeShot.
const (
	explorerShotEnv    = "HEARSAY_EXPLORER_SHOTS"
	explorerUpdateEnv  = "HEARSAY_UPDATE_SCREENSHOT"
	explorerReadmeShot = "explorer/screenshot.png"
)

// explorerBox is one box of the drawn chain picture, as the page has it.
type explorerBox struct {
	ID    string  `json:"id"`
	Grade string  `json:"grade"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Dir   string  `json:"dir"`
	Title string  `json:"title"`
	Label string  `json:"label"`
}

// explorerBoxesJS reads the picture's boxes and arrows.
const explorerBoxesJS = `(() => {
	const svg = document.querySelector("#chain-picture svg.chain-graph");
	if (!svg) return null;
	const boxes = Array.from(svg.querySelectorAll("g.box")).map(g => ({
		id: g.getAttribute("data-id"), grade: g.getAttribute("data-grade"),
		x: parseFloat(g.getAttribute("data-x")), y: parseFloat(g.getAttribute("data-y")),
		dir: svg.classList.contains("dir-TB") ? "TB" : "LR",
		title: (g.querySelector(".box-title") || {}).textContent || "",
		label: g.getAttribute("aria-label") || ""}));
	const arrows = Array.from(svg.querySelectorAll("path.edge")).map(p => p.getAttribute("data-from") + " -> " + p.getAttribute("data-to"));
	return {boxes, arrows};
})()`

// explorerHop is one hop of the seed's headline chain, read from the seed
// file: the report, its outlet's name and rating, and where it points.
type explorerHop struct {
	report, outlet, grade string
}

// explorerHeadlineChain walks the headline claim's appearances in the seed
// file from the one no other appearance cites, and returns its hops and its
// origin's ID and name: what the picture must show, in order.
func explorerHeadlineChain(tb testing.TB) (hops []explorerHop, originID, originName string) {
	tb.Helper()
	var seed struct {
		Outlets []struct {
			ID, Name string
			Ratings  []struct{ Rating, RatedAt string }
		}
		Officials []struct{ ID, Name string }
		Reports   []struct{ ID, Outlet, Published string }
		Claims    []struct {
			ID          string
			Appearances []struct {
				Report       string
				AttributedTo []struct{ Source string }
			}
		}
	}
	if err := json.Unmarshal(fixtures.Seed(), &seed); err != nil {
		tb.Fatal(err)
	}
	outlets := map[string]int{}
	for i, o := range seed.Outlets {
		outlets[o.ID] = i
	}
	reports := map[string]int{}
	for i, r := range seed.Reports {
		reports[r.ID] = i
	}
	i := slices.IndexFunc(seed.Claims, func(c struct {
		ID          string
		Appearances []struct {
			Report       string
			AttributedTo []struct{ Source string }
		}
	}) bool {
		return c.ID == fixtures.SeedClaim
	})
	if i < 0 {
		tb.Fatalf("seed has no %s", fixtures.SeedClaim)
	}
	apps := seed.Claims[i].Appearances
	cited := map[string]bool{}
	for _, a := range apps {
		for _, at := range a.AttributedTo {
			cited[at.Source] = true
		}
	}
	next := ""
	for _, a := range apps {
		if !cited[a.Report] {
			next = a.Report
		}
	}
	for next != "" && len(hops) < 10 {
		ri, ok := reports[next]
		if !ok {
			break
		}
		r := seed.Reports[ri]
		o := seed.Outlets[outlets[r.Outlet]]
		grade := ""
		for _, rt := range o.Ratings { // the last rating made by publication
			if rt.RatedAt <= r.Published || r.Published == "" || len(r.Published) < len(rt.RatedAt) && rt.RatedAt[:len(r.Published)] <= r.Published {
				grade = rt.Rating
			}
		}
		hops = append(hops, explorerHop{report: r.ID, outlet: o.Name, grade: grade})
		ai := slices.IndexFunc(apps, func(a struct {
			Report       string
			AttributedTo []struct{ Source string }
		}) bool {
			return a.Report == r.ID
		})
		if ai < 0 || len(apps[ai].AttributedTo) != 1 {
			tb.Fatalf("seed: %s has no single attribution of %s", r.ID, fixtures.SeedClaim)
		}
		next = apps[ai].AttributedTo[0].Source
		if _, ok := reports[next]; !ok {
			originID = next
		}
	}
	for _, o := range seed.Officials {
		if o.ID == originID {
			originName = o.Name
		}
	}
	if len(hops) < 2 || originName == "" {
		tb.Fatalf("seed: headline chain %v to %q not found", hops, originID)
	}
	return hops, originID, originName
}

func TestExplorer_Browser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	bin := browserFindChromium(t)
	srv := MustServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*browserTimeout)
	defer cancel()
	b := browserStart(t, ctx, bin)
	hops, originID, originName := explorerHeadlineChain(t)
	// The seed's reports have no URL: give the last one a URL for the hop
	// detail to link to.
	reportURL := "https://www.telegraph.co.uk/world-news/2025/04/25/us-backstop-example/"
	srv.Mutate(t, `mutation($id: ID!, $url: String!) { updateReport(id: $id, input: {url: $url}) { id } }`,
		map[string]any{"id": hops[len(hops)-1].report, "url": reportURL}).MustData(t, nil)
	deepLink := srv.URL + "/claims/" + url.PathEscape(fixtures.SeedClaim)
	page := b.mustOpenPage(t, ctx, deepLink)
	shots := explorerShotDir(t)

	// Ensure the deep link draws the headline chain left to right, each
	// box with its outlet's rating at publication, and an arrow per hop.
	t.Run("Chain", func(t *testing.T) {
		boxes, arrows := explorerWaitPicture(t, ctx, page)
		byID := map[string]explorerBox{}
		for _, bx := range boxes {
			byID[bx.ID] = bx
		}
		var xs []float64
		for i, hop := range hops {
			bx, ok := byID[hop.report]
			if !ok {
				t.Fatalf("picture has no box for %s (%s); boxes: %+v", hop.report, hop.outlet, boxes)
			}
			if strings.TrimSpace(bx.Title) != hop.outlet {
				t.Errorf("box %s reads %q, want %q", hop.report, bx.Title, hop.outlet)
			}
			if bx.Grade != hop.grade {
				t.Errorf("box %s (%s) is graded %q, want %q", hop.report, hop.outlet, bx.Grade, hop.grade)
			}
			if !strings.Contains(bx.Label, "reliability "+hop.grade) {
				t.Errorf("box %s: accessible label %q does not give its reliability %s", hop.report, bx.Label, hop.grade)
			}
			xs = append(xs, bx.X)
			to := originID
			if i+1 < len(hops) {
				to = hops[i+1].report
			}
			if !slices.Contains(arrows, hop.report+" -> "+to) {
				t.Errorf("no arrow %s -> %s; arrows: %q", hop.report, to, arrows)
			}
		}
		origin, ok := byID[originID]
		if !ok || strings.TrimSpace(origin.Title) != originName {
			t.Fatalf("picture has no box %q for %s: %+v", originName, originID, origin)
		}
		xs = append(xs, origin.X)
		// The seed's two chains (from Euromaidan Press, and from The
		// Telegraph itself) share their last hop: one box each, one arrow
		// per distinct hop.
		if len(boxes) != len(hops)+1 || len(arrows) != len(hops) {
			t.Errorf("picture has %d boxes and %d arrows, want %d and %d (chains merged): %+v %q",
				len(boxes), len(arrows), len(hops)+1, len(hops), boxes, arrows)
		}
		if !slices.IsSorted(xs) || len(slices.Compact(slices.Clone(xs))) != len(xs) {
			t.Errorf("boxes %v → %s are at x = %v, want strictly left to right", hops, originName, xs)
		}
		for _, want := range []string{hops[0].outlet + " (" + hops[0].grade + ") → " + hops[1].outlet + " (" + hops[1].grade + ") → " + originName} {
			text := explorerText(t, ctx, page, "#main")
			if !strings.Contains(text, want) {
				t.Errorf("the chains as text lack %q:\n%s", want, browserClip(text, 2000))
			}
		}
	})

	// Ensure clicking a hop shows its quote as printed and links to the
	// report's URL, and that Enter on a focused box does the same.
	t.Run("HopDetail", func(t *testing.T) {
		tele := hops[len(hops)-1].report
		page.mustClick(t, ctx, `#chain-picture g.box[data-id="`+tele+`"]`)
		want := explorerReportURL(t, srv, tele)
		if want != reportURL {
			t.Fatalf("report %s has URL %q, want %q", tele, want, reportURL)
		}
		detail := explorerWaitText(t, ctx, page, "#hop-detail", "in private US negotiators")
		if !strings.Contains(detail, hops[len(hops)-1].outlet) {
			t.Errorf("hop detail names no %s:\n%s", hops[len(hops)-1].outlet, detail)
		}
		var href string
		explorerEval(t, ctx, page, `(document.querySelector("#hop-detail a.report-link") || {}).href || ""`, &href)
		if href != want {
			t.Errorf("hop detail links %q, want the report's URL %q", href, want)
		}
		// Keyboard: focus the first box, press Enter.
		explorerEval(t, ctx, page, `document.querySelector('#chain-picture g.box[data-id="`+hops[0].report+`"]').focus(), true`, nil)
		explorerKey(t, ctx, page, "Enter", 13)
		explorerWaitText(t, ctx, page, "#hop-detail h3", hops[0].outlet)
	})

	// Ensure the page is readable at 1280 and 390 px: the picture is
	// drawn, no text runs past the viewport but the scrollable picture,
	// and screenshots are kept; axe-core finds no serious violation.
	for _, width := range []int{1280, 390} {
		t.Run(fmt.Sprintf("Width%d", width), func(t *testing.T) {
			explorerViewport(t, ctx, page, width, 900)
			// Left to right when wide, top to bottom when narrow, in
			// the chain's order either way.
			want := "LR"
			if width < 600 {
				want = "TB"
			}
			var boxes []explorerBox
			if err := page.poll(ctx, explorerBoxesJS, func(v json.RawMessage) bool {
				var got struct{ Boxes []explorerBox }
				if json.Unmarshal(v, &got) != nil || len(got.Boxes) == 0 || got.Boxes[0].Dir != want {
					return false
				}
				boxes = got.Boxes
				return true
			}); err != nil {
				t.Fatalf("at %d px the picture is not drawn %s: %v", width, want, err)
			}
			pos := map[string]float64{}
			for _, bx := range boxes {
				pos[bx.ID] = bx.X
				if want == "TB" {
					pos[bx.ID] = bx.Y
				}
			}
			var order []float64
			for _, hop := range hops {
				order = append(order, pos[hop.report])
			}
			order = append(order, pos[originID])
			if !slices.IsSorted(order) || len(slices.Compact(slices.Clone(order))) != len(order) {
				t.Errorf("at %d px the chain's boxes are at %v along %s, want in order", width, order, want)
			}
			var overflow []string
			explorerEval(t, ctx, page, `(() => {
				const w = document.documentElement.clientWidth, out = [];
				for (const el of document.querySelectorAll("main *, header *")) {
					if (el.closest(".picture") || el.closest(".sr-only") || el.closest("[hidden]")) continue;
					const r = el.getBoundingClientRect();
					if (r.width && r.right > w + 1) out.push(el.tagName + "." + el.className + " right=" + Math.round(r.right));
				}
				return out.slice(0, 10);
			})()`, &overflow)
			if len(overflow) > 0 {
				t.Errorf("at %d px these run past the viewport: %q", width, overflow)
			}
			png := explorerScreenshot(t, ctx, page)
			name := filepath.Join(shots, fmt.Sprintf("explorer-claim-%d.png", width))
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", name)
			if width == 1280 && os.Getenv(explorerUpdateEnv) == "1" {
				if err := os.WriteFile(explorerReadmeShot, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("rewrote %s", explorerReadmeShot)
			}
			explorerAxe(t, ctx, page)
		})
	}
	explorerViewport(t, ctx, page, 1280, 900)
	if err := page.poll(ctx, explorerBoxesJS, func(v json.RawMessage) bool {
		var got struct{ Boxes []explorerBox }
		return json.Unmarshal(v, &got) == nil && len(got.Boxes) > 0 && got.Boxes[0].Dir == "LR"
	}); err != nil {
		t.Fatalf("back at 1280 px the picture is not redrawn left to right: %v", err)
	}

	// Ensure the back button returns to the deep link: follow the
	// outlet's link in the page, then go back.
	t.Run("Back", func(t *testing.T) {
		page.mustClick(t, ctx, `#hop-detail a[href^="/outlets/"]`)
		explorerWaitText(t, ctx, page, "#main", "Rating history")
		var path string
		explorerEval(t, ctx, page, `location.pathname`, &path)
		if !strings.HasPrefix(path, "/outlets/") {
			t.Fatalf("after the outlet link, path = %q", path)
		}
		// The outlet page draws its rating chart and carries the claim.
		explorerWaitText(t, ctx, page, "#main", "Claims it carries")
		if n := explorerCount(t, ctx, page, "svg.rating-chart circle"); n < 1 {
			t.Errorf("outlet page's rating chart has %d points", n)
		}
		name := filepath.Join(shots, "explorer-outlet-1280.png")
		if err := os.WriteFile(name, explorerScreenshot(t, ctx, page), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", name)
		explorerAxe(t, ctx, page)
		explorerEval(t, ctx, page, `history.back(), true`, nil)
		explorerWaitPicture(t, ctx, page)
		explorerEval(t, ctx, page, `location.pathname`, &path)
		if want := "/claims/" + url.PathEscape(fixtures.SeedClaim); path != want {
			t.Errorf("after back, path = %q, want %q", path, want)
		}
	})

	// Ensure an official's page and the claims index pass axe too.
	t.Run("Pages", func(t *testing.T) {
		explorerFollow(t, ctx, page, "/officials/"+url.PathEscape(originID))
		explorerWaitText(t, ctx, page, "#main", "Claims attributed")
		if text := explorerText(t, ctx, page, "#main"); !strings.Contains(text, originName) || !strings.Contains(text, hops[len(hops)-1].outlet) {
			t.Errorf("official's page lacks its name or the outlet relaying it:\n%s", browserClip(text, 2000))
		}
		explorerAxe(t, ctx, page)
		page.mustClick(t, ctx, `nav a[href="/"]`)
		explorerWaitText(t, ctx, page, "#main", "independent origin")
		if n := explorerCount(t, ctx, page, `.claim-index a[href^="/claims/"]`); n < 10 {
			t.Errorf("claims index lists %d claims", n)
		}
		explorerAxe(t, ctx, page)
	})

	// Ensure search finds the headline claim as one types, and the review
	// page passes axe too.
	t.Run("Search", func(t *testing.T) {
		explorerEval(t, ctx, page, `(() => { const i = document.getElementById("search"); i.focus(); i.value = ""; return true; })()`, nil)
		if err := b.call(ctx, page.session, "Input.insertText", map[string]any{"text": "negotiators"}, nil); err != nil {
			t.Fatal(err)
		}
		explorerWaitText(t, ctx, page, "#search-results", "US negotiators have made clear")
		explorerKey(t, ctx, page, "ArrowDown", 40)
		var focused string
		explorerEval(t, ctx, page, `document.activeElement.getAttribute("href") || ""`, &focused)
		if !strings.HasPrefix(focused, "/claims/") {
			t.Errorf("ArrowDown from the search box focused %q, want a claim link", focused)
		}
		explorerEval(t, ctx, page, `document.querySelector('nav a[href="/review"]').click(), true`, nil)
		explorerWaitText(t, ctx, page, "#main", "Article text")
		explorerAxe(t, ctx, page)
	})

	// Ensure the review page shows what extract proposes, highlighted in
	// the text, and imports only the accepted claims, with an edited
	// source, with the token kept out of the tab's storage.
	t.Run("Review", func(t *testing.T) {
		const article = `Keir Starmer said on Friday that "the coalition is ready". ` +
			`According to The Telegraph, US officials said they would back the force.`
		explorerType(t, ctx, page, "#review-text", article)
		explorerType(t, ctx, page, "#review-outlet", "outlet:euromaidanpress")
		explorerType(t, ctx, page, "#review-published", "2025-04-26")
		page.mustClick(t, ctx, "#review-extract")
		explorerWaitText(t, ctx, page, "#review-out", "Proposed:")
		var marks map[string][]string
		explorerEval(t, ctx, page, `(() => {
			const out = {};
			for (const c of ["hl-cue", "hl-source", "hl-content"])
				out[c] = Array.from(document.querySelectorAll("#review-article mark." + c)).map(m => m.textContent);
			return out;
		})()`, &marks)
		for c, want := range map[string]string{"hl-cue": "According to", "hl-source": "Keir Starmer", "hl-content": "the coalition is ready"} {
			if !slices.ContainsFunc(marks[c], func(m string) bool { return strings.Contains(m, want) }) {
				t.Errorf("no %s mark holds %q: %q", c, want, marks[c])
			}
		}
		var cards []struct {
			ID      string   `json:"id"`
			Text    string   `json:"text"`
			Sources []string `json:"sources"`
		}
		explorerEval(t, ctx, page, `Array.from(document.querySelectorAll(".cards .card")).map(c => ({
			id: c.getAttribute("data-claim"), text: c.querySelector(".card-text").textContent,
			sources: Array.from(c.querySelectorAll("input.source-input")).map(i => i.id + "=" + i.value)}))`, &cards)
		if len(cards) != 2 {
			t.Fatalf("review shows %d proposed claims, want 2: %+v", len(cards), cards)
		}
		var rejected, kept, edit string
		for _, c := range cards {
			if strings.Contains(c.Text, "coalition is ready") {
				rejected = c.ID
				continue
			}
			kept = c.ID
			for _, src := range c.Sources {
				if id, v, _ := strings.Cut(src, "="); v == "official:us-officials-unnamed" {
					edit = id
				}
			}
		}
		if rejected == "" || kept == "" || edit == "" {
			t.Fatalf("proposed claims are not the two expected: %+v", cards)
		}
		page.mustClick(t, ctx, `.card[data-claim="`+rejected+`"] button.reject`)
		explorerEval(t, ctx, page, `document.getElementById(`+browserJS(edit)+`).select(), true`, nil)
		explorerType(t, ctx, page, "#"+edit, "official:us-negotiators-unnamed")
		explorerType(t, ctx, page, "#write-token", testToken)
		page.mustClick(t, ctx, "#review-import")
		explorerWaitText(t, ctx, page, "#import-status", "Imported 1 claims")

		var d struct {
			Kept struct {
				Appearances []struct {
					Report       struct{ ID string } `json:"report"`
					Attributions []struct {
						Source struct{ ID string } `json:"source"`
					} `json:"attributions"`
				} `json:"appearances"`
			} `json:"kept"`
			Rejected *struct{ ID string } `json:"rejected"`
		}
		srv.Query(t, `query($k: ID!, $r: ID!) {
			kept: claim(id: $k) { appearances { report { id } attributions { source { ... on Official { id } ... on Report { id } } } } }
			rejected: claim(id: $r) { id }
		}`, map[string]any{"k": kept, "r": rejected}).MustData(t, &d)
		if d.Rejected != nil {
			t.Errorf("the rejected claim %s was imported", rejected)
		}
		var sources []string
		for _, a := range d.Kept.Appearances {
			for _, at := range a.Attributions {
				sources = append(sources, at.Source.ID)
			}
		}
		if !slices.Contains(sources, "official:us-negotiators-unnamed") || slices.Contains(sources, "official:us-officials-unnamed") {
			t.Errorf("imported %s is attributed to %q, want the edited source official:us-negotiators-unnamed", kept, sources)
		}
		shot := explorerScreenshot(t, ctx, page)
		name := filepath.Join(shots, "explorer-review-1280.png")
		if err := os.WriteFile(name, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", name)
		var stored string
		explorerEval(t, ctx, page, `JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie`, &stored)
		if strings.Contains(stored, testToken) {
			t.Errorf("the write token is in the tab's storage: %s", stored)
		}
		explorerAxe(t, ctx, page)
	})

	// Ensure chains that share hops share boxes: six outlets citing one
	// report of The Telegraph draw as six boxes with an arrow each into
	// one Telegraph box, and one origin ("six outlets, one origin").
	t.Run("Echo", func(t *testing.T) {
		last := hops[len(hops)-1].report
		type rec = map[string]any
		ds := rec{"format": "hearsay/v1", "outlets": []rec{}, "officials": []rec{}, "reports": []rec{}}
		apps := []rec{{"report": last, "mode": "PARAPHRASE", "attributedTo": []rec{{"source": originID, "mode": "PARAPHRASE"}}}}
		for i, g := range []string{"A", "B", "C", "D", "E", "F"} {
			o, r := fmt.Sprintf("outlet:echo-%d", i), fmt.Sprintf("report:echo-%d", i)
			ds["outlets"] = append(ds["outlets"].([]rec), rec{"id": o, "name": "Echo outlet " + g, "ratings": []rec{{"rating": g, "ratedAt": "2025-01-01"}}})
			ds["reports"] = append(ds["reports"].([]rec), rec{"id": r, "outlet": o, "published": "2025-04-26", "cites": []string{last}})
			apps = append(apps, rec{"report": r, "mode": "PARAPHRASE", "hedge": "reportedly",
				"attributedTo": []rec{{"source": last, "mode": "CITES_REPORT"}}})
		}
		ds["claims"] = []rec{{"id": "claim:explorer-echo", "text": "An echo: six outlets, one origin.", "appearances": apps}}
		data, err := json.Marshal(ds)
		if err != nil {
			t.Fatal(err)
		}
		srv.Mutate(t, `mutation($d: String!) { importDataset(data: $d) { claims } }`, map[string]any{"d": string(data)}).MustData(t, nil)
		explorerFollow(t, ctx, page, "/claims/claim:explorer-echo")
		var boxes []explorerBox
		var arrows []string
		if err := page.poll(ctx, explorerBoxesJS, func(v json.RawMessage) bool {
			var got struct {
				Boxes  []explorerBox
				Arrows []string
			}
			if json.Unmarshal(v, &got) != nil {
				return false
			}
			boxes, arrows = got.Boxes, got.Arrows
			return slices.ContainsFunc(boxes, func(b explorerBox) bool { return b.ID == "report:echo-5" })
		}); err != nil {
			t.Fatalf("the echo's picture was never drawn: %v", err)
		}
		into := 0
		for _, a := range arrows {
			if strings.HasSuffix(a, " -> "+last) {
				into++
			}
		}
		if len(boxes) != 8 || into != 6 || !slices.Contains(arrows, last+" -> "+originID) {
			t.Errorf("echo drawn as %d boxes with %d arrows into %s, want 8 and 6, and one arrow on to %s: %q",
				len(boxes), into, last, originID, arrows)
		}
		name := filepath.Join(shots, "explorer-echo-1280.png")
		if err := os.WriteFile(name, explorerScreenshot(t, ctx, page), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", name)
	})

	// Ensure a retracted report and a circular chain are marked on the
	// picture: the first report is retracted, and the last one made to
	// cite it back.
	t.Run("Flags", func(t *testing.T) {
		first, last := hops[0].report, hops[len(hops)-1].report
		srv.Mutate(t, `mutation($r: ID!) { updateReport(id: $r, input: {status: RETRACTED}) { id } }`,
			map[string]any{"r": first}).MustData(t, nil)
		// Published before the report it cites: a temporal anomaly.
		srv.Mutate(t, `mutation($r: ID!) { updateReport(id: $r, input: {published: "2025-04-01"}) { id } }`,
			map[string]any{"r": first}).MustData(t, nil)
		srv.Mutate(t, `mutation($c: ID!, $r: ID!, $s: ID!) { addAttribution(claim: $c, report: $r, input: {source: $s, mode: CITES_REPORT}) { id } }`,
			map[string]any{"c": fixtures.SeedClaim, "r": last, "s": first}).MustData(t, nil)
		explorerFollow(t, ctx, page, "/claims/"+url.PathEscape(fixtures.SeedClaim))
		var boxes []explorerBox
		if err := page.poll(ctx, explorerBoxesJS, func(v json.RawMessage) bool {
			var got struct{ Boxes []explorerBox }
			if json.Unmarshal(v, &got) != nil {
				return false
			}
			boxes = got.Boxes
			for _, bx := range boxes {
				if bx.ID == first && strings.Contains(bx.Label, "RETRACTED") {
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatalf("the retracted report's box is not marked RETRACTED: %v; boxes: %+v", err, boxes)
		}
		circular := false
		for _, bx := range boxes {
			circular = circular || strings.Contains(bx.Label, "CIRCULAR")
		}
		if !circular {
			t.Errorf("no box is marked CIRCULAR: %+v", boxes)
		}
		if text := explorerText(t, ctx, page, ".chain-list"); !strings.Contains(text, "CIRCULAR") || !strings.Contains(text, "RETRACTED") ||
			!strings.Contains(text, "TEMPORAL_ANOMALY") {
			t.Errorf("the chains as text lack CIRCULAR, RETRACTED or TEMPORAL_ANOMALY:\n%s", text)
		}
		var anomalies []string
		explorerEval(t, ctx, page, `Array.from(document.querySelectorAll("#chain-picture path.edge.anomaly")).map(p => p.getAttribute("data-from") + " -> " + p.getAttribute("data-to"))`, &anomalies)
		if want := first + " -> " + last; !slices.Contains(anomalies, want) {
			t.Errorf("arrows marked TEMPORAL_ANOMALY: %q, want %q among them", anomalies, want)
		}
		png := explorerScreenshot(t, ctx, page)
		name := filepath.Join(shots, "explorer-flags-1280.png")
		if err := os.WriteFile(name, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", name)
	})

	// Ensure every request of the page went to the server itself.
	t.Run("SameOrigin", func(t *testing.T) {
		host := strings.TrimPrefix(srv.URL, "http://")
		reqs := page.requests()
		if len(reqs) < 3 {
			t.Errorf("page made %d requests; the network log is not being read", len(reqs))
		}
		for _, u := range reqs {
			if p, err := url.Parse(u); err != nil || !browserSameHost(p, host) {
				t.Errorf("page requested %s; want requests to %s only", browserClip(u, 200), host)
			}
		}
		for _, msg := range page.blocked() {
			t.Errorf("page broke its security policy: %s", msg)
		}
	})
}

// TestExplorer_Live checks that a mutation made while a claim's page is
// open shows up on it without a reload, through the claimChanged
// subscription (GraphQL over SSE, issue 13's second part). It fails on a
// server without subscriptions: the page then says "Live updates off".
func TestExplorer_Live(t *testing.T) {
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	bin := browserFindChromium(t)
	srv := MustServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	b := browserStart(t, ctx, bin)
	page := b.mustOpenPage(t, ctx, srv.URL+"/claims/"+url.PathEscape(fixtures.SeedClaim))
	explorerWaitPicture(t, ctx, page)
	// A mark that a reload would lose.
	explorerEval(t, ctx, page, `window.hearsayNoReload = 1, true`, nil)
	var live string
	if err := page.poll(ctx, `document.getElementById("live").textContent`, func(v json.RawMessage) bool {
		return json.Unmarshal(v, &live) == nil && (live == "Live" || strings.HasPrefix(live, "Live updates off"))
	}); err != nil || live != "Live" {
		t.Fatalf("the page's subscription did not go live: %q (%v)", live, err)
	}
	title := fmt.Sprintf("Explorer live check %d", time.Now().UnixNano())
	srv.Mutate(t, `mutation($id: ID!, $t: String!) { addReview(claim: $id, input: {verdict: UNPROVEN, reviewedBy: "hearsay tests", title: $t}) { id } }`,
		map[string]any{"id": fixtures.SeedClaim, "t": title}).MustData(t, nil)
	explorerWaitText(t, ctx, page, "#main", title)
	var mark int
	explorerEval(t, ctx, page, `window.hearsayNoReload || 0`, &mark)
	if mark != 1 {
		t.Errorf("the page reloaded to show the review")
	}
}

// explorerShotDir returns where screenshots go.
func explorerShotDir(t *testing.T) string {
	if d := os.Getenv(explorerShotEnv); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// explorerWaitPicture waits for the chain picture and returns its boxes
// and arrows.
func explorerWaitPicture(t *testing.T, ctx context.Context, page *browserPage) ([]explorerBox, []string) {
	t.Helper()
	var got struct {
		Boxes  []explorerBox `json:"boxes"`
		Arrows []string      `json:"arrows"`
	}
	if err := page.poll(ctx, explorerBoxesJS, func(v json.RawMessage) bool {
		return json.Unmarshal(v, &got) == nil && len(got.Boxes) > 0
	}); err != nil {
		t.Fatalf("the chain picture was never drawn: %v\npage:\n%s", err, browserClip(explorerText(t, ctx, page, "body"), 2000))
	}
	return got.Boxes, got.Arrows
}

// explorerEval evaluates expr and decodes its value into v, if not nil.
func explorerEval(t *testing.T, ctx context.Context, page *browserPage, expr string, v any) {
	t.Helper()
	raw, err := page.eval(ctx, expr)
	if err != nil {
		t.Fatalf("evaluate %s: %v", browserClip(expr, 120), err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("evaluate %s: %v (%s)", browserClip(expr, 120), err, raw)
		}
	}
}

// explorerText returns the innerText of the element matching selector.
func explorerText(t *testing.T, ctx context.Context, page *browserPage, selector string) string {
	t.Helper()
	var s string
	raw, err := page.eval(ctx, `(document.querySelector(`+browserJS(selector)+`) || {}).innerText || ""`)
	if err == nil {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// explorerWaitText waits until the element matching selector holds want,
// and returns its text.
func explorerWaitText(t *testing.T, ctx context.Context, page *browserPage, selector, want string) string {
	t.Helper()
	var s string
	if err := page.poll(ctx, `(document.querySelector(`+browserJS(selector)+`) || {}).innerText || ""`, func(v json.RawMessage) bool {
		return json.Unmarshal(v, &s) == nil && strings.Contains(s, want)
	}); err != nil {
		t.Fatalf("%s never held %q: %v\nit holds:\n%s", selector, want, err, browserClip(s, 2000))
	}
	return s
}

// explorerCount returns how many elements match selector.
func explorerCount(t *testing.T, ctx context.Context, page *browserPage, selector string) int {
	t.Helper()
	var n int
	explorerEval(t, ctx, page, `document.querySelectorAll(`+browserJS(selector)+`).length`, &n)
	return n
}

// explorerKey presses key (with its Windows key code) in the page.
func explorerKey(t *testing.T, ctx context.Context, page *browserPage, key string, code int) {
	t.Helper()
	for _, typ := range []string{"rawKeyDown", "keyUp"} {
		ev := map[string]any{"type": typ, "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
		if err := page.b.call(ctx, page.session, "Input.dispatchKeyEvent", ev, nil); err != nil {
			t.Fatalf("press %s: %v", key, err)
		}
	}
}

// explorerFollow follows an in-page link to path, as clicking a link in
// the page would (the explorer's router, not a page load).
func explorerFollow(t *testing.T, ctx context.Context, page *browserPage, path string) {
	t.Helper()
	explorerEval(t, ctx, page, `(() => {
		const a = document.createElement("a");
		a.href = `+browserJS(path)+`;
		a.textContent = "follow";
		document.body.append(a);
		a.click();
		a.remove();
		return true;
	})()`, nil)
}

// explorerType focuses the element matching selector and types text
// into it, as a user would (input events included).
func explorerType(t *testing.T, ctx context.Context, page *browserPage, selector, text string) {
	t.Helper()
	var ok bool
	explorerEval(t, ctx, page, `(() => { const el = document.querySelector(`+browserJS(selector)+`); if (!el) return false; el.focus(); return true; })()`, &ok)
	if !ok {
		t.Fatalf("no element %s to type into", selector)
	}
	if err := page.b.call(ctx, page.session, "Input.insertText", map[string]any{"text": text}, nil); err != nil {
		t.Fatalf("type into %s: %v", selector, err)
	}
}

// explorerViewport sets the page's viewport to width × height CSS pixels.
func explorerViewport(t *testing.T, ctx context.Context, page *browserPage, width, height int) {
	t.Helper()
	if err := page.b.call(ctx, page.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
	}, nil); err != nil {
		t.Fatal(err)
	}
	var w int
	if err := page.poll(ctx, `window.innerWidth`, func(v json.RawMessage) bool {
		return json.Unmarshal(v, &w) == nil && w == width
	}); err != nil {
		t.Fatalf("viewport stayed %d px wide, want %d: %v", w, width, err)
	}
}

// explorerScreenshot returns a PNG of the whole page.
func explorerScreenshot(t *testing.T, ctx context.Context, page *browserPage) []byte {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	if err := page.b.call(ctx, page.session, "Page.captureScreenshot",
		map[string]any{"format": "png", "captureBeyondViewport": true}, &shot); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
		t.Fatalf("screenshot is no PNG: %v", err)
	}
	return b
}

// explorerAxe runs axe-core in the page, injected through DevTools (the
// server never serves it), and fails on a serious or critical violation.
func explorerAxe(t *testing.T, ctx context.Context, page *browserPage) {
	t.Helper()
	src, err := os.ReadFile("explorer/testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.eval(ctx, string(src)+"\n;true"); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	var res struct {
		Version    string `json:"version"`
		Passes     int    `json:"passes"`
		Violations []struct {
			ID      string   `json:"id"`
			Impact  string   `json:"impact"`
			Help    string   `json:"help"`
			Targets []string `json:"targets"`
		} `json:"violations"`
	}
	explorerEval(t, ctx, page, `axe.run(document).then(r => ({
		version: axe.version, passes: r.passes.length,
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))}))}))`, &res)
	if res.Passes == 0 {
		t.Errorf("axe-core %s passed no rule: it did not run", res.Version)
	}
	var path string
	explorerEval(t, ctx, page, `location.pathname`, &path)
	for _, v := range res.Violations {
		msg := fmt.Sprintf("axe-core %s on %s: %s (%s): %s at %q", res.Version, path, v.ID, v.Impact, v.Help, v.Targets)
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// explorerReportURL asks the server for a report's URL.
func explorerReportURL(t *testing.T, srv *Server, id string) string {
	t.Helper()
	var d struct {
		Report struct {
			URL string `json:"url"`
		} `json:"report"`
	}
	srv.Query(t, `query($id: ID!) { report(id: $id) { url } }`, map[string]any{"id": id}).MustData(t, &d)
	if d.Report.URL == "" {
		t.Fatalf("report %s has no URL", id)
	}
	return d.Report.URL
}
