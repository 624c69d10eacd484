// Markers drawn straight onto Leaflet's canvas renderer. They extend CircleMarker (bounds,
// hit-testing, batched redraws) and replace only how the path is drawn. This uses Leaflet 1.9's
// internal renderer hooks (`_updatePath`, `_ctx`, `_fillStroke`), which is why leaflet is pinned.
import * as L from 'leaflet';

interface CanvasInternals {
  _ctx: CanvasRenderingContext2D;
  _drawing: boolean;
  _fillStroke(ctx: CanvasRenderingContext2D, layer: L.Path): void;
  _updateCircle(layer: L.CircleMarker): void;
}
interface MarkerInternals {
  _renderer: CanvasInternals;
  _point: L.Point;
  _radius: number;
  _pxBounds: L.Bounds;
  _empty(): boolean;
  _updateBounds(): void;
}
/** Leaflet's private drawing state of a circle marker (also used by cluster-layer.ts). */
export const inner = (m: L.CircleMarker) => m as unknown as MarkerInternals;

export const LABEL_FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif";

/** How far an incident's overdue halo reaches past its circle, CSS px at marker scale 1. */
const HALO_PX = 7;

/** An incident: a filled circle with its priority digit inside. */
export class IncidentMarker extends L.CircleMarker {
  objectId = '';
  label = '';
  labelColor = '#ffffff';
  /** a red halo: past its SLA target with no unit on scene */
  halo = false;
  /** the map's marker scale (2 on a 4K wall); the radius and weight come scaled in the style, the halo follows this */
  scale = 1;

  /** The halo is drawn past the circle: the redrawn area covers it. */
  _updateBounds(): void {
    const m = inner(this);
    (L.CircleMarker.prototype as unknown as MarkerInternals)._updateBounds.call(this);
    if (this.halo) m._pxBounds = new L.Bounds(m._pxBounds.min!.subtract([HALO_PX * this.scale, HALO_PX * this.scale]), m._pxBounds.max!.add([HALO_PX * this.scale, HALO_PX * this.scale]));
  }

  /** Called by the canvas renderer while it draws. */
  _updatePath(): void {
    const m = inner(this);
    const r = m._renderer;
    if (this.halo && r._drawing && !m._empty()) {
      const ctx = r._ctx;
      ctx.save();
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = '#ff3b3b';
      ctx.beginPath();
      ctx.arc(m._point.x, m._point.y, m._radius + HALO_PX * this.scale, 0, Math.PI * 2);
      ctx.fill();
      ctx.restore();
    }
    r._updateCircle(this);
    if (!r._drawing || m._empty() || !this.label) return;
    const ctx = r._ctx;
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.labelColor;
    ctx.font = `700 ${Math.round(m._radius * 1.15)}px ${LABEL_FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(this.label, m._point.x, m._point.y + 0.5);
  }
}
