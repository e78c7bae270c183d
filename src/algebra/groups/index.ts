// Public API of src/algebra/groups: permutation groups (Schreier–Sims, derived series,
// composition factors).
export * from './perm-api.js';
export { StabChain } from './schreier-sims.js';
export { normalClosure, derivedSubgroup, derivedSeries, certifyOrder } from './subgroups.js';
export { ProductReplacement } from './product-replacement.js';
export { compositionFactors, type CompositionResult } from './composition.js';
export { simpleGroupNames, ambiguousSimpleOrders, primeFactors, isPrime } from './simple-groups.js';
export { describeStructure } from './structure.js';
export { analyzePermutationGroup, analyzeStabChain, permutationGroup, groupReportJson, type GroupReport, type GroupAnalysisOptions } from './report.js';
