// The offline base map (DESIGN §6): the jurisdiction polygons drawn as vector layers.
import * as L from 'leaflet';
import type { AreaGeometry, JurisdictionCollection, JurisdictionFeature, Level } from '../../../shared/jurisdiction.js';
import { BASE, DISTRICT_FILLS } from './colors.js';
import { labelPoint } from './geometry.js';

type Ring = L.LatLngTuple[];

function toLatLngs(g: AreaGeometry): Ring[] | Ring[][] {
  const ring = (r: readonly (readonly number[])[]): Ring => r.map((p) => [p[1]!, p[0]!]);
  return g.type === 'Polygon' ? g.coordinates.map(ring) : g.coordinates.map((poly) => poly.map(ring));
}

/** Zoom levels from which the finer layers appear (1,500 grid polygons are not drawn city-wide). */
export const SHOW_FROM = { grid: 14, streetLabels: 13, communityLabels: 15 } as const;

export interface BaseMap {
  /** the city's bounds, to fit the view */
  bounds: L.LatLngBounds;
  /** shows or hides the zoom-dependent layers; answers the number of polygons on the map */
  applyZoom(zoom: number): number;
}

export interface BasePanes {
  grid: string;
  base: string;
  labels: string;
}

function label(f: JurisdictionFeature, level: Level, pane: string): L.Marker {
  const el = document.createElement('span');
  el.textContent = f.properties.name;
  const icon = L.divIcon({ className: `jlabel jlabel-${level}`, html: el, iconSize: [0, 0] });
  return L.marker(labelPoint(f.geometry), { icon, pane, interactive: false, keyboard: false });
}

/**
 * Builds the base map on its own two canvases (grids below, the rest above), apart from the live
 * markers' canvas, so moving units never redraw 1,700 polygons. Draw order on the main canvas:
 * district fills, community lines, street lines, district borders with a glow, the city outline.
 */
export function buildBaseMap(map: L.Map, c: JurisdictionCollection, panes: BasePanes): BaseMap {
  const gridCanvas = L.canvas({ pane: panes.grid, padding: 0.25 });
  const baseCanvas = L.canvas({ pane: panes.base, padding: 0.25 });
  const at = (level: Level) => c.features.filter((f) => f.properties.level === level);
  const [cities, districts, streets, communities, grids] = [at('city'), at('district'), at('street'), at('community'), at('grid')];
  const flat = { interactive: false, renderer: baseCanvas } as const;
  const line = (f: JurisdictionFeature, o: L.PolylineOptions) => L.polygon(toLatLngs(f.geometry), { ...flat, fill: false, ...o });

  const always: L.Layer[] = [
    ...districts.map((f, i) =>
      L.polygon(toLatLngs(f.geometry), { ...flat, stroke: false, fillColor: DISTRICT_FILLS[i % DISTRICT_FILLS.length]!, fillOpacity: BASE.district.fillOpacity })),
    ...communities.map((f) => line(f, BASE.community)),
    ...streets.map((f) => line(f, BASE.street)),
    ...districts.map((f) => line(f, { color: BASE.district.color, weight: BASE.district.glow, opacity: 0.16 })),
    ...districts.map((f) => line(f, { color: BASE.district.color, weight: BASE.district.weight, opacity: 0.95 })),
    ...cities.map((f) => line(f, { color: BASE.city.color, weight: BASE.city.glow, opacity: 0.12 })),
    ...cities.map((f) => line(f, { color: BASE.city.color, weight: BASE.city.weight, opacity: 1 })),
  ];
  L.layerGroup(always).addTo(map);
  const gridLayer = L.layerGroup(grids.map((f) => L.polygon(toLatLngs(f.geometry), { ...flat, renderer: gridCanvas, fill: false, ...BASE.grid })));
  L.layerGroup(districts.map((f) => label(f, 'district', panes.labels))).addTo(map);
  const streetLabels = L.layerGroup(streets.map((f) => label(f, 'street', panes.labels)));
  const communityLabels = L.layerGroup(communities.map((f) => label(f, 'community', panes.labels)));

  const toggle = (layer: L.LayerGroup, on: boolean) => {
    if (on && !map.hasLayer(layer)) layer.addTo(map);
    if (!on && map.hasLayer(layer)) layer.remove();
  };
  const outline = cities[0] ?? districts[0];
  const bounds = outline ? L.polygon(toLatLngs(outline.geometry)).getBounds() : L.latLngBounds([[0, 0], [0, 0]]);
  return {
    bounds,
    applyZoom(zoom) {
      toggle(gridLayer, zoom >= SHOW_FROM.grid);
      toggle(streetLabels, zoom >= SHOW_FROM.streetLabels);
      toggle(communityLabels, zoom >= SHOW_FROM.communityLabels);
      return always.length + (zoom >= SHOW_FROM.grid ? grids.length : 0);
    },
  };
}
