import type { JurisdictionCollection, JurisdictionProps } from '../../shared/jurisdiction.js';

/** Result of mapping a point to its grid. */
export interface GridMatch {
  gridId: string;
  /** ids from the grid up to the city: [grid, community, street, district, city] */
  chain: string[];
  /** true when the point lies outside every grid and was snapped to the nearest one */
  outOfArea: boolean;
  /** 0 when inside; else the distance to the snapped grid's boundary */
  distanceMeters: number;
}

/** The jurisdiction tree with its spatial index; immutable once built. */
export interface JurisdictionTree {
  readonly collection: JurisdictionCollection;
  readonly cityId: string;
  get(id: string): JurisdictionProps | undefined;
  /** id chain from `id` up to the city (inclusive), or [] for an unknown id */
  chain(id: string): string[];
  /** the grid containing the point, else the nearest grid within maxSnapMeters (default 2000), else null */
  locate(lat: number, lon: number, maxSnapMeters?: number): GridMatch | null;
  /** ids of all jurisdictions of a level */
  idsAt(level: JurisdictionProps['level']): string[];
}
