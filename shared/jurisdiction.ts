import { z } from 'zod';

/** Jurisdiction levels from the top of the tree to the bottom. */
export const LEVELS = ['city', 'district', 'street', 'community', 'grid'] as const;
export const levelSchema = z.enum(LEVELS);
export type Level = z.infer<typeof levelSchema>;

/** Area types that select SLA targets. */
export const areaTypeSchema = z.enum(['urban', 'suburban', 'rural']);
export type AreaType = z.infer<typeof areaTypeSchema>;

/** Properties of one jurisdiction feature, as served by GET /jurisdictions. */
export const jurisdictionPropsSchema = z.object({
  id: z.string().min(1).max(64),
  level: levelSchema,
  parentId: z.string().nullable(),
  name: z.string(),
  areaType: areaTypeSchema,
});
export type JurisdictionProps = z.infer<typeof jurisdictionPropsSchema>;

const position = z.tuple([z.number(), z.number()]).rest(z.number());
const ring = z.array(position).min(4);
/** GeoJSON Polygon or MultiPolygon geometry (lon, lat order). */
export const areaGeometrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
]);
export type AreaGeometry = z.infer<typeof areaGeometrySchema>;

/** One jurisdiction as a GeoJSON feature. */
export const jurisdictionFeatureSchema = z.object({
  type: z.literal('Feature'),
  properties: jurisdictionPropsSchema,
  geometry: areaGeometrySchema,
});
export type JurisdictionFeature = z.infer<typeof jurisdictionFeatureSchema>;

/** The whole tree as a FeatureCollection. */
export const jurisdictionCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(jurisdictionFeatureSchema),
});
export type JurisdictionCollection = z.infer<typeof jurisdictionCollectionSchema>;

/** A WGS84 location. */
export const locationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Location = z.infer<typeof locationSchema>;
