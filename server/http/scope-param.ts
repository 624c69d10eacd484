import type { JurisdictionTree } from '../geo/types.js';
import { notFound } from './errors.js';

/** The scopes a list runs in: the asked one if the user may see it (else 404), or all of theirs. */
export function resolveScope(tree: JurisdictionTree, scopes: string[], asked: string | undefined): string[] {
  if (asked === undefined) return scopes;
  const chain = tree.chain(asked);
  if (chain.length === 0 || !scopes.some((s) => chain.includes(s))) throw notFound(`jurisdiction ${asked}`);
  return [asked];
}
