// Hover cards of the map, built as DOM nodes with textContent: summaries and addresses come
// from feeders and must never be parsed as HTML.
import type { Incident, Unit } from '../../../shared/objects.js';
import { ageKey, ageSeconds, formatTime } from '../../i18n/format.js';
import { categoryName, unitKindName, type Translate } from '../../i18n/labels.js';
import { asPriority, PRIORITY_COLORS, STALE_COLOR, UNIT_STATUS_COLORS } from './colors.js';
import { isStale } from './unit-layer.js';

export interface TipContext {
  t: Translate;
  locale: string;
  now: number;
  /** "district · street" of a jurisdiction chain */
  place(chain: readonly string[]): string;
}

function line(parent: HTMLElement, cls: string, text: string): HTMLElement {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = text;
  parent.appendChild(el);
  return el;
}

function card(accent: string): HTMLElement {
  const el = document.createElement('div');
  el.className = 'tip';
  el.style.borderLeftColor = accent;
  return el;
}

export function incidentTip(i: Incident, c: TipContext): HTMLElement {
  const p = asPriority(i.priority);
  const el = card(PRIORITY_COLORS[p]);
  line(el, 'tip-title', `${c.t(`priority.${p}`)} · ${categoryName(i.category, c.locale)} · ${c.t(`status.${i.status}`)}`);
  if (i.address) line(el, 'tip-line', i.address);
  if (i.summary) line(el, 'tip-line tip-dim', i.summary.length > 80 ? `${i.summary.slice(0, 80)}…` : i.summary);
  const age = ageKey(ageSeconds(i.reportedAt, c.now));
  line(el, 'tip-line tip-dim', `${formatTime(i.reportedAt, c.locale)} (${c.t(age.key, { n: age.n })}) · ${c.place(i.jurisdiction)}`);
  line(el, 'tip-line tip-id', i.id);
  return el;
}

export function unitTip(u: Unit, c: TipContext): HTMLElement {
  const stale = isStale(u, c.now);
  const el = card(stale ? STALE_COLOR : UNIT_STATUS_COLORS[u.status]);
  line(el, 'tip-title', `${u.callsign} · ${c.t(`unitStatus.${u.status}`)}`);
  line(el, 'tip-line tip-dim', unitKindName(u.kind, c.locale));
  const fix = u.lastFix;
  const fixText = fix ? c.t('map.fixAge', { age: c.t(ageKey(ageSeconds(fix.at, c.now)).key, { n: ageKey(ageSeconds(fix.at, c.now)).n }) }) : c.t('map.noFix');
  line(el, stale ? 'tip-line tip-warn' : 'tip-line', fix?.speed != null ? `${fixText} · ${Math.round(fix.speed * 3.6)} km/h` : fixText);
  return el;
}
