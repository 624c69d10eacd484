// The build a client compares in `hello.version` (server/version.ts): a new client build changes it
// by itself, a restart of the same build does not, BUILD_ID names it when set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVersion } from '../../server/version.js';

const dir = mkdtempSync(path.join(tmpdir(), 'version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildVersion', () => {
  it('follows the built client: the same bundle gives the same version, a new one another', () => {
    writeFileSync(path.join(dir, 'index.html'), '<script src="/assets/index-AAAA.js"></script>');
    const a = buildVersion(dir, '');
    expect(a).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{10}$/);
    expect(buildVersion(dir, '')).toBe(a);
    writeFileSync(path.join(dir, 'index.html'), '<script src="/assets/index-BBBB.js"></script>');
    expect(buildVersion(dir, '')).not.toBe(a);
  });

  it('is named by BUILD_ID when set, and is the package version without a built client', () => {
    expect(buildVersion(dir, 'r42')).toMatch(/^\d+\.\d+\.\d+\+r42$/);
    expect(buildVersion(path.join(dir, 'missing'), '')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(buildVersion(undefined, '')).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
