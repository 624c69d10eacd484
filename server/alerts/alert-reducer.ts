// The alert reducer (DESIGN §3, §8): pure. An alert is raised open, acknowledged by a person,
// escalated (recorded beside its state) and cleared. At most one alert per (kind, scope) is not
// cleared: the raise refuses when the marker `alert:open:<kind>:<scope>` is present, and the
// commit checks that marker absent (expected version 0), so concurrent raises yield one alert.
import type { EventData } from '../../shared/events.js';
import type { Alert, AlertOpenMarker } from '../../shared/objects.js';
import { refuse, type FactContext, type ReduceResult } from '../../shared/incidents/types.js';

export const ALERT_EVENT_TYPES = ['alert.raised', 'alert.acknowledged', 'alert.escalated', 'alert.cleared'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];
export type AlertData = EventData<'alert.raised'>;

export const isAlertEvent = (t: string): t is AlertEventType => (ALERT_EVENT_TYPES as readonly string[]).includes(t);

/** An alert's state after the fact, as a reducer outcome placed at the alert's jurisdiction. */
const done = (alert: Alert): ReduceResult => ({
  ok: true, incident: null, units: [], alert, stale: false, jurisdiction: alert.jurisdiction, warnings: [],
});

const unknownAlert = (id: string) => refuse('unknown_alert', `alert ${id} does not exist`, 'data.alertId');

const notAllowed = (a: Alert, what: string) =>
  refuse('invalid_transition', `alert ${a.id} is ${a.state}: cannot ${what}`, 'data.alertId', { current: a.state, alertId: a.id });

/** `alert.raised`: creates an open alert, unless one of the same kind and scope is not cleared. */
export function raiseAlert(data: AlertData, existing: Alert | null, open: AlertOpenMarker | null, ctx: FactContext): ReduceResult {
  if (existing) return refuse('alert_exists', `alert ${data.alertId} exists (${existing.state})`, 'data.alertId', { alertId: existing.id, state: existing.state });
  if (data.kind === undefined) return refuse('required', 'data.kind is required to raise an alert', 'data.kind');
  if (data.scope === undefined) return refuse('required', 'data.scope is required to raise an alert', 'data.scope');
  const chain = ctx.chainOf(data.scope);
  if (chain.length === 0) return refuse('unknown_jurisdiction', `scope "${data.scope}" is not a known jurisdiction`, 'data.scope');
  if (open) {
    return refuse('alert_open', `alert ${open.id} of kind ${data.kind} for ${data.scope} is still open`, 'data.scope',
      { alertId: open.id, kind: data.kind, scope: data.scope });
  }
  const alert: Alert = {
    id: data.alertId, version: 1, kind: data.kind, severity: data.severity ?? 'warning', scope: data.scope,
    state: 'open', escalated: false, escalationLevel: 0, jurisdiction: chain, source: ctx.source,
    raisedAt: ctx.time, acknowledgedAt: null, acknowledgedBy: null, escalatedAt: null, clearedAt: null,
    updatedAt: ctx.receivedAt,
  };
  if (data.subject !== undefined) alert.subject = data.subject;
  if (data.evidence !== undefined) alert.evidence = data.evidence;
  return done(alert);
}

const bump = (a: Alert, ctx: FactContext, over: Partial<Alert>): Alert => {
  const { updatedSeq: _seq, ...rest } = a;
  return { ...rest, ...over, version: a.version + 1, updatedAt: ctx.receivedAt };
};

/** Who did it: `data.by` when given, else the entry's source. */
const actor = (data: AlertData, ctx: FactContext) => (typeof data.by === 'string' && data.by ? data.by : ctx.source);

/** `alert.acknowledged`: open → acknowledged. */
export function acknowledgeAlert(data: AlertData, alert: Alert | null, ctx: FactContext): ReduceResult {
  if (!alert) return unknownAlert(data.alertId);
  if (alert.state !== 'open') return notAllowed(alert, 'acknowledge');
  return done(bump(alert, ctx, { state: 'acknowledged', acknowledgedAt: ctx.time, acknowledgedBy: actor(data, ctx) }));
}

/** `alert.escalated`: records one more escalation of an alert not yet cleared (severity may rise). */
export function escalateAlert(data: AlertData, alert: Alert | null, ctx: FactContext): ReduceResult {
  if (!alert) return unknownAlert(data.alertId);
  if (alert.state === 'cleared') return notAllowed(alert, 'escalate');
  return done(bump(alert, ctx, {
    escalated: true, escalationLevel: alert.escalationLevel + 1, escalatedAt: ctx.time,
    ...(data.severity !== undefined ? { severity: data.severity } : {}),
    ...(data.to !== undefined ? { escalatedTo: data.to } : {}),
  }));
}

/** `alert.cleared`: → cleared; the commit frees the (kind, scope) marker. */
export function clearAlert(data: AlertData, alert: Alert | null, ctx: FactContext): ReduceResult {
  if (!alert) return unknownAlert(data.alertId);
  if (alert.state === 'cleared') return notAllowed(alert, 'clear');
  return done(bump(alert, ctx, { state: 'cleared', clearedAt: ctx.time }));
}
