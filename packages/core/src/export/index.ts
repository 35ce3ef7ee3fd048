export {
  exportRdf,
  exportRdfToDir,
  findStores,
  mergeExports,
  type ExportPart,
  type ExportRdfOptions,
  type ExportRdfOutput,
} from './rdf.js';
export { writeRdfDump, type RdfDump } from './dump-files.js';
