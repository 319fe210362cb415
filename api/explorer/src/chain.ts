// chain.ts draws a claim's chains as one picture: every report and source a
// chain passes through is one box, laid out left to right by dagre, so that
// chains sharing hops share boxes and an echo (six outlets, one origin)
// shows as many arrows into one box.
import dagre from '@dagrejs/dagre';
import { h, s } from './dom';

export interface Hop {
  report: { id: string; title?: string; url?: string; published?: string; status: string };
  outlet: { id: string; name: string };
  published?: string;
  mode: string;
  hedge?: string;
  quote?: string;
  attributionQuote?: string;
  inferred: boolean;
  temporalAnomaly: boolean;
  reliabilityAtPublication: string;
  to?: { __typename: string; id: string; name?: string; anonymous?: boolean; reliability?: string } | null;
}

export interface Chain {
  terminal: string;
  flags: string[];
  confidence: number;
  limitedBy: string;
  hops: Hop[];
  origin?: { __typename: string; id: string; name?: string } | null;
  weakestHop?: { report: { id: string } } | null;
}

export const GRADES = ['A', 'B', 'C', 'D', 'E', 'F'];
export const GRADE_MEANING: Record<string, string> = {
  A: 'completely reliable',
  B: 'usually reliable',
  C: 'fairly reliable',
  D: 'not usually reliable',
  E: 'unreliable',
  F: 'cannot be judged',
};

export const MODE_LABEL: Record<string, string> = {
  DIRECT_QUOTE: 'quote',
  PARAPHRASE: 'paraphrase',
  CITES_REPORT: 'cites report',
  TRANSLATION: 'translation',
  AGGREGATION: 'aggregation',
  UNATTRIBUTED: 'unattributed',
};

export const TERMINAL_LABEL: Record<string, string> = {
  OFFICIAL: 'official',
  UNATTRIBUTED: 'unattributed',
  CITED_REPORT_UNRECORDED: 'cited report not recorded',
  OUTLET_UNRECORDED: 'outlet not recorded',
  CIRCULAR: 'CIRCULAR',
  DEPTH_LIMIT: 'DEPTH_LIMIT',
};

// A box of the picture.
interface Box {
  id: string;
  kind: 'report' | 'source' | 'end';
  lines: string[];
  grade?: string; // reliability at publication (reports) or now (sources)
  hop?: Hop; // a report's hop (the first seen)
  badges: string[];
  weakest: boolean;
  label: string; // for screen readers
}

interface Arrow {
  from: string;
  to: string;
  label: string;
  anomaly: boolean;
}

// merge folds the chains into one graph of boxes and arrows.
export function merge(chains: Chain[]): { boxes: Map<string, Box>; arrows: Map<string, Arrow> } {
  const boxes = new Map<string, Box>();
  const arrows = new Map<string, Arrow>();
  for (const c of chains) {
    const weakest = c.weakestHop ? c.weakestHop.report.id : '';
    c.hops.forEach((hop, i) => {
      const rid = hop.report.id;
      let b = boxes.get(rid);
      if (!b) {
        const date = hop.published || hop.report.published || 'undated';
        const badges: string[] = [];
        if (hop.report.status === 'RETRACTED') badges.push('RETRACTED');
        if (hop.report.status === 'CORRECTED') badges.push('CORRECTED');
        b = {
          id: rid,
          kind: 'report',
          lines: [hop.outlet.name, date],
          grade: hop.reliabilityAtPublication,
          hop,
          badges,
          weakest: false,
          label: '',
        };
        boxes.set(rid, b);
      }
      if (rid === weakest) b.weakest = true;
      let toID: string;
      const to = hop.to;
      if (to && to.__typename === 'Report') {
        toID = to.id; // its own hop adds its box, unless the chain stops here
        if (!boxes.has(toID) && i === c.hops.length - 1) {
          boxes.set(toID, endBox(toID, c.terminal, 'report not traced', []));
        }
      } else if (to) {
        toID = to.id;
        if (!boxes.has(toID)) {
          boxes.set(toID, {
            id: toID,
            kind: 'source',
            lines: [to.name || to.id, to.__typename === 'Official' ? (to.anonymous ? 'anonymous official' : 'official') : 'outlet'],
            grade: to.reliability,
            badges: [],
            weakest: false,
            label: '',
          });
        }
      } else {
        toID = 'end:' + c.terminal + ':' + rid;
        if (!boxes.has(toID)) boxes.set(toID, endBox(toID, c.terminal, TERMINAL_LABEL[c.terminal] || c.terminal, []));
      }
      if (i === c.hops.length - 1 && (c.terminal === 'CIRCULAR' || c.terminal === 'DEPTH_LIMIT')) {
        // The chain stops at a box already drawn: mark the stop on it.
        const end = boxes.get(toID)!;
        if (!end.badges.includes(c.terminal)) end.badges.push(c.terminal);
      }
      const key = rid + '→' + toID;
      if (!arrows.has(key)) {
        const label = [MODE_LABEL[hop.mode] || hop.mode, hop.hedge ? '“' + clip(hop.hedge, 28) + '”' : '']
          .filter(Boolean)
          .join(' · ');
        arrows.set(key, { from: rid, to: toID, label, anomaly: hop.temporalAnomaly });
      } else if (hop.temporalAnomaly) arrows.get(key)!.anomaly = true;
    });
    for (const f of c.flags) {
      // RETRACTED and CORRECTED are on the report's box already; mark any
      // other chain-wide flag on the chain's first box.
      if (f === 'RETRACTED' || f === 'CORRECTED' || f === 'TEMPORAL_ANOMALY') continue;
      if (c.hops.length) {
        const b = boxes.get(c.hops[0].report.id)!;
        if (!b.badges.includes(f)) b.badges.push(f);
      }
    }
  }
  for (const b of boxes.values()) {
    // The accessible name starts with the box's visible text, in order,
    // then explains it.
    const visible = [b.grade || '', clip(b.lines[0], 25), clip(b.lines[1] || '', 30), ...tags(b)].filter(Boolean).join(' ');
    const parts = [b.kind === 'report' ? 'report by ' + b.lines[0] : b.lines[0]];
    if (b.grade) parts.push('reliability ' + b.grade + ' (' + GRADE_MEANING[b.grade] + ')' + (b.kind === 'report' ? ' at publication' : ''));
    b.label = visible + ': ' + parts.join('; ');
  }
  return { boxes, arrows };
}

function tags(b: Box): string[] {
  return [...(b.weakest ? ['WEAKEST HOP'] : []), ...b.badges];
}

// tagLines packs a box's marks into lines that fit its width.
function tagLines(b: Box): string[] {
  const lines: string[] = [];
  for (const t of tags(b)) {
    const last = lines.length ? lines[lines.length - 1] : '';
    if (last && last.length + 1 + t.length <= 24) lines[lines.length - 1] = last + ' ' + t;
    else lines.push(t);
  }
  return lines;
}

function endBox(id: string, terminal: string, text: string, badges: string[]): Box {
  return { id, kind: 'end', lines: [text, terminal.toLowerCase().replace(/_/g, ' ')], badges, weakest: false, label: '' };
}

function clip(t: string, n: number): string {
  const cps = Array.from(t);
  return cps.length <= n ? t : cps.slice(0, n - 1).join('') + '…';
}

const BOX_W = 226;
const BOX_H = 58;

// draw returns the SVG picture of chains, left to right (dir 'LR'), or top
// to bottom ('TB', for narrow screens). onSelect hears a click (or
// Enter/Space) on a report's box.
export function draw(chains: Chain[], onSelect: (hop: Hop) => void, dir: 'LR' | 'TB' = 'LR'): SVGElement {
  const { boxes, arrows } = merge(chains);
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: dir, nodesep: 22, ranksep: dir === 'LR' ? 84 : 44, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of boxes.values()) g.setNode(b.id, { width: BOX_W, height: BOX_H + 15 * tagLines(b).length });
  for (const a of arrows.values()) {
    g.setEdge(a.from, a.to, { label: a.label, width: Math.min(8 + a.label.length * 6.2, 190), height: 16, labelpos: 'c' });
  }
  dagre.layout(g);
  const gr = g.graph() as any;
  const W = Math.ceil(gr.width || 100);
  const H = Math.ceil(gr.height || 60);
  const svg = s('svg', {
    class: 'chain-graph dir-' + dir,
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'group',
    'aria-label': `${chains.length} chain${chains.length === 1 ? '' : 's'} drawn as ${boxes.size} boxes`,
  });
  svg.append(
    s('defs', {},
      s('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );
  const edges = s('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const a of arrows.values()) {
    const e = g.edge(a.from, a.to) as any;
    const pts: { x: number; y: number }[] = e.points;
    const d = pts.map((p, i) => (i ? 'L' : 'M') + p.x.toFixed(1) + ',' + p.y.toFixed(1)).join(' ');
    edges.append(s('path', { d, class: 'edge' + (a.anomaly ? ' anomaly' : ''), 'marker-end': 'url(#arrowhead)', 'data-from': a.from, 'data-to': a.to }));
    if (a.label || a.anomaly) {
      const t = a.anomaly ? a.label + ' · TEMPORAL_ANOMALY' : a.label;
      edges.append(s('rect', { x: e.x - e.width / 2, y: e.y - 9, width: e.width, height: 16, rx: 3, class: 'edge-label-bg' }));
      edges.append(s('text', { x: e.x, y: e.y + 3, class: 'edge-label' + (a.anomaly ? ' anomaly' : ''), 'text-anchor': 'middle' }, clip(t, Math.floor(e.width / 5.6))));
    }
  }
  svg.append(edges);
  const nodes = s('g', { class: 'boxes' });
  for (const b of boxes.values()) {
    const n = g.node(b.id) as any;
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const cls = ['box', 'box-' + b.kind, b.grade ? 'grade-' + b.grade : 'grade-none', b.weakest ? 'weakest' : ''].join(' ');
    const attrs: Record<string, any> = { class: cls, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`, 'data-id': b.id, 'data-grade': b.grade || '', 'aria-label': b.label, 'data-x': n.x.toFixed(1), 'data-y': n.y.toFixed(1) };
    if (b.hop) {
      const hop = b.hop;
      attrs.tabindex = 0;
      attrs.role = 'button';
      attrs.onclick = () => onSelect(hop);
      attrs.onkeydown = (ev: Event) => {
        const k = (ev as KeyboardEvent).key;
        if (k === 'Enter' || k === ' ') {
          ev.preventDefault();
          onSelect(hop);
        }
      };
    } else attrs.role = 'img';
    const box = s('g', attrs);
    if (!b.hop) box.append(s('title', {}, b.label)); // a button's name is its aria-label, which starts with its text
    box.append(s('rect', { width: n.width, height: n.height, rx: 6, class: 'box-bg' }));
    if (b.grade) {
      box.append(s('rect', { width: 26, height: n.height, rx: 6, class: 'box-grade' }));
      box.append(s('text', { x: 13, y: 24, 'text-anchor': 'middle', class: 'box-grade-text' }, b.grade + ' '));
    }
    const tx = b.grade ? 34 : 10;
    box.append(s('text', { x: tx, y: 22, class: 'box-title' }, clip(b.lines[0], 25) + ' '));
    box.append(s('text', { x: tx, y: 41, class: 'box-sub' }, clip(b.lines[1] || '', 30) + ' '));
    // Not clipped: part of the name. Each text ends in a space, so the box's
    // text reads as words, as its name does (axe: label-content-name-mismatch).
    tagLines(b).forEach((line, i) => box.append(s('text', { x: tx, y: 64 + 15 * i, class: 'box-badge' }, line + ' ')));
    nodes.append(box);
  }
  svg.append(nodes);
  return svg;
}

// legend explains the colours and marks.
export function legend(): HTMLElement {
  return h('ul', { class: 'legend', 'aria-label': 'Legend: reliability at publication' },
    GRADES.map((g) => h('li', {}, h('span', { class: 'swatch grade-' + g, 'aria-hidden': 'true' }, g), ' ' + GRADE_MEANING[g])),
    h('li', {}, h('span', { class: 'swatch weakest-swatch', 'aria-hidden': 'true' }, ' '), ' weakest hop of a chain'),
  );
}

// summary is the chains as text: one line per chain, for screen readers
// and narrow screens.
export function summary(chains: Chain[]): HTMLElement {
  return h('ol', { class: 'chain-list' },
    chains.map((c) => {
      const parts = c.hops.map((hop) => `${hop.outlet.name} (${hop.reliabilityAtPublication})`);
      const last = c.hops.length ? c.hops[c.hops.length - 1].to : null;
      if (last && last.__typename !== 'Report') parts.push(last.name || last.id);
      else if (!last || c.terminal !== 'OFFICIAL') parts.push(TERMINAL_LABEL[c.terminal] || c.terminal);
      const flags = c.flags.length ? ' · ' + c.flags.join(', ') : '';
      return h('li', { class: 'chain-line' },
        parts.join(' → '),
        h('span', { class: 'muted' }, ` · ${c.terminal}${flags} · confidence ${c.confidence.toFixed(2)}${c.limitedBy ? ' (limited by ' + c.limitedBy + ')' : ''}`));
    }),
  );
}
