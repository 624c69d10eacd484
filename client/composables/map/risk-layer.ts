// Grid risk colouring (DESIGN §8, §9): the grid cells that have an indicator, filled by the class
// of the chosen score on a canvas of their own, below the live markers. Only filled cells are
// drawn, so a city of thousands of grids with a few hundred scored cells stays cheap; the canvas
// takes no pointer events (the live canvas above must keep them), so hovering is a hit test here.
import { pointInRing } from '../../../shared/geometry.js';
import * as L from 'leaflet';
import type { AreaGeometry, JurisdictionCollection, JurisdictionProps } from '../../../shared/jurisdiction.js';
import type { Translate } from '../../i18n/labels.js';
import { formatTime } from '../../i18n/format.js';
import { cellClass, riskColor, RISK_OPACITY, type RiskCell, type RiskMode } from '../../stores/risk.js';

type Ring = L.LatLngTuple[];
type Pt = readonly number[];

interface GridShape {
  latlngs: Ring[] | Ring[][];
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  /** outer rings and holes, [lon, lat] (even-odd test over all of them, per polygon) */
  polygons: (readonly (readonly Pt[])[])[];
}

function shapeOf(g: AreaGeometry): GridShape {
  const ring = (r: readonly Pt[]): Ring => r.map((p) => [p[1]!, p[0]!]);
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const bbox: GridShape['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polygons) {
    for (const p of poly[0] ?? []) {
      bbox[0] = Math.min(bbox[0], p[0]!);
      bbox[1] = Math.min(bbox[1], p[1]!);
      bbox[2] = Math.max(bbox[2], p[0]!);
      bbox[3] = Math.max(bbox[3], p[1]!);
    }
  }
  const latlngs = g.type === 'Polygon' ? g.coordinates.map(ring) : g.coordinates.map((poly) => poly.map(ring));
  return { latlngs, bbox, polygons };
}

function contains(s: GridShape, lon: number, lat: number): boolean {
  if (lon < s.bbox[0] || lon > s.bbox[2] || lat < s.bbox[1] || lat > s.bbox[3]) return false;
  return s.polygons.some((poly) => poly.reduce((inside, r) => (pointInRing(r, lon, lat) ? !inside : inside), false));
}

/**
 * Stroke width of a ranked (hot) cell by zoom: city-wide a grid cell is a few pixels, so a hot one
 * gets a stroke in its own colour that makes it a visible blob; close up a thin edge.
 */
export function hotStroke(zoom: number): number {
  return zoom < 12 ? 5 : zoom < 13 ? 3.5 : zoom < 14 ? 2.5 : 1.6;
}

/** Fill and stroke of a cell in a mode at a zoom. */
function styleOf(c: RiskCell, mode: Exclude<RiskMode, 'none'>, zoom: number): L.PathOptions {
  const cls = cellClass(c, mode);
  const color = riskColor(cls);
  const quiet = cls === 'normal' || cls === 'unranked';
  return { fillColor: color, fillOpacity: RISK_OPACITY[cls], color, opacity: quiet ? 0.45 : 0.95, weight: quiet ? 0.6 : hotStroke(zoom) };
}

const styleKey = (o: L.PathOptions) => `${o.fillColor}|${o.fillOpacity}|${o.opacity}|${o.weight}`;

/**
 * The risk fills. `sync` follows the store (called on its version and on a mode change): a polygon
 * per scored cell, created once and restyled in place; cells without a row are not on the map.
 */
export class RiskLayer {
  private readonly renderer: L.Canvas;
  private readonly group = L.layerGroup();
  private readonly shapes = new Map<string, GridShape>();
  private readonly drawn = new Map<string, { poly: L.Polygon; key: string }>();
  private mode: RiskMode = 'none';
  private zoom = 0;
  private items: ReadonlyMap<string, RiskCell> = new Map();

  constructor(map: L.Map, pane: string, collection: JurisdictionCollection) {
    this.renderer = L.canvas({ pane, padding: 0.25 });
    for (const f of collection.features) if (f.properties.level === 'grid') this.shapes.set(f.properties.id, shapeOf(f.geometry));
    this.group.addTo(map);
  }

  /** cells filled on the map */
  get size(): number {
    return this.drawn.size;
  }

  /** Restyles for a zoom (the hot cells' stroke). */
  setZoom(zoom: number): void {
    if (hotStroke(zoom) === hotStroke(this.zoom)) {
      this.zoom = zoom;
      return;
    }
    this.zoom = zoom;
    this.sync(this.items, this.mode);
  }

  /** Draws the cells of `items` in `mode`; answers the number of filled cells. */
  sync(items: ReadonlyMap<string, RiskCell>, mode: RiskMode): number {
    this.mode = mode;
    this.items = items;
    if (mode === 'none') {
      if (this.drawn.size) {
        this.group.clearLayers();
        this.drawn.clear();
      }
      return 0;
    }
    for (const [id, d] of this.drawn) {
      if (!items.has(id)) {
        this.group.removeLayer(d.poly);
        this.drawn.delete(id);
      }
    }
    for (const [id, c] of items) {
      const shape = this.shapes.get(id);
      if (!shape) continue; // a grid this map does not know (outside the tree it loaded)
      const style = styleOf(c, mode, this.zoom);
      const key = styleKey(style);
      const held = this.drawn.get(id);
      if (held) {
        if (held.key !== key) {
          held.poly.setStyle(style);
          held.key = key;
        }
        continue;
      }
      const poly = L.polygon(shape.latlngs, { ...style, renderer: this.renderer, interactive: false, smoothFactor: 0.5 });
      this.drawn.set(id, { poly, key });
      this.group.addLayer(poly);
    }
    return this.drawn.size;
  }

  /** The filled cell under a point, or null. */
  cellAt(latlng: L.LatLng): string | null {
    if (this.mode === 'none') return null;
    for (const id of this.drawn.keys()) {
      const s = this.shapes.get(id);
      if (s && contains(s, latlng.lng, latlng.lat)) return id;
    }
    return null;
  }

  remove(): void {
    this.group.clearLayers();
    this.drawn.clear();
    this.group.remove();
  }
}

export interface RiskTipContext {
  t: Translate;
  locale: string;
  mode: Exclude<RiskMode, 'none'>;
  /** the grid's properties, for its name and its community's */
  place(id: string): { name: string; parent: string | null } | null;
}

const TERM_SEP = ' · ';

/** A line of terms that breaks between them, never inside one ("同星期 0.01"). */
function termLine(parent: HTMLElement, parts: string[]): void {
  const el = document.createElement('div');
  el.className = 'tip-line tip-dim';
  parts.forEach((p, i) => {
    if (i > 0) el.appendChild(document.createTextNode(TERM_SEP));
    const span = document.createElement('span');
    span.className = 'risk-term';
    span.textContent = p;
    el.appendChild(span);
  });
  parent.appendChild(el);
}
/** A value with `d` decimals; one too small for them keeps two significant digits (0.0031, not 0.00). */
export function dp(x: number, d: number): string {
  if (x !== 0 && Math.abs(x) < 1e-4) return '<0.0001';
  if (x !== 0 && Math.abs(x) < 10 ** -d) return x.toPrecision(2);
  return x.toFixed(d);
}

function line(parent: HTMLElement, cls: string, text: string): HTMLElement {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = text;
  parent.appendChild(el);
  return el;
}

/** The class's name; 'unranked' for a crime class not computed yet. */
export function className(t: Translate, cls: ReturnType<typeof cellClass> | null): string {
  return t(`risk.class.${cls ?? 'unranked'}`);
}

/** The hover card of a cell: name, both scores with their classes and terms, the number of drivers. */
export function riskTip(c: RiskCell, x: RiskTipContext): HTMLElement {
  const cls = cellClass(c, x.mode);
  const el = document.createElement('div');
  el.className = 'tip risk-tip';
  el.style.borderLeftColor = riskColor(cls);
  const p = x.place(c.id);
  line(el, 'tip-title', p ? (p.parent ? `${p.parent} · ${p.name}` : p.name) : c.id);

  const crimeFirst = x.mode === 'crime';
  const crime = document.createElement('div');
  line(crime, 'tip-line risk-score', x.t('risk.tip.crime', { v: dp(c.crimeRisk, 2), cls: className(x.t, c.crimeClass ?? 'unranked') }));
  if (c.terms) {
    const k = c.terms.crime;
    termLine(crime, [
      x.t('risk.term.longTerm', { v: dp(k.longTerm, 2) }), x.t('risk.term.recent', { v: dp(k.recent, 2) }),
      x.t('risk.term.weekday', { v: dp(k.weekday, 2) }), x.t('risk.term.neighbours', { v: dp(k.neighbours, 2) }),
    ]);
    line(crime, 'tip-line tip-dim', x.t('risk.term.events', { n: k.events }));
  }
  const inst = document.createElement('div');
  line(inst, 'tip-line risk-score', x.t('risk.tip.instability', { v: dp(c.instabilityRisk, 1), cls: className(x.t, c.instabilityClass) }));
  if (c.terms) {
    const k = c.terms.instability;
    termLine(inst, [
      x.t('risk.term.open', { v: dp(k.open, 1) }), x.t('risk.term.overdue', { v: dp(k.overdue, 1) }),
      x.t('risk.term.escalated', { v: dp(k.escalated, 1) }), x.t('risk.term.repeat', { v: dp(k.repeat, 1) }),
      x.t('risk.term.becameIncident', { v: dp(k.becameIncident, 1) }),
    ]);
    line(inst, 'tip-line tip-dim', x.t('risk.term.cases', { n: k.cases }));
  }
  for (const part of crimeFirst ? [crime, inst] : [inst, crime]) el.appendChild(part);
  line(el, 'tip-line', x.t('risk.tip.drivers', { n: c.drivers.length }));
  line(el, 'tip-line tip-id', x.t('risk.tip.at', { time: formatTime(c.at, x.locale) }));
  return el;
}

/** The name of a grid and its parent (community), from the jurisdiction properties. */
export function gridPlace(byId: ReadonlyMap<string, JurisdictionProps>, id: string): { name: string; parent: string | null } | null {
  const p = byId.get(id);
  if (!p) return null;
  return { name: p.name, parent: p.parentId ? (byId.get(p.parentId)?.name ?? null) : null };
}
