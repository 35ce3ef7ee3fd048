/**
 * The packaged dist/strata-vscode.vsix: holds the bundle and @strata/native's loader and .node
 * binary beside it (and nothing of the sources or tests), and the addon loads from the unpacked
 * extension with this Node. (The UI test loads it in VS Code's extension host on Node 24.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PKG_DIR, tempDir } from './helpers.js';

/** The entries of a zip file (central directory), with their data. */
function readZip(buf: Buffer): Map<string, Buffer> {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + size);
    out.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('dist/strata-vscode.vsix', () => {
  const vsix = path.join(PKG_DIR, 'dist/strata-vscode.vsix');
  const t = tempDir();
  let entries: Map<string, Buffer>;

  beforeAll(() => {
    if (!existsSync(vsix))
      execFileSync(process.execPath, [path.join(PKG_DIR, 'scripts/build.mjs')], {
        cwd: PKG_DIR,
        stdio: 'inherit',
      });
    entries = readZip(readFileSync(vsix));
    for (const [name, data] of entries) {
      const file = path.join(t.dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, data);
    }
  });
  afterAll(t.cleanup);

  it('holds the bundle, the native addon beside it, media and the manifest — no sources', () => {
    const names = [...entries.keys()].filter((n) => n.startsWith('extension/')).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'extension/package.json',
        'extension/readme.md',
        'extension/dist/extension.js',
        'extension/dist/node_modules/@strata/native/index.js',
        'extension/dist/node_modules/@strata/native/package.json',
        'extension/dist/node_modules/@strata/native/strata-native.linux-x64-gnu.node',
        'extension/media/strata.svg',
        'extension/media/screenshot.png',
      ]),
    );
    expect(names.filter((n) => /\/(src|test|scripts)\/|\.ts$|tsconfig/.test(n))).toEqual([]);
    const pkg = JSON.parse(entries.get('extension/package.json')!.toString()) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: 'strata-vscode',
      publisher: 'strata',
      main: './dist/extension.js',
      engines: { vscode: '^1.90.0' },
    });
    // the addon is byte-identical to the one @strata/native built
    const built = readFileSync(
      createRequire(path.join(PKG_DIR, 'package.json')).resolve(
        '@strata/native/strata-native.linux-x64-gnu.node',
      ),
    );
    expect(
      entries
        .get('extension/dist/node_modules/@strata/native/strata-native.linux-x64-gnu.node')!
        .equals(built),
    ).toBe(true);
  });

  it('the unpacked bundle finds and loads the addon beside it', () => {
    const bundle = path.join(t.dir, 'extension/dist/extension.js');
    const req = createRequire(bundle);
    expect(req.resolve('@strata/native')).toBe(
      path.join(t.dir, 'extension/dist/node_modules/@strata/native/index.js'),
    );
    expect((req('@strata/native') as { nativeVersion(): string }).nativeVersion()).toBe('0.1.0');
    // The bundle itself loads (with a stand-in `vscode` module) and exports activate/deactivate.
    const M = Module as unknown as { _resolveFilename: (r: string, ...a: unknown[]) => string };
    const orig = M._resolveFilename;
    M._resolveFilename = function (r: string, ...a: unknown[]) {
      return r === 'vscode' ? 'vscode' : orig.call(this, r, ...a);
    };
    req.cache.vscode = {
      id: 'vscode',
      filename: 'vscode',
      loaded: true,
      exports: {},
    } as unknown as NodeJS.Module;
    try {
      const ext = req(bundle) as Record<string, unknown>;
      expect(typeof ext.activate).toBe('function');
      expect(typeof ext.deactivate).toBe('function');
    } finally {
      M._resolveFilename = orig;
      delete req.cache.vscode;
    }
  });
});
