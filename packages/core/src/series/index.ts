export {
  analyzeChain,
  selectChain,
  checkGroupCount,
  chainGroupCount,
  listSeries,
  type ChainOptions,
  type ChainAnalysis,
  type Chain,
  type SeriesSummary,
} from './chain.js';
export { parseUntil, chooseUntil, type UntilPoint, type UntilChoice } from './until.js';
