// The incidents' clustering, off the main thread (DESIGN §9): loaded with the open incidents on
// change, asked for the clusters of a bounding box and zoom, and for a cluster's expansion zoom.
import Supercluster from 'supercluster';
import type { ClusterItem, ClusterPoint, FromWorker, ToWorker } from './cluster-math.js';

interface PointProps {
  id: string;
  p: number;
  o: boolean;
}
interface ClusterProps {
  p1: number;
  p2: number;
  p3: number;
  p4: number;
  overdue: number;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker): void };

let index: Supercluster<PointProps, ClusterProps> | null = null;

function build(points: readonly ClusterPoint[]): Supercluster<PointProps, ClusterProps> {
  const sc = new Supercluster<PointProps, ClusterProps>({
    // Leaflet's 256 px tiles: the radius is in screen pixels
    extent: 256,
    radius: 56,
    maxZoom: 16,
    minPoints: 3,
    map: (props) => ({ p1: props.p === 1 ? 1 : 0, p2: props.p === 2 ? 1 : 0, p3: props.p === 3 ? 1 : 0, p4: props.p >= 4 ? 1 : 0, overdue: props.o ? 1 : 0 }),
    reduce: (acc, props) => {
      acc.p1 += props.p1;
      acc.p2 += props.p2;
      acc.p3 += props.p3;
      acc.p4 += props.p4;
      acc.overdue += props.overdue;
    },
  });
  return sc.load(points.map((pt) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [pt.lon, pt.lat] }, properties: { id: pt.id, p: pt.p, o: pt.o } })));
}

function query(bbox: [number, number, number, number], zoom: number): ClusterItem[] {
  if (!index) return [];
  const out: ClusterItem[] = [];
  for (const f of index.getClusters(bbox, zoom)) {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const props = f.properties;
    if ('cluster' in props && props.cluster) {
      out.push({ kind: 'cluster', clusterId: props.cluster_id, lat, lon, count: props.point_count, byPriority: [props.p1, props.p2, props.p3, props.p4], overdue: props.overdue });
    } else {
      out.push({ kind: 'point', id: (props as PointProps).id, lat, lon });
    }
  }
  return out;
}

function expansionZoom(clusterId: number): number | null {
  try {
    return index ? index.getClusterExpansionZoom(clusterId) : null;
  } catch {
    return null; // a cluster of an index since replaced
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'load') {
    index = build(m.points);
  } else if (m.type === 'query') {
    scope.postMessage({ type: 'clusters', seq: m.seq, items: query(m.bbox, m.zoom) });
  } else if (m.type === 'expand') {
    scope.postMessage({ type: 'expand', seq: m.seq, zoom: expansionZoom(m.clusterId) });
  }
};
