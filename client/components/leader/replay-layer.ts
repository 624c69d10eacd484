// The replay's own layer on the leader map: the replayed incidents as circles in a pane above the
// live one (whose canvas is hidden while replaying, so live frames do not show), coloured by
// priority with the state in the outline (open: white ring, dispatched: dashed, on scene: filled,
// closed: grey). Removed on leaving replay; the live layers come back untouched.
import * as L from 'leaflet';
import type { ReplayIncident } from './replay.js';

const PRIORITY_COLORS = ['#e5484d', '#f76b15', '#ffc53d', '#2f6bff'];
const PANE = 'ld-replay';

export class ReplayLayer {
  private readonly group: L.LayerGroup;
  private readonly renderer: L.Canvas;
  private readonly markers = new Map<string, { m: L.CircleMarker; key: string }>();

  constructor(private readonly map: L.Map) {
    if (!map.getPane(PANE)) map.createPane(PANE).style.zIndex = '460';
    map.getPane(PANE)!.style.pointerEvents = 'none';
    this.renderer = L.canvas({ pane: PANE, padding: 0.2 });
    this.group = L.layerGroup().addTo(map);
    map.getContainer().classList.add('ld-replaying');
  }

  /** Draws the incidents of a frame (adds, restyles, removes). */
  sync(items: ReadonlyMap<string, ReplayIncident>): void {
    for (const [id, x] of this.markers) {
      if (!items.has(id)) {
        this.group.removeLayer(x.m);
        this.markers.delete(id);
      }
    }
    for (const i of items.values()) {
      const key = `${i.status}:${i.priority}`;
      const held = this.markers.get(i.id);
      if (held && held.key === key) continue;
      const color = i.status === 'closed' ? '#7d8ea3' : PRIORITY_COLORS[i.priority - 1] ?? PRIORITY_COLORS[3]!;
      const style: L.CircleMarkerOptions = {
        renderer: this.renderer, radius: i.priority === 1 ? 9 : 7, color: i.status === 'open' ? '#ffffff' : color, weight: 2,
        dashArray: i.status === 'dispatched' ? '3 3' : undefined, fillColor: color, fillOpacity: i.status === 'closed' ? 0.25 : i.status === 'on_scene' ? 0.95 : 0.7,
        interactive: false,
      };
      if (held) {
        held.m.setStyle(style);
        held.key = key;
      } else {
        const m = L.circleMarker([i.lat, i.lon], style);
        this.group.addLayer(m);
        this.markers.set(i.id, { m, key });
      }
    }
  }

  get size(): number {
    return this.markers.size;
  }

  remove(): void {
    this.group.remove();
    this.markers.clear();
    this.map.getContainer().classList.remove('ld-replaying');
  }
}
