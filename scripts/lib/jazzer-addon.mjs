// Makes Jazzer.js's prebuilt libFuzzer addon load on an older glibc.
//
// @jazzer.js/fuzzer 4.0.0 ships only a prebuilt `fuzzer-linux-x64.node`, built against glibc 2.38
// and GCC 13's libstdc++. It needs three symbols older systems lack (Debian 12 has glibc 2.36):
// `__isoc23_strtol`, `__isoc23_strtoul` (C23 strtol) and `std::ios_base_library_init()`. Its
// sources are not in the package, so it cannot be rebuilt here. On such a system this module
// makes a copy of the addon in $STRATA_CACHE whose requirements of those two versions
// (GLIBC_2.38, GLIBCXX_3.4.32) are marked weak, builds fuzz/glibc-shim/shim.cc (which defines
// the three symbols over the older libraries), and returns the environment that makes Node load
// the copy (a --require hook redirecting the addon's dlopen) with the shim preloaded. On a system
// with glibc >= 2.38 nothing is done.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const WEAKEN = new Set(['GLIBC_2.38', 'GLIBCXX_3.4.32']);
const VER_FLG_WEAK = 2;

/** The glibc version of this process, e.g. [2, 36]; undefined when not glibc. */
function glibc() {
  const header = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report.getReport());
  const v = header.header?.glibcVersionRuntime;
  return v ? v.split('.').map(Number) : undefined;
}

/**
 * Marks the version requirements in WEAKEN weak in an ELF64 little-endian shared object and makes
 * the undefined symbols that asked for them unversioned. Returns the names of those symbols.
 * @param {Buffer} elf
 */
export function weakenVersions(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1)
    throw new Error('not an ELF64 LE file');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({
      type: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
      link: elf.readUInt32LE(at + 0x28),
      info: elf.readUInt32LE(at + 0x2c),
      entsize: Number(elf.readBigUInt64LE(at + 0x38)),
    });
  }
  const verneed = sections.find((s) => s.type === 0x6ffffffe);
  const versym = sections.find((s) => s.type === 0x6fffffff);
  const dynsym = sections.find((s) => s.type === 11);
  if (!verneed || !versym || !dynsym) throw new Error('no symbol versioning sections');
  const dynstr = sections[dynsym.link];
  if (!dynstr) throw new Error('no .dynstr');
  const str = (off) => {
    const start = dynstr.offset + off;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };
  const weakened = new Set();
  let at = verneed.offset;
  for (let n = 0; n < verneed.info; n++) {
    const cnt = elf.readUInt16LE(at + 2);
    let aux = at + elf.readUInt32LE(at + 8);
    for (let j = 0; j < cnt; j++) {
      if (WEAKEN.has(str(elf.readUInt32LE(aux + 8)))) {
        elf.writeUInt16LE(elf.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4);
        weakened.add(elf.readUInt16LE(aux + 6));
      }
      aux += elf.readUInt32LE(aux + 12);
    }
    at += elf.readUInt32LE(at + 12);
  }
  const names = [];
  for (let i = 0; i < dynsym.size / dynsym.entsize; i++) {
    const v = versym.offset + 2 * i;
    if (!weakened.has(elf.readUInt16LE(v) & 0x7fff)) continue;
    elf.writeUInt16LE(1, v); // VER_NDX_GLOBAL
    names.push(str(elf.readUInt32LE(dynsym.offset + i * dynsym.entsize)));
  }
  return names;
}

/**
 * Environment for running Jazzer.js from `fuzzDir` (the folder whose node_modules has it).
 * @param {{ fuzzDir: string, cacheDir: string }} opts
 * @returns {Record<string, string>}
 */
export function jazzerEnv({ fuzzDir, cacheDir }) {
  const v = glibc();
  if (!v || (v[0] ?? 0) > 2 || (v[0] === 2 && (v[1] ?? 0) >= 38)) return {};
  const require = createRequire(join(fuzzDir, 'package.json'));
  const core = dirname(require.resolve('@jazzer.js/core/package.json'));
  const fuzzerPkg = createRequire(join(core, 'package.json')).resolve('@jazzer.js/fuzzer/package.json');
  const version = JSON.parse(readFileSync(fuzzerPkg, 'utf8')).version;
  const original = join(dirname(fuzzerPkg), 'prebuilds', `fuzzer-linux-${process.arch}.node`);
  const dir = join(cacheDir, `jazzer-addon-${version}`);
  const addon = join(dir, 'fuzzer.node');
  const shim = join(dir, 'libjazzer-shim.so');
  const hook = join(dir, 'redirect.cjs');
  if (!existsSync(addon) || !existsSync(shim) || !existsSync(hook)) {
    mkdirSync(dir, { recursive: true });
    const elf = readFileSync(original);
    const names = weakenVersions(elf);
    console.log(
      `fuzz: glibc ${v.join('.')}: Jazzer.js addon copy with weak ${[...WEAKEN].join(', ')} (${names.join(', ')})`,
    );
    execFileSync('c++', ['-shared', '-fPIC', '-O2', '-o', shim, join(fuzzDir, 'glibc-shim', 'shim.cc')]);
    writeFileSync(
      hook,
      `// Loads ${addon} in place of the prebuilt addon (scripts/lib/jazzer-addon.mjs).\n` +
        `const dlopen = process.dlopen;\n` +
        `const prebuilt = ${JSON.stringify(`prebuilds/fuzzer-linux-${process.arch}.node`)};\n` +
        `process.dlopen = (m, f, ...rest) => dlopen(m, String(f).endsWith(prebuilt) ? ${JSON.stringify(addon)} : f, ...rest);\n`,
    );
    const tmp = `${addon}.tmp`;
    writeFileSync(tmp, elf);
    copyFileSync(tmp, addon);
  }
  return { LD_PRELOAD: shim, NODE_OPTIONS: `--require ${hook}` };
}
