import * as L from 'leaflet';
import type { Unit } from '../../../shared/objects.js';
import { STALE_FIX_MS } from '../../stores/units.js';
import { UnitMarker } from './canvas-markers.js';
import { STALE_COLOR, UNIT_STATUS_COLORS } from './colors.js';

export const isStale = (u: Unit, now: number) => !u.lastFix || now - Date.parse(u.lastFix.at) > STALE_FIX_MS;

/** Arrow size by zoom: smaller city-wide, where 2,000 of them share the screen. */
export const unitRadius = (zoom: number) => (zoom < 12.5 ? 5 : zoom < 13.5 ? 6.5 : 8);

function style(u: Unit, stale: boolean, radius: number): L.CircleMarkerOptions {
  return {
    radius,
    fillColor: stale ? STALE_COLOR : UNIT_STATUS_COLORS[u.status],
    // off duty: hollow, present but not part of the picture
    fillOpacity: u.status === 'off_duty' && !stale ? 0.2 : 1,
    color: u.status === 'off_duty' && !stale ? '#8ea3bf' : '#041024',
    weight: 1.2,
    opacity: 1,
  };
}

interface Shown {
  marker: UnitMarker;
  obj: Unit;
  stale: boolean;
}

/**
 * Units as arrows on the canvas, synced incrementally like incidents. Why canvas rather than
 * rotated divIcons: 2,000 units at 1 Hz would be 2,000 DOM nodes restyled every second plus
 * their share of every zoom animation; on the canvas a positions frame is one batched redraw.
 */
export class UnitLayer {
  readonly group: L.FeatureGroup;
  private readonly shown = new Map<string, Shown>();
  private radius = unitRadius(13);

  constructor(private readonly renderer: L.Canvas) {
    this.group = L.featureGroup();
  }

  get size(): number {
    return this.shown.size;
  }

  marker(id: string): UnitMarker | undefined {
    return this.shown.get(id)?.marker;
  }

  sync(items: ReadonlyMap<string, Unit>, now: number): void {
    for (const [id, u] of items) {
      const held = this.shown.get(id);
      if (held?.obj === u) continue;
      if (!u.lastFix) {
        if (held) this.drop(id);
        continue;
      }
      const stale = isStale(u, now);
      if (!held) {
        const m = new UnitMarker([u.lastFix.lat, u.lastFix.lon], { ...style(u, stale, this.radius), renderer: this.renderer });
        m.objectId = id;
        m.heading = u.lastFix.heading;
        this.shown.set(id, { marker: m, obj: u, stale });
        this.group.addLayer(m);
        // units share the incidents' canvas: keep them underneath
        m.bringToBack();
        continue;
      }
      const m = held.marker;
      const before = held.obj;
      held.obj = u;
      if (before.status !== u.status || held.stale !== stale) m.setStyle(style(u, stale, this.radius));
      held.stale = stale;
      const moved = before.lastFix?.lat !== u.lastFix.lat || before.lastFix.lon !== u.lastFix.lon;
      const turned = m.heading !== u.lastFix.heading;
      m.heading = u.lastFix.heading;
      if (moved) m.setLatLng([u.lastFix.lat, u.lastFix.lon]);
      else if (turned) m.redraw();
    }
    for (const id of this.shown.keys()) if (!items.has(id)) this.drop(id);
  }

  /** Greys out units whose last fix has aged past 2 minutes (no frame announces that). */
  restyle(now: number): void {
    for (const s of this.shown.values()) {
      const stale = isStale(s.obj, now);
      if (stale === s.stale) continue;
      s.stale = stale;
      s.marker.setStyle(style(s.obj, stale, this.radius));
    }
  }

  /** Resizes the arrows for a new zoom level. */
  setZoom(zoom: number): void {
    const r = unitRadius(zoom);
    if (r === this.radius) return;
    this.radius = r;
    for (const s of this.shown.values()) s.marker.setRadius(r);
  }

  private drop(id: string): void {
    const held = this.shown.get(id);
    if (!held) return;
    this.group.removeLayer(held.marker);
    this.shown.delete(id);
  }
}
