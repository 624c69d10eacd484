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
}
const inner = (m: L.CircleMarker) => m as unknown as MarkerInternals;

const LABEL_FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif";

/** An incident: a filled circle with its priority digit inside. */
export class IncidentMarker extends L.CircleMarker {
  objectId = '';
  label = '';
  labelColor = '#ffffff';

  /** Called by the canvas renderer while it draws. */
  _updatePath(): void {
    const m = inner(this);
    const r = m._renderer;
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

const DEG = Math.PI / 180;

/** A unit: an arrow pointing along its heading (0° = north, clockwise); a square when unknown. */
export class UnitMarker extends L.CircleMarker {
  objectId = '';
  heading: number | null = null;

  /** The arrow's tip reaches past the radius: widen the bounds used for clipping and redraws. */
  _updateBounds(): void {
    const m = inner(this);
    const d = m._radius * 1.4 + (this.options.weight ?? 0);
    m._pxBounds = new L.Bounds(m._point.subtract([d, d]), m._point.add([d, d]));
  }

  /** Called by the canvas renderer while it draws. */
  _updatePath(): void {
    const m = inner(this);
    const r = m._renderer;
    if (!r._drawing || m._empty()) return;
    const ctx = r._ctx;
    const { x, y } = m._point;
    const s = m._radius;
    ctx.beginPath();
    if (this.heading === null) {
      ctx.rect(x - s * 0.7, y - s * 0.7, s * 1.4, s * 1.4);
    } else {
      const at = (deg: number, d: number): [number, number] => [x + Math.sin(deg * DEG) * d, y - Math.cos(deg * DEG) * d];
      const h = this.heading;
      ctx.moveTo(...at(h, s * 1.35));
      ctx.lineTo(...at(h + 140, s));
      ctx.lineTo(...at(h + 180, s * 0.35));
      ctx.lineTo(...at(h - 140, s));
      ctx.closePath();
    }
    r._fillStroke(ctx, this);
  }
}
