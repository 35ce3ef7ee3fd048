export * from './model.js';
export { parseName, formatName, parseNamespace, formatNamespace } from './names.js';
export {
  NEWEST_MANIFEST_VERSION,
  KNOWN_MANIFEST_VERSIONS,
  manifestEntrySchema,
  parseManifestEntry,
  parsePerFolderManifest,
  parseMasterManifest,
  deriveSince,
  type ManifestEntryJson,
} from './parse.js';
export { readManifests, MANIFEST_READ_CONCURRENCY, type ManifestSet } from './read.js';
export {
  serializeManifest,
  manifestEntryToJson,
  masterEntryToJson,
  summarizeMaster,
  layoutVersion,
  MANIFEST_LAYOUTS,
  type ManifestLayout,
} from './serialize.js';
