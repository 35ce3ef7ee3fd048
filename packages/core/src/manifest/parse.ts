/** Validates manifest JSON (zod) and converts it into the {@link BackupManifest} model. */
import { z } from 'zod';
import { ManifestError } from '../errors.js';
import type { BackupManifest, Compression, DropOperation, ManifestVersion, PredicateName } from './model.js';
import { NameFormatError, parseName, parseNamespace } from './names.js';

/** The newest manifest version this Strata reads. */
export const NEWEST_MANIFEST_VERSION = 2105;
export const KNOWN_MANIFEST_VERSIONS: readonly ManifestVersion[] = [0, 2103, 2105];

const uint = z.number().int().nonnegative();

const dropOperationSchema = z.object({
  // Go's encoding/json writes the enum as a number and omits it when 0 (ALL): `[{}]` is DROP_ALL.
  drop_op: z.union([z.number().int().min(0).max(3), z.enum(['ALL', 'DATA', 'ATTR', 'NS'])]).optional(),
  drop_value: z.string().optional(),
});

/** One manifest entry as Dgraph (and Strata) write it. Unknown fields are ignored. */
export const manifestEntrySchema = z.object({
  type: z.enum(['full', 'incremental']),
  since: uint.optional(),
  read_ts: uint.optional(),
  groups: z.record(z.string(), z.array(z.string()).nullable()).nullable().optional(),
  backup_id: z.string().min(1),
  backup_num: z.number().int().positive(),
  encrypted: z.boolean().optional(),
  drop_operations: z.array(dropOperationSchema).nullable().optional(),
  version: z.number().int().optional(),
  path: z.string().optional(),
  compression: z.string().optional(),
  // Strata's own fields.
  checksums: z
    .record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha256 hex digest'))
    .optional(),
  strata_version: z.string().optional(),
  key_fingerprint: z.string().optional(),
  store_key_order: z.boolean().optional(),
});
export type ManifestEntryJson = z.infer<typeof manifestEntrySchema>;

export const masterManifestSchema = z.object({ Manifests: z.array(z.unknown()).nullable() });

export interface EntryContext {
  /** The manifest file as shown in messages (the location joined with its relative path). */
  file: string;
  /** The manifest file relative to the location. */
  manifestFile: string;
  /** Field path prefix of the entry, e.g. `Manifests[2]` (empty for a per-folder manifest). */
  at: string;
  source: 'per-folder' | 'master';
  /** The backup folder (per-folder manifests: the folder holding manifest.json). */
  folder?: string;
}

type PathKey = PropertyKey;

/** `Manifests[0].groups["1"][2]` */
export function fieldPath(at: string, path: readonly PathKey[]): string {
  let out = at;
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string')
    return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return `an ${typeof v}`;
}

const ARTICLE: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true/false)',
  object: 'an object',
  array: 'an array',
  int: 'an integer',
};

function issueText(issue: z.core.$ZodIssue, raw: unknown): string {
  const got = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = ARTICLE[issue.expected] ?? issue.expected;
      return got === undefined
        ? `is missing (expected ${expected})`
        : `expected ${expected}, got ${describeValue(got)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(got)}`;
    case 'too_small':
      return `expected a value >= ${String(issue.minimum)}, got ${describeValue(got)}`;
    case 'too_big':
      return `expected a value <= ${String(issue.maximum)}, got ${describeValue(got)}`;
    case 'invalid_union':
      return `unexpected value ${describeValue(got)}`;
    default:
      return `${issue.message}, got ${describeValue(got)}`;
  }
}

/** `field "x": problem`, or `field "x" is missing ...` for problems that start with "is ". */
function fieldText(field: string, problem: string): string {
  if (field === '') return problem;
  return problem.startsWith('is ') ? `field "${field}" ${problem}` : `field "${field}": ${problem}`;
}

/** A ManifestError about `field` of `ctx.file`: `<file>: field "<field>": <problem>`. */
export function manifestError(
  ctx: Pick<EntryContext, 'file'>,
  field: string,
  problem: string,
): ManifestError {
  return new ManifestError(`${ctx.file}: ${fieldText(field, problem)}`, { file: ctx.file, field });
}

/** Turns a zod failure into a ManifestError naming the file and every bad field. */
export function zodToManifestError(
  ctx: Pick<EntryContext, 'file'>,
  at: string,
  error: z.ZodError,
  raw: unknown,
) {
  const issues = error.issues;
  const first = issues[0]!;
  const parts = issues.slice(0, 5).map((i) => fieldText(fieldPath(at, i.path), issueText(i, raw)));
  if (issues.length > 5) parts.push(`and ${issues.length - 5} more problems`);
  return new ManifestError(`${ctx.file}: ${parts.join('; ')}`, {
    file: ctx.file,
    field: fieldPath(at, first.path),
  });
}

function checkVersion(raw: unknown, ctx: EntryContext): ManifestVersion {
  const v = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).version : undefined;
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw manifestError(ctx, fieldPath(ctx.at, ['version']), `expected an integer, got ${describeValue(v)}`);
  }
  if (v > NEWEST_MANIFEST_VERSION) {
    throw manifestError(
      ctx,
      fieldPath(ctx.at, ['version']),
      `manifest version ${v} is newer than this Strata understands (it reads versions 0, 2103 and 2105): upgrade Strata`,
    );
  }
  if (v <= 0) return 0;
  if (v === 2103 || v === 2105) return v;
  throw manifestError(
    ctx,
    fieldPath(ctx.at, ['version']),
    `unknown manifest version ${v} (known: 0, 2103, 2105)`,
  );
}

function parseCompression(value: string | undefined, ctx: EntryContext): Compression {
  if (value === undefined || value === '' || value === 'gzip') return 'gzip';
  if (value === 'snappy') return 'snappy';
  throw manifestError(
    ctx,
    fieldPath(ctx.at, ['compression']),
    `unknown compression ${JSON.stringify(value)} (Strata reads "gzip" and "snappy"; "" means gzip)`,
  );
}

const DROP_OPS = ['ALL', 'DATA', 'ATTR', 'NS'] as const;

function parseDropOperation(
  raw: z.infer<typeof dropOperationSchema>,
  version: ManifestVersion,
  ctx: EntryContext,
  index: number,
): DropOperation {
  const op = typeof raw.drop_op === 'string' ? raw.drop_op : DROP_OPS[raw.drop_op ?? 0]!;
  const value = raw.drop_value;
  const field = fieldPath(ctx.at, ['drop_operations', index, 'drop_value']);
  const withValue = value === undefined ? {} : { value };
  try {
    switch (op) {
      case 'ALL':
        return { op, ...withValue };
      case 'DATA':
        // An empty value (2103 and older) means every namespace.
        return value === undefined || value === ''
          ? { op, ...withValue }
          : { op, namespace: parseNamespace(value), ...withValue };
      case 'ATTR': {
        if (value === undefined || value === '')
          throw new NameFormatError('a DROP_ATTR operation needs the predicate name');
        const p: PredicateName = parseName(value, version);
        return { op, namespace: p.namespace, attr: p.name, ...withValue };
      }
      case 'NS':
        if (value === undefined || value === '')
          throw new NameFormatError('a DROP_NS operation needs the namespace');
        return { op, namespace: parseNamespace(value), ...withValue };
    }
  } catch (err) {
    if (err instanceof NameFormatError) throw manifestError(ctx, field, err.message);
    throw err;
  }
}

/**
 * Validates one manifest entry (a per-folder manifest, or one element of `Manifests`) and
 * converts it. `since` is set to what the file says; {@link deriveSince} fixes it up once the
 * whole location is known.
 */
export function parseManifestEntry(raw: unknown, ctx: EntryContext): BackupManifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw manifestError(ctx, ctx.at, `expected a JSON object, got ${describeValue(raw)}`);
  }
  // The version first: a manifest from the future should say so, not trip over a changed field.
  const version = checkVersion(raw, ctx);
  const parsed = manifestEntrySchema.safeParse(raw);
  if (!parsed.success) throw zodToManifestError(ctx, ctx.at, parsed.error, raw);
  const e = parsed.data;
  const compression = parseCompression(e.compression, ctx);

  if (e.since === undefined && e.read_ts === undefined) {
    throw manifestError(
      ctx,
      fieldPath(ctx.at, ['read_ts']),
      'is missing, and so is "since" (expected a number)',
    );
  }
  const fileSince = BigInt(e.since ?? 0);
  const readTs = e.read_ts !== undefined && e.read_ts > 0 ? BigInt(e.read_ts) : fileSince;

  let path: string;
  if (ctx.source === 'per-folder') {
    path = ctx.folder ?? '';
  } else {
    if (e.path === undefined || e.path === '') {
      throw manifestError(ctx, fieldPath(ctx.at, ['path']), 'is missing (expected the backup folder name)');
    }
    path = e.path.replace(/^\/+|\/+$/g, '');
  }

  const groups = new Map<number, PredicateName[]>();
  for (const [gid, names] of Object.entries(e.groups ?? {})) {
    if (!/^\d+$/.test(gid)) {
      throw manifestError(ctx, fieldPath(ctx.at, ['groups', gid]), 'a group id must be a decimal number');
    }
    const list: PredicateName[] = [];
    (names ?? []).forEach((n, i) => {
      try {
        list.push(parseName(n, version));
      } catch (err) {
        if (err instanceof NameFormatError)
          throw manifestError(ctx, fieldPath(ctx.at, ['groups', gid, i]), err.message);
        throw err;
      }
    });
    groups.set(Number(gid), list);
  }

  const dropOperations = (e.drop_operations ?? []).map((d, i) => parseDropOperation(d, version, ctx, i));

  const m: BackupManifest = {
    path,
    type: e.type,
    readTs,
    since: fileSince,
    backupId: e.backup_id,
    backupNum: e.backup_num,
    encrypted: e.encrypted ?? false,
    compression,
    version,
    groups: new Map([...groups].sort((a, b) => a[0] - b[0])),
    dropOperations,
    source: ctx.source,
    manifestFile: ctx.manifestFile,
  };
  if (e.checksums !== undefined) m.checksums = e.checksums;
  if (e.strata_version !== undefined) m.strataVersion = e.strata_version;
  if (e.key_fingerprint !== undefined) m.keyFingerprint = e.key_fingerprint;
  if (e.store_key_order !== undefined) m.storeKeyOrder = e.store_key_order;
  return m;
}

/** JSON.parse with an error naming the file. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ManifestError(`${file}: not valid JSON (${(err as Error).message})`, { file, cause: err });
  }
}

/** Parses a per-folder (v20.07 / v20.11) `manifest.json`. */
export function parsePerFolderManifest(
  text: string,
  opts: { file: string; manifestFile: string; folder: string },
): BackupManifest {
  const raw = parseJsonText(text, opts.file);
  if (raw !== null && typeof raw === 'object' && 'Manifests' in raw) {
    throw manifestError(opts, '', 'a master manifest ({"Manifests": [...]}) inside a backup folder');
  }
  return parseManifestEntry(raw, { ...opts, at: '', source: 'per-folder' });
}

/** Parses a master (v21.03+) `manifest.json`: `{"Manifests": [...]}`, entries in backup order. */
export function parseMasterManifest(
  text: string,
  opts: { file: string; manifestFile: string },
): BackupManifest[] {
  const raw = parseJsonText(text, opts.file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw manifestError(opts, '', `expected a JSON object {"Manifests": [...]}, got ${describeValue(raw)}`);
  }
  if (!('Manifests' in raw)) {
    throw manifestError(
      opts,
      'Manifests',
      'is missing: a manifest.json at the location root must be a master manifest ({"Manifests": [...]}); ' +
        'to read a v20.x backup, give the folder that holds the dgraph.* folders',
    );
  }
  const parsed = masterManifestSchema.safeParse(raw);
  if (!parsed.success) throw zodToManifestError(opts, '', parsed.error, raw);
  return (parsed.data.Manifests ?? []).map((entry, i) =>
    parseManifestEntry(entry, { ...opts, at: `Manifests[${i}]`, source: 'master' }),
  );
}

/**
 * Sets each backup's `since` to the read timestamp of the previous backup of its series (0 for a
 * full backup); an incremental whose predecessor is not at the location keeps the file's value.
 * `manifests` must be in backup order.
 */
export function deriveSince(manifests: BackupManifest[]): void {
  const last = new Map<string, bigint>();
  for (const m of manifests) {
    if (m.type === 'full') m.since = 0n;
    else {
      const prev = last.get(m.backupId);
      if (prev !== undefined) m.since = prev;
    }
    last.set(m.backupId, m.readTs);
  }
}
