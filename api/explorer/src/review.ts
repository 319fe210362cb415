// review.ts: paste an article, see what the extract query proposes
// highlighted in its text, accept or reject each proposed claim, edit a
// source, and import the accepted ones with importDataset. The write token
// is asked once and kept in this module's memory only (never in
// localStorage, sessionStorage or a cookie): a reload forgets it.
import { h, clear } from './dom';
import { query } from './gql';

let writeToken = '';

const EXTRACT = `query Extract($text: String!, $outlet: ID, $published: String, $url: String, $title: String) {
  extract(text: $text, outlet: $outlet, published: $published, url: $url, title: $title) {
    quotes { cue { start end text } sources { start end text } contents { start end text } confidence }
    review { record path spans { start end } confidence note }
    document
  }
}`;

const IMPORT = `mutation Import($data: String!) {
  importDataset(data: $data) { nodes edges claims reports outlets officials }
}`;

interface Span { start: number; end: number; text?: string }

export function reviewPage(): HTMLElement {
  const text = h('textarea', { id: 'review-text', rows: 10, required: true, maxlength: 131072, 'aria-describedby': 'review-help' }) as HTMLTextAreaElement;
  const outlet = h('input', { id: 'review-outlet', type: 'text', placeholder: 'outlet:telegraph', autocomplete: 'off' }) as HTMLInputElement;
  const published = h('input', { id: 'review-published', type: 'text', placeholder: '2025-04-26', autocomplete: 'off' }) as HTMLInputElement;
  const url = h('input', { id: 'review-url', type: 'url', autocomplete: 'off' }) as HTMLInputElement;
  const title = h('input', { id: 'review-title', type: 'text', autocomplete: 'off' }) as HTMLInputElement;
  const out = h('div', { id: 'review-out', 'aria-live': 'polite' });
  const form = h('form', { class: 'review-form' },
    h('p', { id: 'review-help', class: 'muted' }, 'Paste an article’s text. hearsay proposes who said what; nothing is written until you import.'),
    h('label', { for: 'review-text' }, 'Article text'), text,
    h('div', { class: 'row' },
      h('span', {}, h('label', { for: 'review-outlet' }, 'Outlet ID'), outlet),
      h('span', {}, h('label', { for: 'review-published' }, 'Published'), published)),
    h('div', { class: 'row' },
      h('span', {}, h('label', { for: 'review-url' }, 'URL'), url),
      h('span', {}, h('label', { for: 'review-title' }, 'Title'), title)),
    h('button', { type: 'submit', id: 'review-extract' }, 'Extract attributions'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    out.append(h('p', { class: 'muted', role: 'status' }, 'Extracting…'));
    try {
      const vars: Record<string, unknown> = { text: text.value };
      if (outlet.value.trim()) vars.outlet = outlet.value.trim();
      if (published.value.trim()) vars.published = published.value.trim();
      if (url.value.trim()) vars.url = url.value.trim();
      if (title.value.trim()) vars.title = title.value.trim();
      const d = await query(EXTRACT, vars);
      clear(out);
      out.append(proposal(text.value, d.extract));
    } catch (err) {
      clear(out);
      out.append(h('p', { class: 'error', role: 'alert' }, 'Extract failed: ' + (err as Error).message));
    }
  });
  return h('div', { class: 'review' }, form, out);
}

// proposal shows the text with the quotes highlighted and one card per
// proposed claim.
function proposal(text: string, x: any): HTMLElement {
  const doc = JSON.parse(x.document);
  const claims: any[] = doc.claims || [];
  const cps = Array.from(text); // offsets are in code points
  const marks: { s: Span; cls: string }[] = [];
  for (const q of x.quotes) {
    marks.push({ s: q.cue, cls: 'hl-cue' });
    for (const sp of q.sources) marks.push({ s: sp, cls: 'hl-source' });
    for (const sp of q.contents) marks.push({ s: sp, cls: 'hl-content' });
  }
  const article = h('div', { class: 'article', id: 'review-article' }, highlight(cps, marks));
  const accepted = new Map<string, boolean>(claims.map((c) => [c.id, true]));
  const cards = claims.map((c) => claimCard(c, x.review, accepted, cps, article, marks));
  const status = h('p', { role: 'status', id: 'import-status' });
  const token = h('input', { id: 'write-token', type: 'password', autocomplete: 'off', value: writeToken }) as HTMLInputElement;
  const importBtn = h('button', { type: 'button', id: 'review-import' }, 'Import accepted claims') as HTMLButtonElement;
  importBtn.addEventListener('click', async () => {
    if (!writeToken) writeToken = token.value.trim();
    if (!writeToken) {
      status.textContent = 'Enter the write token first.';
      token.focus();
      return;
    }
    const data = { ...doc, claims: claims.filter((c) => accepted.get(c.id)) };
    if (!data.claims.length) {
      status.textContent = 'No claim accepted: nothing to import.';
      return;
    }
    status.textContent = 'Importing…';
    try {
      const r = await query(IMPORT, { data: JSON.stringify(data) }, writeToken);
      const n = r.importDataset;
      status.textContent = `Imported ${n.claims} claims, ${n.reports} reports, ${n.outlets} outlets, ${n.officials} officials (${n.nodes} nodes, ${n.edges} edges).`;
    } catch (err) {
      const msg = (err as Error).message;
      if (/UNAUTHENTICATED|FORBIDDEN|token/i.test(msg)) writeToken = ''; // ask again
      status.textContent = 'Import failed: ' + msg;
    }
  });
  return h('div', {},
    h('h2', {}, `Proposed: ${claims.length} claim${claims.length === 1 ? '' : 's'} from ${x.quotes.length} attribution${x.quotes.length === 1 ? '' : 's'}`),
    h('p', { class: 'legend-inline' }, h('mark', { class: 'hl-cue' }, 'cue'), ' ', h('mark', { class: 'hl-source' }, 'source'), ' ', h('mark', { class: 'hl-content' }, 'content')),
    article,
    h('ol', { class: 'cards' }, cards),
    h('div', { class: 'row import' },
      writeToken ? null : h('span', {}, h('label', { for: 'write-token' }, 'Write token (kept in this tab’s memory only)'), token),
      importBtn),
    status,
  );
}

function highlight(cps: string[], marks: { s: Span; cls: string }[], focus?: Set<string>): (Node | string)[] {
  // Each code point takes the class of the narrowest mark over it.
  const cls: string[] = new Array(cps.length).fill('');
  const width: number[] = new Array(cps.length).fill(Infinity);
  for (const m of marks) {
    for (let i = Math.max(0, m.s.start); i < Math.min(cps.length, m.s.end); i++) {
      if (m.s.end - m.s.start < width[i]) {
        width[i] = m.s.end - m.s.start;
        cls[i] = m.cls;
      }
    }
  }
  const out: (Node | string)[] = [];
  let i = 0;
  while (i < cps.length) {
    let j = i;
    const f = focus ? focus.has(String(i)) : false;
    while (j < cps.length && cls[j] === cls[i] && (focus ? focus.has(String(j)) : false) === f) j++;
    const t = cps.slice(i, j).join('');
    out.push(cls[i] ? h('mark', { class: cls[i] + (f ? ' focus' : '') }, t) : f ? h('mark', { class: 'focus' }, t) : t);
    i = j;
  }
  return out;
}

function claimCard(c: any, notes: any[], accepted: Map<string, boolean>, cps: string[], article: HTMLElement, marks: { s: Span; cls: string }[]): HTMLElement {
  const mine = notes.filter((n) => n.record === c.id);
  const spans: Span[] = mine.flatMap((n) => n.spans);
  const conf = mine.length ? Math.min(...mine.map((n) => n.confidence)) : 0;
  const card = h('li', { class: 'card accepted', 'data-claim': c.id });
  const state = h('span', { class: 'state' }, 'accepted');
  const set = (v: boolean) => {
    accepted.set(c.id, v);
    card.className = 'card ' + (v ? 'accepted' : 'rejected');
    state.textContent = v ? 'accepted' : 'rejected';
    acc.setAttribute('aria-pressed', String(v));
    rej.setAttribute('aria-pressed', String(!v));
  };
  const acc = h('button', { type: 'button', class: 'accept', 'aria-pressed': 'true' }, 'Accept');
  const rej = h('button', { type: 'button', class: 'reject', 'aria-pressed': 'false' }, 'Reject');
  acc.addEventListener('click', () => set(true));
  rej.addEventListener('click', () => set(false));
  const show = h('button', { type: 'button', class: 'show' }, 'Show in text');
  show.addEventListener('click', () => {
    const focus = new Set<string>();
    for (const sp of spans) for (let i = sp.start; i < sp.end; i++) focus.add(String(i));
    clear(article);
    article.append(...highlight(cps, marks, focus));
    const first = article.querySelector('mark.focus');
    if (first) first.scrollIntoView({ block: 'nearest' });
  });
  const apps = (c.appearances || []).map((a: any, ai: number) => h('li', {},
    h('span', { class: 'muted' }, `in ${a.report}, ${(a.mode || '').toLowerCase()}${a.hedge ? ', “' + a.hedge + '”' : ''}: `),
    (a.attributedTo || []).map((at: any, ti: number) => {
      const id = `src-${cssID(c.id)}-${ai}-${ti}`;
      const input = h('input', { id, type: 'text', value: at.source, autocomplete: 'off', class: 'source-input' }) as HTMLInputElement;
      input.addEventListener('input', () => {
        at.source = input.value.trim();
      });
      return h('span', { class: 'source-edit' }, h('label', { for: id }, `source (${(at.mode || '').toLowerCase().replace(/_/g, ' ')})`), input);
    })));
  card.append(
    h('p', { class: 'card-text' }, c.text),
    h('p', { class: 'muted' }, `${c.id} · confidence ${conf.toFixed(2)} · `, state),
    h('ul', { class: 'apps' }, apps),
    h('div', { class: 'row' }, acc, rej, show),
  );
  return card;
}

function cssID(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}
