// chart.ts: a rating history as a small step chart (SVG drawn here).
import { h, s } from './dom';
import { GRADES, GRADE_MEANING } from './chain';

export interface Rating {
  rating: string;
  ratedBy?: string;
  ratedAt?: string;
  note?: string;
}

export function ratingChart(ratings: Rating[]): HTMLElement {
  if (!ratings.length) return h('p', { class: 'muted' }, 'No rating recorded.');
  // Dated ratings in time order; undated ones first, in recorded order.
  const rs = ratings.map((r, i) => ({ ...r, i })).sort((a, b) => (a.ratedAt || '').localeCompare(b.ratedAt || '') || a.i - b.i);
  const W = 480, H = 150, L = 30, R = 14, T = 10, B = 28;
  const n = rs.length;
  // Ratings spread over the width but its last 60 px, where the line
  // goes on to "now": a rating holds until the next one.
  const span = W - L - R - 60;
  const x = (i: number) => (n === 1 ? L + 10 : L + 10 + (i * (span - 10)) / (n - 1));
  const y = (g: string) => T + (GRADES.indexOf(g) * (H - T - B)) / (GRADES.length - 1);
  const svg = s('svg', { class: 'rating-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'Rating history: ' + rs.map((r) => `${r.rating} ${r.ratedAt || 'undated'}${r.ratedBy ? ' by ' + r.ratedBy : ''}`).join('; ') });
  for (const g of GRADES) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(g), y2: y(g), class: 'grid' }));
    svg.append(s('text', { x: 8, y: y(g) + 4, class: 'axis' }, g));
  }
  let d = '';
  rs.forEach((r, i) => {
    d += (i ? `H${x(i)}V${y(r.rating)}` : `M${x(i)},${y(r.rating)}`);
  });
  d += `H${W - R}`;
  svg.append(s('path', { d, class: 'rating-line' }));
  svg.append(s('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, 'now'));
  rs.forEach((r, i) => {
    svg.append(s('circle', { cx: x(i), cy: y(r.rating), r: 5, class: 'dot grade-' + r.rating }, s('title', {}, `${r.rating} (${GRADE_MEANING[r.rating]}) ${r.ratedAt || 'undated'}${r.ratedBy ? ' by ' + r.ratedBy : ''}${r.note ? ': ' + r.note : ''}`)));
    svg.append(s('text', { x: x(i), y: H - 8, 'text-anchor': i === 0 ? 'start' : 'middle', class: 'axis' }, r.ratedAt || 'undated'));
  });
  return h('figure', { class: 'chart' }, svg,
    h('figcaption', {}, h('ul', {}, rs.map((r) => h('li', {}, `${r.rating} · ${r.ratedAt || 'undated'}${r.ratedBy ? ' · ' + r.ratedBy : ''}${r.note ? ' · ' + r.note : ''}`)))));
}
