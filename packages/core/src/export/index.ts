export { exportRdf, exportRdfToDir, findStores, type ExportRdfOptions, type ExportRdfOutput } from './rdf.js';
