// The Leaflet map of a container the leader view does not own (useLeafletMap keeps its map to
// itself): Leaflet's public init hook (L.Map.addInitHook) runs for every map created after it is
// added, so the view can take clicks on its map (the drill-down) and add a layer of its own (the
// replay) without reaching into the composable.
import * as L from 'leaflet';

type Handler = (lat: number, lon: number) => void;
const handlers = new WeakMap<HTMLElement, Handler>();
const maps = new WeakMap<HTMLElement, L.Map>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  L.Map.addInitHook(function (this: L.Map) {
    const el = this.getContainer();
    maps.set(el, this);
    this.on('click', (e: L.LeafletMouseEvent) => handlers.get(el)?.(e.latlng.lat, e.latlng.lng));
    this.on('unload', () => maps.delete(el));
  });
}

/** Calls `fn` with the point of every click on the map that will be created in `el`; answers the unregister. */
export function onMapClick(el: HTMLElement, fn: Handler): () => void {
  install();
  handlers.set(el, fn);
  return () => {
    if (handlers.get(el) === fn) handlers.delete(el);
  };
}

/** The map created in `el` (null before it exists or after it is removed). */
export const mapOf = (el: HTMLElement | null): L.Map | null => (el ? maps.get(el) ?? null : null);

install();
