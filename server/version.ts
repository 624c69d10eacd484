import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The server build that `hello.version` announces (a client reloads itself when it changes, DESIGN
 * §9): the package version plus BUILD_ID when set, else plus a hash of the built client's
 * index.html — it names the hashed bundles, so every new client build changes it by itself while
 * a restart of the same build does not.
 */
export function buildVersion(clientDir: string | undefined, buildId = process.env.BUILD_ID): string {
  if (buildId) return `${PACKAGE_VERSION}+${buildId}`;
  const index = clientDir ? path.join(clientDir, 'index.html') : null;
  if (!index || !existsSync(index)) return PACKAGE_VERSION;
  return `${PACKAGE_VERSION}+${createHash('sha1').update(readFileSync(index)).digest('hex').slice(0, 10)}`;
}
