import * as L from 'leaflet';
import type { Incident } from '../../../shared/objects.js';
import { isOpen } from '../../stores/incidents.js';
import { IncidentMarker } from './canvas-markers.js';
import { slaState, type SlaState } from './cluster-math.js';
import { asPriority, PRIORITY_COLORS, PRIORITY_RADIUS, PRIORITY_TEXT } from './colors.js';

/**
 * An incident marker's style: its priority's colour and size, and its time in state against the
 * SLA (DESIGN §9): an amber rim once three quarters of the arrival target are gone, a red rim and
 * halo (drawn by the marker) when it is overdue; priority 1 otherwise wears a white ring, the
 * others a dark rim that separates them from the map.
 */
export function incidentStyle(i: Incident, sla: SlaState | null = null, scale = 1): L.CircleMarkerOptions {
  const p = asPriority(i.priority);
  const rim = sla === 'overdue' ? '#ff3b3b' : sla === 'late' ? '#ffb020' : p === 1 ? '#ffffff' : '#06122b';
  return {
    radius: PRIORITY_RADIUS[p] * scale,
    fillColor: PRIORITY_COLORS[p],
    fillOpacity: 1,
    color: rim,
    weight: (sla === 'overdue' || sla === 'late' ? 3 : p === 1 ? 2.5 : 1.5) * scale,
    opacity: 1,
  };
}

/** The priority digit inside an incident marker. */
export function labelIncident(m: IncidentMarker, inc: Incident): void {
  const p = asPriority(inc.priority);
  m.label = String(p);
  m.labelColor = PRIORITY_TEXT[p];
}

/**
 * Open, located incidents as canvas markers, kept in step with the store incrementally: each
 * sync touches only the incidents whose object changed (objects are replaced, never mutated,
 * so identity tells), adds the new ones and removes the gone ones.
 */
export class IncidentLayer {
  readonly group: L.FeatureGroup;
  private readonly shown = new Map<string, { marker: IncidentMarker; obj: Incident; sla: SlaState | null }>();
  /** the marker scale (2 on a 4K wall): radius, rim, halo and digit */
  private scale = 1;

  constructor(private readonly renderer: L.Canvas, scale = 1) {
    this.group = L.featureGroup();
    this.scale = scale;
  }

  /** Resizes every marker for a new marker scale. */
  setScale(scale: number): void {
    if (scale === this.scale) return;
    this.scale = scale;
    for (const held of this.shown.values()) {
      held.marker.scale = scale;
      held.marker.setStyle(incidentStyle(held.obj, held.sla, scale));
    }
  }

  get size(): number {
    return this.shown.size;
  }

  /** Time passes: markers whose SLA state changed are restyled (called every few seconds). */
  restyle(now: number): void {
    for (const held of this.shown.values()) {
      const sla = slaState(held.obj, now);
      if (sla === held.sla) continue;
      held.sla = sla;
      held.marker.halo = sla === 'overdue';
      held.marker.setStyle(incidentStyle(held.obj, sla, this.scale));
    }
  }

  marker(id: string): IncidentMarker | undefined {
    return this.shown.get(id)?.marker;
  }

  /** `now`: the server's clock (SLA states). */
  sync(items: ReadonlyMap<string, Incident>, now = Date.now()): void {
    let added = false;
    for (const [id, inc] of items) {
      const held = this.shown.get(id);
      if (held?.obj === inc) continue;
      if (!isOpen(inc) || !inc.location) {
        if (held) this.drop(id);
        continue;
      }
      if (!held) {
        const sla = slaState(inc, now);
        const m = new IncidentMarker([inc.location.lat, inc.location.lon], { ...incidentStyle(inc, sla, this.scale), renderer: this.renderer });
        m.objectId = id;
        m.scale = this.scale;
        m.halo = sla === 'overdue';
        this.label(m, inc);
        this.shown.set(id, { marker: m, obj: inc, sla });
        this.group.addLayer(m);
        added = true;
        continue;
      }
      const m = held.marker;
      const before = held.obj;
      held.obj = inc;
      const sla = slaState(inc, now);
      if (before.priority !== inc.priority || sla !== held.sla) {
        held.sla = sla;
        m.halo = sla === 'overdue';
        this.label(m, inc);
        m.setStyle(incidentStyle(inc, sla, this.scale));
        added = true;
      }
      const ll = m.getLatLng();
      if (ll.lat !== inc.location.lat || ll.lng !== inc.location.lon) m.setLatLng([inc.location.lat, inc.location.lon]);
    }
    for (const id of this.shown.keys()) if (!items.has(id)) this.drop(id);
    // draw order on the shared canvas: units, then incidents, priority 1 on top of everything
    if (added) for (const s of this.shown.values()) if (s.obj.priority === 1) s.marker.bringToFront();
  }

  private label(m: IncidentMarker, inc: Incident): void {
    labelIncident(m, inc);
  }

  private drop(id: string): void {
    const held = this.shown.get(id);
    if (!held) return;
    this.group.removeLayer(held.marker);
    this.shown.delete(id);
  }
}
