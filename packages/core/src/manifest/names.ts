/** Predicate names as each manifest version writes them, and namespace values of drop operations. */
import type { ManifestVersion, PredicateName } from './model.js';

/** Thrown by the converters below; the caller adds the file and field. */
export class NameFormatError extends Error {}

/** Parses a manifest name of the given version into namespace + bare name. */
export function parseName(raw: string, version: ManifestVersion): PredicateName {
  if (version === 0) return { namespace: 0n, name: raw };
  if (version === 2103) {
    if (raw.length < 8) {
      throw new NameFormatError(
        `name ${JSON.stringify(raw)} is shorter than the 8-byte namespace prefix of version 2103`,
      );
    }
    let ns = 0n;
    for (let i = 0; i < 8; i++) {
      const c = raw.charCodeAt(i);
      if (c >= 0x80) {
        throw new NameFormatError(
          `name ${JSON.stringify(raw)} has a corrupted namespace prefix (byte ${i} is U+${c
            .toString(16)
            .toUpperCase()
            .padStart(4, '0')}): version 2103 manifests cannot hold namespaces with a byte >= 0x80`,
        );
      }
      ns = (ns << 8n) | BigInt(c);
    }
    return { namespace: ns, name: raw.slice(8) };
  }
  const m = /^([0-9a-fA-F]{1,16})-([\s\S]*)$/.exec(raw);
  if (!m) {
    throw new NameFormatError(
      `name ${JSON.stringify(raw)} is not of the form <hex namespace>-<name> (version 2105)`,
    );
  }
  return { namespace: BigInt(`0x${m[1]}`), name: m[2]! };
}

/** Writes a name in the given version's form. Throws when the version cannot represent it. */
export function formatName(p: PredicateName, version: ManifestVersion): string {
  if (version === 0) {
    if (p.namespace !== 0n) {
      throw new NameFormatError(
        `predicate ${p.name} is in namespace ${p.namespace}: manifests before v21.03 have no namespaces`,
      );
    }
    return p.name;
  }
  if (version === 2103) {
    if (p.namespace < 0n || p.namespace >= 1n << 64n)
      throw new NameFormatError(`invalid namespace ${p.namespace}`);
    let prefix = '';
    for (let i = 7; i >= 0; i--) {
      const b = Number((p.namespace >> BigInt(i * 8)) & 0xffn);
      if (b >= 0x80) {
        throw new NameFormatError(
          `namespace ${p.namespace} cannot be written in a version 2103 manifest (a byte >= 0x80 is not valid JSON text)`,
        );
      }
      prefix += String.fromCharCode(b);
    }
    return prefix + p.name;
  }
  return `${p.namespace.toString(16)}-${p.name}`;
}

/** Parses a namespace written with Go `%#x` (`0x2`) or in decimal (`2`). */
export function parseNamespace(raw: string): bigint {
  const s = raw.trim();
  if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s)) {
    throw new NameFormatError(`namespace ${JSON.stringify(raw)} is not a number (expected e.g. "0x2")`);
  }
  const n = BigInt(s);
  if (n >= 1n << 64n) throw new NameFormatError(`namespace ${raw} does not fit in 64 bits`);
  return n;
}

/** Go `%#x` of a namespace: `0x0`, `0x2`. */
export function formatNamespace(ns: bigint): string {
  return `0x${ns.toString(16)}`;
}
