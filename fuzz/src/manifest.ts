/**
 * Backup manifests (packages/core/src/manifest/parse.ts, zod), both layouts. Input: a selector
 * byte (even: a per-folder `manifest.json` of v20.11; odd: a master `{"Manifests": [...]}`),
 * then the JSON text. Expected: `ManifestError`, naming the file and the field.
 */
import { ManifestError } from '../../packages/core/dist/errors.js';
import { parseMasterManifest, parsePerFolderManifest } from '../../packages/core/dist/manifest/parse.js';
import { expectOnly } from './expected.js';

const where = { file: 'fuzz/manifest.json', manifestFile: 'manifest.json' };

export function fuzz(data: Buffer): void {
  if (data.length === 0) return;
  const text = data.subarray(1).toString('utf8');
  expectOnly([ManifestError], () => {
    if ((data[0] ?? 0) % 2 === 0) parsePerFolderManifest(text, { ...where, folder: 'dgraph.1' });
    else parseMasterManifest(text, where);
  });
}
