// main.ts: the explorer's router and pages. Routes are real paths
// (/claims/<id>, /outlets/<id>, /officials/<id>, /review); links are
// ordinary <a href>s that the router takes over with the history API, so
// the back button, new tabs and deep links all work.
import { h, clear, Child } from './dom';
import { query, subscribe } from './gql';
import { Chain, Hop, draw, legend, summary, GRADE_MEANING, MODE_LABEL } from './chain';
import { ratingChart } from './chart';
import { reviewPage } from './review';

const main = document.getElementById('main') as HTMLElement;
const liveEl = document.getElementById('live') as HTMLElement;
let leave: (() => void) | null = null; // ends the current page's subscription

// ---- routing

export function go(path: string) {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  route();
}

function route() {
  if (leave) {
    leave();
    leave = null;
  }
  setLive('', '');
  closeResults();
  const p = location.pathname;
  let m: RegExpMatchArray | null;
  if ((m = p.match(/^\/claims\/(.+)$/))) claimPage(decodeURIComponent(m[1]));
  else if ((m = p.match(/^\/outlets\/(.+)$/))) outletPage(decodeURIComponent(m[1]));
  else if ((m = p.match(/^\/officials\/(.+)$/))) officialPage(decodeURIComponent(m[1]));
  else if (p === '/review') show('Review extracted attributions', reviewPage());
  else homePage();
}

document.addEventListener('click', (ev) => {
  const a = (ev.target as Element).closest ? (ev.target as Element).closest('a') : null;
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || a.target || a.hasAttribute('data-external')) return;
  ev.preventDefault();
  go(href);
});
window.addEventListener('popstate', route);

// link returns an in-app link to a node's page.
export function link(node: { __typename?: string; id: string; name?: string; text?: string; title?: string } | null | undefined, text?: string): Child {
  if (!node) return '—';
  const id = node.id;
  const kind = id.split(':')[0];
  const label = text || node.name || node.text || node.title || id;
  const base = kind === 'claim' ? '/claims/' : kind === 'outlet' ? '/outlets/' : kind === 'official' ? '/officials/' : '';
  if (!base) return h('span', {}, label);
  return h('a', { href: base + encodeURIComponent(id) }, label);
}

function show(title: string, ...content: Child[]) {
  document.title = title + ' · hearsay';
  clear(main);
  main.append(h('h1', { id: 'page-title', tabindex: -1 }, title));
  for (const c of content) if (c) main.append(c);
  (document.getElementById('page-title') as HTMLElement).focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function loading(title: string) {
  show(title, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
}

function failed(title: string, err: unknown) {
  show(title, h('p', { class: 'error', role: 'alert' }, 'Could not load: ' + (err instanceof Error ? err.message : String(err))));
}

function setLive(state: string, text: string) {
  liveEl.className = 'live ' + state;
  liveEl.textContent = text;
}

// ---- search, in the header, as you type

const searchInput = document.getElementById('search') as HTMLInputElement;
const results = document.getElementById('search-results') as HTMLElement;
let searchSeq = 0;
let searchTimer = 0;

const SEARCH = `query Search($q: String!) {
  claims(filter: {search: $q}, first: 8) { totalCount edges { node { id text } } }
  similarClaims(text: $q, first: 5) { score claim { id text } }
}`;

searchInput.addEventListener('input', () => {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(runSearch, 150);
});
searchInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowDown') {
    const first = results.querySelector('a') as HTMLElement | null;
    if (first) {
      ev.preventDefault();
      first.focus();
    }
  } else if (ev.key === 'Escape') closeResults();
});
results.addEventListener('keydown', (ev) => {
  const links = Array.from(results.querySelectorAll('a')) as HTMLElement[];
  const i = links.indexOf(document.activeElement as HTMLElement);
  if (ev.key === 'ArrowDown' && i >= 0 && i < links.length - 1) {
    ev.preventDefault();
    links[i + 1].focus();
  } else if (ev.key === 'ArrowUp') {
    ev.preventDefault();
    if (i > 0) links[i - 1].focus();
    else searchInput.focus();
  } else if (ev.key === 'Escape') {
    closeResults();
    searchInput.focus();
  }
});
results.addEventListener('click', (ev) => {
  if ((ev.target as Element).closest('a')) closeResults();
});

function closeResults() {
  clear(results);
  results.hidden = true;
  searchInput.setAttribute('aria-expanded', 'false');
}

async function runSearch() {
  const q = searchInput.value.trim();
  const seq = ++searchSeq;
  if (Array.from(q).length < 2) {
    closeResults();
    return;
  }
  try {
    const d = await query(SEARCH, { q });
    if (seq !== searchSeq) return; // a later keystroke won
    clear(results);
    const seen = new Set<string>();
    const items: HTMLElement[] = [];
    for (const e of d.claims.edges) {
      seen.add(e.node.id);
      items.push(h('li', {}, h('a', { href: '/claims/' + encodeURIComponent(e.node.id) }, e.node.text)));
    }
    const similar = (d.similarClaims || []).filter((m: any) => !seen.has(m.claim.id));
    if (similar.length) {
      items.push(h('li', { class: 'result-heading', 'aria-hidden': 'true' }, 'Similar claims'));
      for (const m of similar)
        items.push(h('li', {}, h('a', { href: '/claims/' + encodeURIComponent(m.claim.id) }, m.claim.text, h('span', { class: 'muted' }, ` · ${m.score.toFixed(2)}`))));
    }
    if (!items.length) items.push(h('li', { class: 'muted' }, 'No claim matches.'));
    results.append(h('p', { class: 'sr-only', role: 'status' }, `${d.claims.totalCount} claims match`), h('ul', {}, items));
    results.hidden = false;
    searchInput.setAttribute('aria-expanded', 'true');
  } catch (err) {
    if (seq !== searchSeq) return;
    clear(results);
    results.append(h('p', { class: 'error' }, 'Search failed: ' + (err as Error).message));
    results.hidden = false;
  }
}

// ---- home

async function homePage() {
  loading('Claims');
  try {
    const d = await query(`{ claims(first: 50) { totalCount edges { node { id text credibility { grade label } independentOrigins { min max } } } } }`);
    show('Claims',
      h('p', { class: 'lede' }, 'Every claim hearsay holds, traced hop by hop to where it came from. Search above, or open one:'),
      h('ul', { class: 'claim-index' },
        d.claims.edges.map((e: any) => h('li', {},
          link(e.node),
          h('span', { class: 'muted' }, ` · ${e.node.credibility.label} · ${range(e.node.independentOrigins)} independent origin${e.node.independentOrigins.max === 1 ? '' : 's'}`)))),
      d.claims.totalCount > 50 ? h('p', { class: 'muted' }, `${d.claims.totalCount - 50} more: use the search.`) : null,
    );
  } catch (err) {
    failed('Claims', err);
  }
}

function range(r: { min: number; max: number }): string {
  return r.min === r.max ? String(r.min) : `${r.min}–${r.max}`;
}

// ---- a claim

const SOURCE = `__typename ... on Official { id name anonymous reliability } ... on Outlet { id name reliability } ... on Report { id title }`;
const CLAIM = `query Claim($id: ID!) {
  claim(id: $id) {
    id text topics
    credibility { grade label why }
    independentOrigins { min max }
    origins { ${SOURCE} }
    reviews { title ratingText verdict reviewedBy reviewedAt url }
    firstAppearance { report { id title url published outlet { id name } } quote mode hedge }
    chains {
      terminal flags confidence limitedBy
      hops {
        report { id title url published status }
        outlet { id name }
        published mode hedge quote attributionQuote inferred temporalAnomaly reliabilityAtPublication
        to { ${SOURCE} }
      }
      origin { ${SOURCE} }
      weakestHop { report { id } }
    }
  }
}`;

const CLAIM_CHANGED = `subscription ClaimChanged($id: ID!) { claimChanged(id: $id) { __typename } }`;

async function claimPage(id: string) {
  loading('Claim');
  let d: any;
  try {
    d = await query(CLAIM, { id });
  } catch (err) {
    failed('Claim', err);
    return;
  }
  if (!d.claim) {
    show('Claim not found', h('p', {}, `No claim has the ID ${id}.`));
    return;
  }
  renderClaim(d.claim);
  // Live: refetch the claim when the server says it changed.
  let refetching = false;
  leave = subscribe(CLAIM_CHANGED, { id }, async () => {
    if (refetching) return;
    refetching = true;
    try {
      const again = await query(CLAIM, { id });
      if (location.pathname === '/claims/' + encodeURIComponent(id) || decodeURIComponent(location.pathname) === '/claims/' + id) {
        if (again.claim) renderClaim(again.claim, true);
        else show('Claim deleted', h('p', {}, `The claim ${id} was deleted.`));
        setLive('on', 'Live · updated ' + new Date().toLocaleTimeString());
      }
    } catch {
      /* keep what is shown */
    } finally {
      refetching = false;
    }
  }, (state, reason) => {
    if (state === 'live') setLive('on', 'Live');
    else if (state === 'off') setLive('off', 'Live updates off' + (reason ? ': ' + reason : ''));
    else setLive('', '');
  });
}

function renderClaim(c: any, update = false) {
  const detail = h('div', { id: 'hop-detail', class: 'hop-detail', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Select a box in the picture (click, or Tab then Enter) to read the quote as printed.'));
  const select = (hop: Hop) => {
    clear(detail);
    detail.append(hopDetail(hop));
    detail.focus();
  };
  detail.tabIndex = -1;
  const chains: Chain[] = c.chains;
  // Left to right; top to bottom on a narrow screen, redrawn when the
  // width crosses 600 px.
  const narrow = window.matchMedia('(max-width: 600px)');
  const picture = chains.length
    ? h('div', { class: 'picture', id: 'chain-picture' }, draw(chains, select, narrow.matches ? 'TB' : 'LR'))
    : h('p', { class: 'muted' }, 'No chain: the claim has no recorded appearance.');
  if (chains.length) {
    const redraw = () => {
      if (!picture.isConnected) {
        narrow.removeEventListener('change', redraw);
        return;
      }
      clear(picture);
      picture.append(draw(chains, select, narrow.matches ? 'TB' : 'LR'));
    };
    narrow.addEventListener('change', redraw);
  }
  const cred = c.credibility;
  const fa = c.firstAppearance;
  const content = [
    h('blockquote', { class: 'claim-text', id: 'claim-text' }, c.text),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Credibility'),
      h('dd', {}, h('span', { class: 'cred cred-' + cred.grade, id: 'credibility' }, `${cred.grade} · ${cred.label}`), h('p', { class: 'why' }, cred.why)),
      h('dt', {}, 'Independent origins'),
      h('dd', { id: 'independent-origins' }, `${range(c.independentOrigins)} `, h('span', { class: 'muted' }, `(min ${c.independentOrigins.min}, max ${c.independentOrigins.max})`),
        c.origins.length ? h('span', {}, ': ', ...join(c.origins.map((o: any) => link(o)), ', ')) : null),
      h('dt', {}, 'First appearance'),
      h('dd', {}, fa
        ? h('span', {}, link(fa.report.outlet), `, ${fa.report.published || 'undated'}, ${MODE_LABEL[fa.mode] || fa.mode}`, fa.hedge ? ` (“${fa.hedge}”)` : '',
          fa.report.url ? h('span', {}, ' · ', h('a', { href: fa.report.url, 'data-external': '', rel: 'noreferrer noopener', target: '_blank' }, 'report')) : null)
        : '—'),
      c.topics.length ? h('dt', {}, 'Topics') : null,
      c.topics.length ? h('dd', {}, c.topics.join(', ')) : null,
    ),
    h('h2', {}, `Chains (${chains.length})`),
    legend(),
    picture,
    detail,
    h('details', { class: 'chains-text', open: true }, h('summary', {}, 'The chains as text'), summary(chains)),
    h('h2', {}, `Reviews (${c.reviews.length})`),
    c.reviews.length
      ? h('ul', { class: 'reviews' }, c.reviews.map((r: any) => h('li', {},
          h('span', { class: 'verdict verdict-' + r.verdict }, r.verdict.replace(/_/g, ' ')), ' ',
          r.url ? h('a', { href: r.url, 'data-external': '', rel: 'noreferrer noopener', target: '_blank' }, r.title || r.url) : (r.title || ''),
          r.ratingText ? h('span', {}, ' · “' + r.ratingText + '”') : null,
          h('span', { class: 'muted' }, ` · ${r.reviewedBy}${r.reviewedAt ? ', ' + r.reviewedAt : ''}`))))
      : h('p', { class: 'muted' }, 'No fact-check review.'),
    h('h2', {}, 'Similar claims'),
    similar(c),
  ];
  if (update) {
    const y = window.scrollY;
    clear(main);
    main.append(h('h1', { id: 'page-title', tabindex: -1 }, 'Claim'), ...content);
    window.scrollTo(0, y);
  } else show('Claim', ...content);
  document.title = clipText(c.text, 60) + ' · hearsay';
}

// sameThreshold is graph.DefaultMatchThreshold.
const sameThreshold = 0.3;

function similar(c: any): HTMLElement {
  const box = h('div', { class: 'similar' }, h('p', { class: 'muted' }, 'Looking…'));
  query(`query Similar($t: String!) { similarClaims(text: $t, first: 6) { score claim { id text } } }`, { t: c.text })
    .then((d) => {
      clear(box);
      // A score is the ranker's probability that the claim states the
      // same thing; from sameThreshold (the server's default for import
      // notes) a claim may be a duplicate, below it only related.
      const others = d.similarClaims.filter((m: any) => m.claim.id !== c.id);
      const same = others.filter((m: any) => m.score >= sameThreshold);
      const related = others.filter((m: any) => m.score < sameThreshold);
      const pct = (m: any) => ` · ${Math.round(100 * m.score)} % likely the same`;
      if (!others.length) box.append(h('p', { class: 'muted' }, 'None.'));
      if (same.length) box.append(h('p', {}, 'May say the same:'),
        h('ul', {}, same.map((m: any) => h('li', {}, link(m.claim), h('span', { class: 'muted' }, pct(m))))));
      if (related.length) box.append(h('p', { class: 'muted' }, 'Related (sharing words, unlikely to say the same):'),
        h('ul', {}, related.map((m: any) => h('li', {}, link(m.claim)))));
    })
    .catch((err) => {
      clear(box);
      box.append(h('p', { class: 'muted' }, 'Similar claims unavailable: ' + err.message));
    });
  return box;
}

function hopDetail(hop: Hop): HTMLElement {
  return h('div', {},
    h('h3', {}, `${hop.outlet.name}, ${hop.published || hop.report.published || 'undated'}`),
    h('p', {}, h('span', { class: 'swatch grade-' + hop.reliabilityAtPublication }, hop.reliabilityAtPublication),
      ` reliability at publication (${GRADE_MEANING[hop.reliabilityAtPublication]}) · ${MODE_LABEL[hop.mode] || hop.mode}`,
      hop.hedge ? ` · hedge “${hop.hedge}”` : '', hop.inferred ? ' · inferred' : '', hop.temporalAnomaly ? ' · TEMPORAL_ANOMALY' : '',
      hop.report.status !== 'PUBLISHED' ? ` · ${hop.report.status}` : ''),
    hop.quote ? h('blockquote', { class: 'quote' }, hop.quote) : h('p', { class: 'muted' }, 'No quote recorded.'),
    hop.attributionQuote && hop.attributionQuote !== hop.quote ? h('p', {}, 'Attribution as printed: ', h('q', {}, hop.attributionQuote)) : null,
    h('p', {}, hop.report.title ? hop.report.title + ' · ' : '',
      hop.report.url ? h('a', { href: hop.report.url, 'data-external': '', rel: 'noreferrer noopener', target: '_blank', class: 'report-link' }, 'Open the report') : h('span', { class: 'muted' }, 'no URL recorded'),
      ' · ', link(hop.outlet, 'outlet page')),
  );
}

function join(items: Child[], sep: string): Child[] {
  const out: Child[] = [];
  items.forEach((x, i) => {
    if (i) out.push(sep);
    out.push(x);
  });
  return out;
}

function clipText(t: string, n: number): string {
  const cps = Array.from(t);
  return cps.length <= n ? t : cps.slice(0, n - 1).join('') + '…';
}

// ---- an outlet, an official

async function outletPage(id: string) {
  loading('Outlet');
  try {
    const d = await query(`query Outlet($id: ID!) { outlet(id: $id) {
      id name domain country language outletType reliability
      ratings { rating ratedBy ratedAt note }
      echo { appearances firstHand secondHand anonymousOrigin partial }
      reports(first: 50) { totalCount edges { node { id title url published status appearances { claim { id text } mode } } } }
    } }`, { id });
    const o = d.outlet;
    if (!o) return show('Outlet not found', h('p', {}, `No outlet has the ID ${id}.`));
    const claims = new Map<string, any>();
    for (const e of o.reports.edges) for (const a of e.node.appearances) claims.set(a.claim.id, a.claim);
    const e = o.echo;
    show(o.name,
      h('p', { class: 'lede' }, [o.outletType, o.country, o.language, o.domain].filter(Boolean).join(' · '),
        ' · reliability ', h('span', { class: 'swatch grade-' + o.reliability }, o.reliability), ' ' + GRADE_MEANING[o.reliability]),
      h('h2', {}, 'Rating history'), ratingChart(o.ratings),
      h('h2', {}, 'Echo'),
      h('dl', { class: 'facts echo' },
        h('dt', {}, 'Appearances'), h('dd', {}, String(e.appearances)),
        h('dt', {}, 'First hand'), h('dd', {}, String(e.firstHand)),
        h('dt', {}, 'Second hand (relayed)'), h('dd', {}, String(e.secondHand)),
        h('dt', {}, 'From anonymous origins'), h('dd', {}, String(e.anonymousOrigin) + (e.partial ? ' (partial: trace budget reached)' : ''))),
      h('h2', {}, `Claims it carries (${claims.size})`),
      claims.size ? h('ul', {}, Array.from(claims.values()).map((c) => h('li', {}, link(c)))) : h('p', { class: 'muted' }, 'None.'),
      h('h2', {}, `Reports (${o.reports.totalCount})`),
      h('ul', {}, o.reports.edges.map((r: any) => h('li', {}, r.node.title || r.node.id, h('span', { class: 'muted' }, ` · ${r.node.published || 'undated'}${r.node.status !== 'PUBLISHED' ? ' · ' + r.node.status : ''}`),
        r.node.url ? h('span', {}, ' · ', h('a', { href: r.node.url, 'data-external': '', rel: 'noreferrer noopener', target: '_blank' }, 'open')) : null))),
    );
  } catch (err) {
    failed('Outlet', err);
  }
}

async function officialPage(id: string) {
  loading('Official');
  try {
    const d = await query(`query Official($id: ID!) { official(id: $id) {
      id name form anonymous role affiliation country description reliability
      ratings { rating ratedBy ratedAt note }
      possiblySameAs { id name }
      attributions(first: 50) { totalCount edges { node { claim { id text } report { id outlet { id name } } mode quote inferred } } }
    } }`, { id });
    const o = d.official;
    if (!o) return show('Official not found', h('p', {}, `No official has the ID ${id}.`));
    const claims = new Map<string, any>();
    for (const e of o.attributions.edges) claims.set(e.node.claim.id, e.node.claim);
    const viaOutlets = new Set(o.attributions.edges.map((e: any) => e.node.report.outlet.id));
    show(o.name,
      h('p', { class: 'lede' }, [o.form.toLowerCase(), o.anonymous ? 'anonymous' : '', o.role, o.affiliation, o.country].filter(Boolean).join(' · '),
        ' · reliability ', h('span', { class: 'swatch grade-' + o.reliability }, o.reliability), ' ' + GRADE_MEANING[o.reliability]),
      o.description ? h('p', {}, o.description) : null,
      o.possiblySameAs.length ? h('p', {}, 'Possibly the same as: ', ...join(o.possiblySameAs.map((x: any) => link(x)), ', ')) : null,
      h('h2', {}, 'Rating history'), ratingChart(o.ratings),
      h('h2', {}, 'Echo'),
      h('dl', { class: 'facts echo' },
        h('dt', {}, 'Attributions'), h('dd', {}, String(o.attributions.totalCount)),
        h('dt', {}, 'Claims'), h('dd', {}, String(claims.size)),
        h('dt', {}, 'Outlets relaying'), h('dd', {}, String(viaOutlets.size))),
      h('h2', {}, `Claims attributed (${claims.size})`),
      h('ul', {}, o.attributions.edges.map((e: any) => h('li', {}, link(e.node.claim),
        h('span', { class: 'muted' }, ` · via ${e.node.report.outlet.name}, ${MODE_LABEL[e.node.mode] || e.node.mode}${e.node.inferred ? ', inferred' : ''}`)))),
    );
  } catch (err) {
    failed('Official', err);
  }
}

route();
