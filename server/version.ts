import { readFileSync } from 'node:fs';

/** The server build: package version plus a start-time stamp unless BUILD_ID is set. */
export const VERSION: string = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return process.env.BUILD_ID ? `${pkg.version}+${process.env.BUILD_ID}` : pkg.version;
})();
