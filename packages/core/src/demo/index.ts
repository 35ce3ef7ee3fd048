/** Strata's demo data set: a schema and generated N-Quads (`strata start --demo`, `strata demo-data`). */
export { DEMO_PREDICATES, DEMO_SCHEMA, DEMO_TYPES } from './schema.js';
export {
  DEMO_DEFAULT_PEOPLE,
  DEMO_DEFAULT_SEED,
  demoCounts,
  demoEmail,
  demoLines,
  demoNode,
  demoRdfChunks,
  type DemoCounts,
  type DemoOptions,
} from './generate.js';
export { DEMO_RDF_FILE, DEMO_SCHEMA_FILE, writeDemoFiles, type DemoFiles } from './write.js';
export { CITIES, CITY_LANGS, type DemoCity } from './vocabulary.js';
