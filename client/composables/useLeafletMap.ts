import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { onBeforeUnmount, onMounted, reactive, ref, watch, type Ref, type WatchStopHandle } from 'vue';
import { useI18n } from 'vue-i18n';
import { useClockStore } from '../stores/clock.js';
import { useIncidentsStore } from '../stores/incidents.js';
import { useJurisdictionsStore } from '../stores/jurisdictions.js';
import { useRiskStore, type RiskMode } from '../stores/risk.js';
import { useUnitsStore } from '../stores/units.js';
import { buildBaseMap, type BaseMap } from './map/base-layers.js';
import { isOpen } from '../stores/incidents.js';
import { IncidentMarker } from './map/canvas-markers.js';
import { ClusterLayer } from './map/cluster-layer.js';
import { shouldCluster } from './map/cluster-math.js';
import { IncidentLayer } from './map/incident-layer.js';
import { gridPlace, RiskLayer, riskTip } from './map/risk-layer.js';
import { incidentTip, unitTip, type TipContext } from './map/tooltips.js';
import { UnitLayer } from './map/unit-layer.js';

/** Panes, bottom to top; only the live pane takes pointer events (stacked canvases would hide each other's). */
const PANES = {
  grid: ['pg-grid', 380], base: ['pg-base', 390], risk: ['pg-risk', 392], labels: ['pg-labels', 395],
  // units on their own canvas (no pointer events: a hit test finds them), under the incidents'
  units: ['pg-units', 440], live: ['pg-live', 450],
} as const;
/** Open incidents are re-clustered this often, for the overdue halos (no frame announces them). */
const OVERDUE_REFRESH_S = 30;

export interface MapStats {
  ready: boolean;
  /** jurisdiction polygons on the map */
  baseLayers: number;
  /** open, located incidents on the map, clustered or not */
  incidents: number;
  /** clusters drawn (0 when the incidents are drawn one by one) */
  clusters: number;
  units: number;
  zoom: number;
  /** grid cells filled by the risk colouring */
  riskCells: number;
  riskMode: RiskMode;
}

type Hover = { kind: 'incident' | 'unit'; id: string } | null;

/** Options of a map that is not the live map page's (the wall: no zoom buttons, framed by scenes). */
export interface LeafletMapOptions {
  /** the +/− buttons (default true) */
  zoomControl?: boolean;
  /** draw incidents and units (default true); false gives the "empty map" reference of the wall benchmark */
  liveLayers?: boolean;
  /** pixels at the top covered by tiles drawn over the map (the /map HUD): the city is framed below them */
  topInset?: number;
  /**
   * Marker sizes against the CSS pixel (default 1): unit arrows and trails, incident markers,
   * cluster donuts and their digits. The wall passes its viewport scale, 2 at 3840×2160, so that
   * markers take the same share of the screen as at 1080p.
   */
  markerScale?: Readonly<Ref<number>>;
}

/**
 * The live map (DESIGN §9): Leaflet 1.9 with canvas renderers, no tiles (the jurisdictions are the
 * base map), incidents and units kept in step with their stores through their version counters.
 */
export function useLeafletMap(container: Ref<HTMLElement | null>, riskMode: Readonly<Ref<RiskMode>> = ref('none'), options: LeafletMapOptions = {}) {
  const jurisdictions = useJurisdictionsStore();
  const incidents = useIncidentsStore();
  const units = useUnitsStore();
  const clock = useClockStore();
  const risk = useRiskStore();
  const { t, locale } = useI18n();
  const markerScale = () => {
    const k = options.markerScale?.value ?? 1;
    return Number.isFinite(k) && k > 0 ? Math.min(4, Math.max(0.5, k)) : 1;
  };
  const stats = reactive<MapStats>({ ready: false, baseLayers: 0, incidents: 0, clusters: 0, units: 0, zoom: 0, riskCells: 0, riskMode: riskMode.value });

  let map: L.Map | null = null;
  let base: BaseMap | null = null;
  let incidentLayer: IncidentLayer | null = null;
  let clusterLayer: ClusterLayer | null = null;
  let unitLayer: UnitLayer | null = null;
  let clustering = false;
  let riskLayer: RiskLayer | null = null;
  /** the grid whose risk card is open */
  let riskHover: string | null = null;
  let riskFrame = 0;
  /** the pointer is over a marker (a card opened from the list is not) */
  let onMarker = false;
  let resize: ResizeObserver | null = null;
  let disposed = false;
  let hover: Hover = null;
  const stops: WatchStopHandle[] = [];
  const tip = L.tooltip({ direction: 'top', offset: [0, -10], className: 'map-tip', opacity: 1 });
  const riskCard = L.tooltip({ direction: 'top', offset: [0, -12], className: 'map-tip', opacity: 1 });

  const tipContext = (): TipContext => ({
    t: (k, n) => t(k, n ?? {}),
    locale: locale.value,
    // a replay measures incidents against its own instant (clock.replayAt)
    now: clock.sceneNow(),
    place: (chain) => [jurisdictions.nameAt(chain, 'district'), jurisdictions.nameAt(chain, 'street')].filter(Boolean).join(' · '),
  });

  /** Fills the hover card from the current object; answers false when it is gone. */
  function renderTip(): boolean {
    if (!hover) return false;
    if (hover.kind === 'incident') {
      const i = incidents.items.get(hover.id);
      if (i) tip.setContent(incidentTip(i, tipContext()));
      return Boolean(i);
    }
    const u = units.items.get(hover.id);
    if (u) tip.setContent(unitTip(u, tipContext()));
    return Boolean(u);
  }

  function onOver(e: L.LeafletEvent): void {
    const layer: unknown = e.propagatedFrom;
    if (!map || !(layer instanceof IncidentMarker)) return;
    closeRiskTip();
    setUnitCursor(false);
    onMarker = true;
    hover = { kind: 'incident', id: layer.objectId };
    if (renderTip()) map.openTooltip(tip.setLatLng(layer.getLatLng()));
  }

  function onOut(): void {
    onMarker = false;
    hover = null;
    setUnitCursor(false);
    map?.closeTooltip(tip);
  }

  function setUnitCursor(on: boolean): void {
    container.value?.classList.toggle('pg-unit-hover', on);
  }

  let unitFrame = 0;
  let unitPointer: L.Point | null = null;
  /** The pointer over the map, straight from the DOM (Leaflet's canvas throttles its mousemoves): hit-tested once a frame. */
  function onUnitMove(e: MouseEvent): void {
    if (!map) return;
    unitPointer = map.mouseEventToContainerPoint(e);
    if (unitFrame) return;
    unitFrame = requestAnimationFrame(() => {
      unitFrame = 0;
      if (unitPointer) unitHitTest(unitPointer);
    });
  }

  function onUnitClick(e: MouseEvent): void {
    if (map) unitHitTest(map.mouseEventToContainerPoint(e));
  }

  function onUnitLeave(): void {
    unitPointer = null;
    if (onMarker && hover?.kind === 'unit') onOut();
  }

  /** Units take no pointer events of their own: the one under the pointer is found in the grid of their screen positions. */
  function unitHitTest(p: L.Point): void {
    if (!map || !unitLayer) return;
    // incidents are drawn over units
    if (onMarker && hover?.kind === 'incident') return;
    const id = unitLayer.unitAt(p);
    if (!id) {
      if (onMarker && hover?.kind === 'unit') onOut();
      return;
    }
    setUnitCursor(true);
    if (onMarker && hover?.kind === 'unit' && hover.id === id) return;
    closeRiskTip();
    onMarker = true;
    hover = { kind: 'unit', id };
    const at = unitLayer.latLng(id);
    if (at && renderTip()) map.openTooltip(tip.setLatLng(at));
  }

  /** Keeps data-clusters (and the largest cluster's container point) on the map element. */
  function publishClusters(): void {
    const cl = clusterLayer;
    stats.clusters = cl?.enabled ? cl.clusters : 0;
    const el = container.value;
    if (!el) return;
    el.dataset.clusters = String(stats.clusters);
    const big = cl?.enabled ? cl.largest : null;
    el.dataset.clusterAt = big ? `${big.x},${big.y}` : '';
  }

  /** Fills the risk card from the current cell; answers false when the cell has no row (any more). */
  function renderRiskTip(): boolean {
    const mode = riskMode.value;
    const c = riskHover === null ? undefined : risk.items.get(riskHover);
    if (!c || mode === 'none') return false;
    riskCard.setContent(riskTip(c, { t: (k, n) => t(k, n ?? {}), locale: locale.value, mode, place: (id) => gridPlace(jurisdictions.byId, id) }));
    return true;
  }

  function closeRiskTip(): void {
    riskHover = null;
    map?.closeTooltip(riskCard);
  }

  /** The canvas of the fills takes no pointer events: the cell under the pointer is found by a hit test, once a frame. */
  function onRiskPointer(e: L.LeafletMouseEvent): void {
    if (riskFrame || riskMode.value === 'none' || !riskLayer) return;
    const at = e.latlng;
    riskFrame = requestAnimationFrame(() => {
      riskFrame = 0;
      if (!map || !riskLayer || onMarker) return;
      const id = riskLayer.cellAt(at);
      if (id === null) return closeRiskTip();
      // the pointer has moved on from a card opened from the list
      if (hover) onOut();
      riskHover = id;
      if (renderRiskTip()) map.openTooltip(riskCard.setLatLng(at));
      else closeRiskTip();
    });
  }

  function setup(el: HTMLElement): L.Map {
    const m = L.map(el, {
      attributionControl: false, zoomControl: false, zoomSnap: 0.25, zoomDelta: 0.5, wheelPxPerZoomLevel: 90, minZoom: 9, maxZoom: 17, preferCanvas: true,
    });
    for (const [name, z] of Object.values(PANES)) {
      const pane = m.createPane(name);
      pane.style.zIndex = String(z);
      if (name !== PANES.live[0]) pane.style.pointerEvents = 'none';
    }
    if (options.zoomControl !== false) L.control.zoom({ position: 'topright' }).addTo(m);
    return m;
  }

  onMounted(async () => {
    const el = container.value;
    if (!el) return;
    const m = (map = setup(el));
    // the incidents' canvas: the only interactive one; units draw on their own, underneath, so
    // that their moves never redraw the incidents
    const live = L.canvas({ pane: PANES.live[0], padding: 0.2, tolerance: 3 });
    const k0 = markerScale();
    const ul = (unitLayer = new UnitLayer(PANES.units[0], units.trails, () => clock.serverNow()));
    ul.setScale(k0);
    ul.addTo(m);
    incidentLayer = new IncidentLayer(live, k0);
    const cl = (clusterLayer = new ClusterLayer(m, live, {
      lookup: (id) => incidents.items.get(id),
      onUpdate: () => {
        publishClusters();
        // the hovered incident went into a cluster
        if (onMarker && hover?.kind === 'incident' && !cl.marker(hover.id)) onOut();
      },
    }, () => clock.sceneNow(), k0));
    for (const g of [incidentLayer.group, cl.group]) g.on('mouseover', onOver).on('mouseout', onOut).addTo(m);
    el.addEventListener('mousemove', onUnitMove);
    el.addEventListener('click', onUnitClick);
    el.addEventListener('mouseleave', onUnitLeave);
    m.on('moveend', () => cl.query());

    const c = await jurisdictions.load().catch(() => null);
    if (disposed || !c) return;
    const b = (base = buildBaseMap(m, c, { grid: PANES.grid[0], base: PANES.base[0], labels: PANES.labels[0] }));
    const onZoom = () => {
      stats.zoom = m.getZoom();
      stats.baseLayers = b.applyZoom(stats.zoom);
      ul.setZoom(stats.zoom);
    };
    m.on('zoomend', onZoom);
    m.fitBounds(b.bounds, cityPadding());
    onZoom();

    const rl = (riskLayer = new RiskLayer(m, PANES.risk[0], c));
    rl.setZoom(m.getZoom());
    m.on('zoomend', () => rl.setZoom(m.getZoom()));
    m.on('mousemove', onRiskPointer).on('click', onRiskPointer).on('mouseout', closeRiskTip);

    const il = incidentLayer;
    const drawLive = options.liveLayers !== false;
    stops.push(
      watch(() => (drawLive ? incidents.version : -1), () => {
        if (!drawLive) return;
        // clustered above ~1,000 (in a worker), one by one below
        let n = 0;
        for (const i of incidents.items.values()) if (isOpen(i) && i.location) n++;
        clustering = shouldCluster(n, clustering);
        if (clustering) {
          if (il.size) il.sync(new Map());
          cl.load(incidents.items);
        } else {
          if (cl.enabled) cl.clear();
          il.sync(incidents.items, clock.sceneNow());
        }
        stats.incidents = n;
        publishClusters();
        if (hover && !renderTip()) onOut();
      }, { immediate: true }),
      watch(() => (drawLive ? units.version : -1), () => {
        if (!drawLive) return;
        ul.sync(units.items, clock.serverNow());
        stats.units = ul.size;
        // the card follows a moving unit
        const at = hover?.kind === 'unit' ? ul.latLng(hover.id) : undefined;
        if (at) tip.setLatLng(at);
        else if (hover?.kind === 'unit') onOut();
      }, { immediate: true }),
      watch(() => clock.now, (now) => {
        const s = Math.floor(now / 1000);
        if (s % 5 === 0) {
          ul.restyle(now);
          // incidents drawn one by one change colour as their SLA runs out (clusters carry a halo count instead)
          if (drawLive && !clustering) il.restyle(clock.sceneNow());
        }
        if (clustering && s % OVERDUE_REFRESH_S === 0) cl.load(incidents.items);
        if (hover) renderTip();
      }),
      // the wall's scale follows its window (1080p ↔ 4K)
      watch(markerScale, (k) => {
        ul.setScale(k);
        il.setScale(k);
        cl.setScale(k);
        // the card clears the larger markers
        tip.options.offset = L.point(0, -10 * k);
      }, { immediate: true }),
      watch(locale, () => {
        if (hover) renderTip();
        if (riskHover !== null) renderRiskTip();
      }),
      // the risk colouring: loaded when first shown, then kept in step with the store
      watch([() => risk.version, riskMode], ([, mode]) => {
        if (mode !== 'none') void risk.load();
        stats.riskMode = mode;
        stats.riskCells = rl.sync(risk.items, mode);
        if (riskHover !== null && !renderRiskTip()) closeRiskTip();
      }, { immediate: true }),
    );
    resize = new ResizeObserver(() => m.invalidateSize({ pan: false }));
    resize.observe(el);
    stats.ready = true;
  });

  onBeforeUnmount(() => {
    disposed = true;
    for (const s of stops) s();
    if (riskFrame) cancelAnimationFrame(riskFrame);
    if (unitFrame) cancelAnimationFrame(unitFrame);
    const el = container.value;
    el?.removeEventListener('mousemove', onUnitMove);
    el?.removeEventListener('click', onUnitClick);
    el?.removeEventListener('mouseleave', onUnitLeave);
    riskLayer?.remove();
    clusterLayer?.dispose();
    resize?.disconnect();
    map?.remove();
    map = base = incidentLayer = riskLayer = clusterLayer = unitLayer = null;
  });

  /** Centres the map on an incident and shows its card. */
  function focusIncident(id: string): void {
    const i = incidents.items.get(id);
    if (!map || !i?.location) return;
    map.flyTo([i.location.lat, i.location.lon], Math.min(Math.max(map.getZoom(), 15), 16), { duration: 0.8 });
    if (!isOpen(i)) return;
    // drawn on its own or inside a cluster: the card points at its place either way
    hover = { kind: 'incident', id };
    if (renderTip()) map.openTooltip(tip.setLatLng([i.location.lat, i.location.lon]));
  }

  /** The whole city's frame: 16 px around, and below whatever covers the top. */
  function cityPadding(): L.FitBoundsOptions {
    return { paddingTopLeft: [16, 16 + (options.topInset ?? 0)], paddingBottomRight: [16, 16] };
  }

  /** Back to the whole city. */
  function resetView(): void {
    if (map && base) map.flyToBounds(base.bounds, { ...cityPadding(), duration: 0.6 });
  }

  /** Frames a box ([[south, west], [north, east]]); the whole city when null. */
  function fitTo(bounds: [[number, number], [number, number]] | null, duration = 1.2): void {
    if (!map) return;
    if (!bounds) return resetView();
    map.flyToBounds(bounds, { padding: [24, 24], duration, maxZoom: 16 });
  }

  /** Flies to a point (a takeover's incident), without opening a card. */
  function flyToPoint(lat: number, lon: number, zoom = 15): void {
    map?.flyTo([lat, lon], zoom, { duration: 1 });
  }

  return { stats, focusIncident, resetView, fitTo, flyToPoint };
}
