// Browser tests run against the built client: build it once before the e2e project starts.
import { build } from 'vite';

export default async function setup(): Promise<void> {
  // vitest sets NODE_ENV=test, which would give a development build of Vue: test what users get
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: new URL('../../vite.config.ts', import.meta.url).pathname, logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = env;
  }
}
