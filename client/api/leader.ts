// The leader view's HTTP calls (issue 9; DESIGN §4): GET /stats?metric=leader and metric=rankings,
// GET /targets, GET /reports/daily. Types only from the shared contract (zod stays out of the bundle).
import type { DailyReport, LeaderStats, RankingBy, Rankings, TargetsResponse } from '../../shared/leader.js';
import type { Level } from '../../shared/jurisdiction.js';
import { api } from './http.js';

export type { DailyReport, LeaderStats, RankingBy, Rankings, TargetsResponse };

const enc = encodeURIComponent;
const scopeParam = (scope: string | null | undefined) => (scope ? `&scope=${enc(scope)}` : '');

/** The five indicators over 7/30/90 days against their targets, with the 90-day series. */
export const getLeaderStats = (scope: string | null) => api<LeaderStats>(`/stats?metric=leader${scopeParam(scope)}`);

/** The jurisdictions at `level` under the scope, ranked `by`. */
export const getRankings = (scope: string | null, level: Exclude<Level, 'city'>, by: RankingBy, limit = 50) =>
  api<Rankings>(`/stats?metric=rankings${scopeParam(scope)}&level=${level}&by=${by}&limit=${limit}`);

export const getTargets = () => api<TargetsResponse>('/targets');

/** The daily report (日报) as JSON. */
export const getDailyReport = (scope: string | null, date: string | null) =>
  api<DailyReport>(`/reports/daily?format=json${scopeParam(scope)}${date ? `&date=${enc(date)}` : ''}`);

/** The server's CSV of the daily report (a plain link: the browser downloads it with the session cookie). */
export const dailyReportCsvUrl = (scope: string | null, date: string | null) =>
  `/api/v1/reports/daily?format=csv${scopeParam(scope)}${date ? `&date=${enc(date)}` : ''}`;
