export {
  exportRdf,
  exportRdfToDir,
  findStores,
  type ExportRdfOptions,
  type ExportRdfOutput,
  type ExportRdfToDirOptions,
} from './rdf.js';
export {
  writeRdfDump,
  writeRdfDumpStream,
  type RdfDump,
  type RdfDumpOptions,
  type RdfDumpStream,
} from './dump-files.js';
export { mergeSchemas } from './schema-merge.js';
export {
  countLines,
  LineReader,
  mergeSortedLines,
  MAX_LINE_BYTES,
  MERGE_BATCH_BYTES,
  type LineSource,
  type MergeStats,
} from './lines.js';
export { nativeChunks } from './native-stream.js';
export { encodeExport, ExportReader, EXPORT_CONTENT_TYPE, EXPORT_FORMAT, type ExportHeader } from './wire.js';
