// The event catalogue for the ingest-key form. shared/ has no zod-free list of event types
// (EVENT_TYPES lives in shared/events.ts next to the zod schemas), so the client keeps its own,
// typed against `EventType`: a `Record<EventType, …>` fails the type check when the catalogue
// gains, loses or renames a type.
import type { EventType } from '../../shared/events.js';

const EVENT_TYPE_NAMES: Record<EventType, { zh: string; en: string }> = {
  'incident.reported': { zh: '警情上报', en: 'Incident reported' },
  'incident.updated': { zh: '警情更新', en: 'Incident updated' },
  'incident.linked': { zh: '警情合并', en: 'Incident linked' },
  'incident.dispatched': { zh: '警情派警', en: 'Incident dispatched' },
  'incident.acknowledged': { zh: '接警确认', en: 'Incident acknowledged' },
  'incident.en_route': { zh: '出警在途', en: 'Unit en route' },
  'incident.arrived': { zh: '到达现场', en: 'Arrived on scene' },
  'incident.resolved': { zh: '警情处置', en: 'Incident resolved' },
  'incident.closed': { zh: '警情结案', en: 'Incident closed' },
  'incident.cancelled': { zh: '警情撤销', en: 'Incident cancelled' },
  'incident.reopened': { zh: '警情重开', en: 'Incident reopened' },
  'incident.unit_released': { zh: '警力释放', en: 'Unit released' },
  'unit.registered': { zh: '警力登记', en: 'Unit registered' },
  'unit.position': { zh: '警力定位', en: 'Unit position' },
  'unit.status': { zh: '警力状态', en: 'Unit status' },
  'patrol.checkin': { zh: '巡逻打卡', en: 'Patrol check-in' },
  'dispute.registered': { zh: '纠纷登记', en: 'Dispute registered' },
  'dispute.mediated': { zh: '纠纷调解', en: 'Dispute mediated' },
  'dispute.assessed': { zh: '纠纷研判', en: 'Dispute assessed' },
  'dispute.routed': { zh: '纠纷分流', en: 'Dispute routed' },
  'dispute.escalated': { zh: '纠纷升级', en: 'Dispute escalated' },
  'dispute.resolved': { zh: '纠纷化解', en: 'Dispute resolved' },
  'dispute.closed': { zh: '纠纷办结', en: 'Dispute closed' },
  'petition.filed': { zh: '信访登记', en: 'Petition filed' },
  'petition.answered': { zh: '信访答复', en: 'Petition answered' },
  'petition.closed': { zh: '信访办结', en: 'Petition closed' },
  'petition.escalated': { zh: '信访提级办理', en: 'Petition escalated' },
  'supervision.issued': { zh: '督办下达', en: 'Supervision issued' },
  'supervision.answered': { zh: '督办反馈', en: 'Supervision answered' },
  'supervision.closed': { zh: '督办办结', en: 'Supervision closed' },
  'feedback.received': { zh: '群众回访', en: 'Feedback received' },
  'gridworker.report': { zh: '网格员上报', en: 'Grid worker report' },
  'duty.handover': { zh: '值班交接', en: 'Duty handover' },
  'indicator.updated': { zh: '指标更新', en: 'Indicator updated' },
  'alert.raised': { zh: '预警产生', en: 'Alert raised' },
  'alert.acknowledged': { zh: '预警确认', en: 'Alert acknowledged' },
  'alert.escalated': { zh: '预警升级', en: 'Alert escalated' },
  'alert.cleared': { zh: '预警解除', en: 'Alert cleared' },
};

/** Every event type, in catalogue order. */
export const EVENT_TYPE_LIST = Object.keys(EVENT_TYPE_NAMES) as EventType[];

/** The family of a type (`incident`, `unit`, …), for grouping the picker. */
export const eventFamily = (type: string) => type.split('.')[0] ?? type;

/** A type's name in the UI language; unknown types (and `*`) show as they are. */
export function eventTypeName(type: string, locale: string): string {
  const n = (EVENT_TYPE_NAMES as Record<string, { zh: string; en: string } | undefined>)[type];
  return n ? n[locale.startsWith('zh') ? 'zh' : 'en'] : type;
}
