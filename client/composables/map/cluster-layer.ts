// Incidents clustered (DESIGN §9): supercluster in a Web Worker, asked for the clusters of the
// view on every moveend/zoomend; clusters drawn as donuts split by priority share with their count
// inside, single incidents as the usual markers. Both on the incidents' own canvas renderer.
import * as L from 'leaflet';
import type { Incident } from '../../../shared/objects.js';
import { isOpen } from '../../stores/incidents.js';
import { IncidentMarker, inner, LABEL_FONT as FONT } from './canvas-markers.js';
import { clusterRadius, countLabel, donutSegments, isOverdue, type ClusterItem, type ClusterPoint, type FromWorker, type ToWorker } from './cluster-math.js';
import { asPriority, PRIORITY_COLORS } from './colors.js';
import { incidentStyle, labelIncident } from './incident-layer.js';

const OVERDUE_HALO = 'rgba(255, 92, 92, 0.85)';

/** A cluster: a ring split by priority share, the count in the middle, a red halo when some are overdue. */
export class ClusterMarker extends L.CircleMarker {
  clusterId = -1;
  count = 0;
  byPriority: [number, number, number, number] = [0, 0, 0, 0];
  overdue = 0;
  /** the map's marker scale (2 on a 4K wall): the radius comes scaled, the ring and halo follow this */
  scale = 1;

  _updateBounds(): void {
    const m = inner(this);
    const d = m._radius + 5 * this.scale;
    m._pxBounds = new L.Bounds(m._point.subtract([d, d]), m._point.add([d, d]));
  }

  /** Called by the canvas renderer while it draws. */
  _updatePath(): void {
    const m = inner(this);
    const r = m._renderer;
    if (!r._drawing || m._empty()) return;
    const ctx = r._ctx;
    const { x, y } = m._point;
    const R = m._radius;
    const k = this.scale;
    const w = Math.max(5 * k, R * 0.34);
    ctx.globalAlpha = 1;
    if (this.overdue > 0) {
      ctx.beginPath();
      ctx.arc(x, y, R + 2.5 * k, 0, Math.PI * 2);
      ctx.lineWidth = 2.5 * k;
      ctx.strokeStyle = OVERDUE_HALO;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(x, y, R, 0, Math.PI * 2);
    ctx.fillStyle = 'rgba(6, 18, 43, 0.92)';
    ctx.fill();
    ctx.lineWidth = w;
    ctx.lineCap = 'butt';
    for (const s of donutSegments(this.byPriority)) {
      ctx.beginPath();
      ctx.arc(x, y, R - w / 2, s.from, s.to);
      ctx.strokeStyle = PRIORITY_COLORS[s.priority];
      ctx.stroke();
    }
    ctx.fillStyle = '#f0fbff';
    ctx.font = `700 ${Math.round(R * 0.62)}px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(countLabel(this.count), x, y + 0.5);
  }
}

export interface ClusterLayerHooks {
  /** the incident of an id, as the store holds it */
  lookup(id: string): Incident | undefined;
  /** after a redraw from the worker's answer */
  onUpdate(): void;
}

const LOAD_DEBOUNCE_MS = 200;

/**
 * The clustered incidents: a worker holding the index, a group of markers for the view. Answers
 * arrive out of band; a stale one (an older query than the last drawn) is dropped.
 */
export class ClusterLayer {
  readonly group: L.FeatureGroup;
  /** clusters drawn, and the incidents they stand for */
  clusters = 0;
  /** the largest cluster drawn, as a container point (for tests and the curious) */
  largest: { x: number; y: number; count: number } | null = null;
  private worker: Worker | null = null;
  private loadTimer: ReturnType<typeof setTimeout> | null = null;
  private pending: ReadonlyMap<string, Incident> | null = null;
  private seq = 0;
  private drawnSeq = 0;
  private readonly expansions = new Map<number, (zoom: number | null) => void>();
  private active = false;
  /** the marker scale (2 on a 4K wall): donuts, labels and single markers, and the clustering's reach */
  private scale = 1;

  constructor(private readonly map: L.Map, private readonly renderer: L.Canvas, private readonly hooks: ClusterLayerHooks, private readonly now: () => number, scale = 1) {
    this.scale = scale;
    this.group = L.featureGroup();
    this.group.on('click', (e) => {
      const layer: unknown = e.propagatedFrom;
      if (layer instanceof ClusterMarker) this.zoomInto(layer);
    });
  }

  get enabled(): boolean {
    return this.active;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./cluster-worker.ts', import.meta.url), { type: 'module', name: 'pg-clusters' });
    w.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    w.onerror = (e) => console.error('cluster worker', e.message);
    this.worker = w;
    return w;
  }

  private post(m: ToWorker): void {
    this.ensureWorker().postMessage(m);
  }

  /** Feeds the index with the open, located incidents (debounced); the view follows. */
  load(items: ReadonlyMap<string, Incident>): void {
    this.active = true;
    this.pending = items;
    if (this.loadTimer) return;
    this.loadTimer = setTimeout(() => {
      this.loadTimer = null;
      const src = this.pending;
      this.pending = null;
      if (!src || !this.active) return;
      const now = this.now();
      const points: ClusterPoint[] = [];
      for (const i of src.values()) {
        if (!isOpen(i) || !i.location) continue;
        points.push({ id: i.id, lat: i.location.lat, lon: i.location.lon, p: asPriority(i.priority), o: isOverdue(i, now) });
      }
      this.post({ type: 'load', points });
      this.query();
    }, LOAD_DEBOUNCE_MS);
  }

  /** Resizes the markers for a new marker scale: the clusters of the view are asked for again. */
  setScale(scale: number): void {
    if (scale === this.scale) return;
    this.scale = scale;
    this.query();
  }

  /**
   * The zoom the index is asked at: its radius is in screen pixels, so with markers `scale` times
   * larger the clusters must gather `scale` times farther (as many donuts on a 4K wall as at
   * 1080p, without overlapping); at the map's last zoom level, the incidents themselves.
   */
  private indexZoom(): number {
    const z = this.map.getZoom();
    if (z >= this.map.getMaxZoom()) return Math.floor(z);
    return Math.max(0, Math.floor(z - Math.log2(Math.max(1, this.scale))));
  }

  /** Asks for the clusters of the view (call on moveend/zoomend). */
  query(): void {
    if (!this.active || !this.worker) return;
    const b = this.map.getBounds().pad(0.2);
    this.post({ type: 'query', seq: ++this.seq, bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom: this.indexZoom() });
  }

  /** Leaves clustering: no markers, no work. */
  clear(): void {
    this.active = false;
    this.pending = null;
    if (this.loadTimer) clearTimeout(this.loadTimer);
    this.loadTimer = null;
    this.drawnSeq = ++this.seq;
    this.group.clearLayers();
    this.clusters = 0;
    this.largest = null;
  }

  dispose(): void {
    this.clear();
    this.worker?.terminate();
    this.worker = null;
    for (const done of this.expansions.values()) done(null);
    this.expansions.clear();
  }

  /** The incident marker drawn for an id, when it is drawn on its own. */
  marker(id: string): IncidentMarker | undefined {
    let found: IncidentMarker | undefined;
    this.group.eachLayer((l) => {
      if (!found && l instanceof IncidentMarker && l.objectId === id) found = l;
    });
    return found;
  }

  private zoomInto(c: ClusterMarker): void {
    const at = c.getLatLng();
    const seq = ++this.seq;
    // the index's zoom is the map's less the scale's (see indexZoom)
    const shift = Math.log2(Math.max(1, this.scale));
    this.expansions.set(seq, (zoom) => {
      const z = Math.min(this.map.getMaxZoom(), Math.max(zoom === null ? this.map.getZoom() + 2 : zoom + shift, this.map.getZoom() + 1));
      this.map.flyTo(at, z, { duration: 0.5 });
    });
    this.post({ type: 'expand', seq, clusterId: c.clusterId });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'expand') {
      const done = this.expansions.get(m.seq);
      this.expansions.delete(m.seq);
      done?.(m.zoom);
      return;
    }
    if (!this.active || m.seq < this.drawnSeq) return;
    this.drawnSeq = m.seq;
    this.draw(m.items);
    this.hooks.onUpdate();
  }

  private draw(items: readonly ClusterItem[]): void {
    this.group.clearLayers();
    let clusters = 0;
    let largest: ClusterItem | null = null;
    const singles: { inc: Incident; lat: number; lon: number }[] = [];
    for (const it of items) {
      if (it.kind === 'point') {
        const inc = this.hooks.lookup(it.id);
        if (inc) singles.push({ inc, lat: it.lat, lon: it.lon });
        continue;
      }
      clusters++;
      const m = new ClusterMarker([it.lat, it.lon], { renderer: this.renderer, radius: clusterRadius(it.count) * this.scale, stroke: false, fill: true, fillOpacity: 0 });
      m.scale = this.scale;
      m.clusterId = it.clusterId;
      m.count = it.count;
      m.byPriority = it.byPriority;
      m.overdue = it.overdue;
      this.group.addLayer(m);
      if (!largest || (largest.kind === 'cluster' && it.count > largest.count)) largest = it;
    }
    // the most urgent drawn last, on top
    singles.sort((a, b) => b.inc.priority - a.inc.priority);
    for (const s of singles) {
      const m = new IncidentMarker([s.lat, s.lon], { ...incidentStyle(s.inc, null, this.scale), renderer: this.renderer });
      m.objectId = s.inc.id;
      m.scale = this.scale;
      labelIncident(m, s.inc);
      this.group.addLayer(m);
    }
    this.clusters = clusters;
    if (largest && largest.kind === 'cluster') {
      const p = this.map.latLngToContainerPoint([largest.lat, largest.lon]);
      this.largest = { x: Math.round(p.x), y: Math.round(p.y), count: largest.count };
    } else {
      this.largest = null;
    }
  }
}
