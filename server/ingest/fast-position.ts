import { CLOUDEVENT_ATTRIBUTES, isoTime, type ValidEvent } from '../../shared/events.js';

const str = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const num = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const optNum = (v: unknown, min: number, max: number) => v === undefined || num(v, min, max);
const optStr = (v: unknown, max: number) => v === undefined || str(v, 0, max);

/**
 * GPS gateways send tens of thousands of `unit.position` events a second; the general zod path
 * costs several microseconds each. This accepts exactly the well-formed ones the schemas accept
 * and answers null for anything else, which then goes through zod for its precise errors.
 */
export function fastPosition(raw: unknown, receivedAtMs: number, maxFutureMs: number): ValidEvent<'unit.position'> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (r.type !== 'unit.position' || r.specversion !== '1.0') return null;
  if (!str(r.id, 1, 256) || !str(r.source, 1, 512)) return null;
  if (!optStr(r.subject, 512) || !optStr(r.datacontenttype, 128) || !optStr(r.dataschema, 1024)) return null;
  if (r.time !== undefined && (!isoTime.safeParse(r.time).success || Date.parse(r.time as string) > receivedAtMs + maxFutureMs)) return null;
  const d = r.data;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return null;
  const data = d as Record<string, unknown>;
  if (!str(data.unitId, 1, 128) || !num(data.lat, -90, 90) || !num(data.lon, -180, 180)) return null;
  if (!optNum(data.speed, 0, 200) || !optNum(data.heading, 0, 360) || !optNum(data.accuracy, 0, Infinity)) return null;
  const extensions: Record<string, unknown> = {};
  for (const k in r) if (!CLOUDEVENT_ATTRIBUTES.has(k)) extensions[k] = r[k];
  return {
    specversion: '1.0', id: r.id, source: r.source, type: 'unit.position', time: r.time as string | undefined,
    subject: r.subject as string | undefined, data: data as ValidEvent<'unit.position'>['data'], extensions,
  };
}
