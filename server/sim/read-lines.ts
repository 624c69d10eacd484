import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Lines of a text file, gunzipped on the fly when it starts with the gzip magic bytes. */
export async function readLines(file: string): Promise<AsyncIterable<string>> {
  const fh = await open(file, 'r');
  const magic = Buffer.alloc(2);
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file);
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
  const input = gzipped ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  // readline does not forward stream errors (a truncated .gz); re-emitting ends the iteration with it.
  const fail = (err: Error) => rl.emit('error', err);
  raw.on('error', fail);
  if (gzipped) input.on('error', fail);
  return rl;
}
