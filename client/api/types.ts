// Answer types of the REST API, inferred from the shared zod schemas. Type-only imports keep zod
// out of the browser bundle.
import type { z } from 'zod';
import type { incidentDetailSchema, incidentListSchema, loginResponseSchema, unitListSchema } from '../../shared/api.js';

export type IncidentList = z.infer<typeof incidentListSchema>;
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;
export type UnitList = z.infer<typeof unitListSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
