import { normalizeCode, UNIT_KINDS } from '../../shared/catalogue.js';
import type { EventData } from '../../shared/events.js';
import type { Unit } from '../../shared/objects.js';
import { refuse, type FactContext, type ReduceResult, type Warning } from '../../shared/incidents/types.js';

function homeChain(homeGrid: string | undefined, ctx: FactContext, warnings: Warning[]): { homeGrid: string | null; chain: string[] } {
  if (homeGrid === undefined) return { homeGrid: null, chain: ctx.cityChain };
  const chain = ctx.chainOf(homeGrid);
  if (chain.length > 0) return { homeGrid, chain };
  warnings.push({ code: 'unknown_grid', message: `homeGrid "${homeGrid}" is not a known jurisdiction; the unit belongs to the city` });
  return { homeGrid: null, chain: ctx.cityChain };
}

/** `unit.registered`: creates a unit or updates its roster fields. */
export function registerUnit(data: EventData<'unit.registered'>, current: Unit | null, ctx: FactContext): ReduceResult {
  const warnings: Warning[] = [];
  let kind = current?.kind ?? 'other';
  if (data.kind !== undefined) {
    const k = normalizeCode(UNIT_KINDS, data.kind);
    if (!k.known) warnings.push({ code: 'unknown_kind', message: `unit kind "${data.kind}" is not in the catalogue; recorded as "other"` });
    kind = k.code;
  }
  const home = data.homeGrid !== undefined || !current
    ? homeChain(data.homeGrid, ctx, warnings)
    : { homeGrid: current.homeGrid, chain: current.jurisdiction };
  const unit: Unit = {
    id: data.unitId,
    version: (current?.version ?? 0) + 1,
    callsign: data.callsign ?? current?.callsign ?? data.unitId,
    kind,
    homeGrid: home.homeGrid,
    skills: data.skills ?? current?.skills ?? [],
    status: current?.status ?? 'available',
    incidentId: current?.incidentId ?? null,
    jurisdiction: home.chain,
    lastFix: current?.lastFix ?? null,
    statusSince: current?.statusSince ?? ctx.receivedAt,
    updatedAt: ctx.receivedAt,
  };
  const movedFrom = current && current.jurisdiction.join() !== unit.jurisdiction.join() ? current.jurisdiction : undefined;
  const jurisdiction = movedFrom ? [...new Set([...movedFrom, ...unit.jurisdiction])] : unit.jurisdiction;
  return { ok: true, incident: null, units: [unit], stale: false, jurisdiction, movedFrom, warnings };
}

/** `unit.status` from a terminal: always applied (DESIGN §3), with the latest fix attached. */
export function setUnitStatus(
  data: EventData<'unit.status'>, current: Unit | null, ctx: FactContext, lastFix: Unit['lastFix'],
): ReduceResult {
  if (!current) return refuse('unknown_unit', `unit ${data.unitId} is not registered`, 'data.unitId');
  const changes = data.status !== current.status;
  const unit: Unit = {
    ...current,
    version: current.version + 1,
    status: data.status,
    incidentId: data.status === 'available' || data.status === 'off_duty' ? null : current.incidentId,
    statusSince: changes ? ctx.receivedAt : current.statusSince,
    lastFix: lastFix ?? current.lastFix,
    updatedAt: ctx.receivedAt,
  };
  return { ok: true, incident: null, units: [unit], stale: false, jurisdiction: current.jurisdiction, warnings: [] };
}
