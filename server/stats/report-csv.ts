// The daily report (日报) as CSV (GET /reports/daily?format=csv): the same values as the JSON, in
// sections — a title row (Chinese and English), a header row, the rows — separated by blank lines,
// CRLF line ends, and a UTF-8 byte order mark so that Excel opens the Chinese text correctly.
// Pure.
import type { DailyReport } from '../../shared/leader.js';
import { csvSections } from './leader-kpis.js';

export const UTF8_BOM = '\ufeff';

const v = (x: number | null) => (x === null ? '' : x);

export function dailyReportCsv(r: DailyReport): string {
  return UTF8_BOM + csvSections([
    {
      title: '日报 Daily report',
      header: ['scope', 'name', 'date', 'timeZone', 'from', 'to', 'generatedAt', 'asOfSeq'],
      rows: [[r.scope, r.scopeName, r.date, r.timeZone, r.from, r.to, r.generatedAt, r.asOfSeq ?? '']],
    },
    {
      title: '警情 Incidents by category',
      header: ['category', 'count'],
      rows: [...r.incidents.byCategory.map((c) => [c.category, c.count]), ['total', r.incidents.total]],
    },
    {
      title: '警情 Incidents by priority',
      header: ['priority', 'count'],
      rows: r.incidents.byPriority.map((p) => [p.priority, p.count]),
    },
    {
      title: '出警 Response',
      header: ['dispatches', 'arrivals', 'arrivalsOnTime', 'onTimeRate', 'medianDispatchSeconds', 'medianArrivalSeconds'],
      rows: [[r.response.dispatches, r.response.arrivals, r.response.arrivalsOnTime, v(r.response.onTimeRate), v(r.response.medianDispatchSeconds), v(r.response.medianArrivalSeconds)]],
    },
    {
      title: '矛盾纠纷与信访 Disputes and petitions',
      header: ['disputesOpened', 'disputesResolved', 'petitionsOpened', 'petitionsAnswered', 'resolvedOnTime', 'onTimeRate', 'overdueNow'],
      rows: [[r.cases.disputesOpened, r.cases.disputesResolved, r.cases.petitionsOpened, r.cases.petitionsAnswered, r.cases.resolvedOnTime, v(r.cases.onTimeRate), r.cases.overdueNow]],
    },
    {
      title: '督办 Supervision orders',
      header: ['issued', 'answered'],
      rows: [[r.supervision.issued, r.supervision.answered]],
    },
    {
      title: '预警 Alerts raised by kind',
      header: ['kind', 'count'],
      rows: [...r.alerts.byKind.map((a) => [a.kind, a.count]), ['total', r.alerts.total]],
    },
    {
      title: '群众满意度与巡逻覆盖 Satisfaction and patrol coverage',
      header: ['ratings', 'satisfaction', 'coverageSamples', 'coverageRate'],
      rows: [[r.feedback.ratings, v(r.feedback.satisfaction), r.coverage.samples, v(r.coverage.rate)]],
    },
    {
      title: '高风险网格 Top risk cells',
      header: ['gridId', 'name', 'crimeRisk', 'instabilityRisk', 'drivers'],
      rows: r.topRiskCells.map((c) => [c.id, c.name, c.crimeRisk, c.instabilityRisk, c.drivers.join(' ')]),
    },
    {
      title: '交接班 Handovers',
      header: ['at', 'shift', 'from', 'to', 'scope', 'notes', 'openItems'],
      rows: r.handovers.map((h) => [h.at, h.shift, h.from, h.to, h.scope, h.notes, h.openItems.map((o) => (o.note ? `${o.ref}: ${o.note}` : o.ref)).join('; ')]),
    },
  ]);
}
