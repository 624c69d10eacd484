// Clicks on a map the leader view does not own (useLeafletMap keeps its map to itself): Leaflet's
// public init hook (L.Map.addInitHook) runs for every map created after it is added, so the view
// takes clicks on its map (the drill-down) without reaching into the composable.
import * as L from 'leaflet';

type Handler = (lat: number, lon: number) => void;
const handlers = new WeakMap<HTMLElement, Handler>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  L.Map.addInitHook(function (this: L.Map) {
    const el = this.getContainer();
    this.on('click', (e: L.LeafletMouseEvent) => handlers.get(el)?.(e.latlng.lat, e.latlng.lng));
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

install();
