// Public API of src/algebra: transformation semigroups (Froidure–Pin), Green's relations, maximal
// subgroups, the shortcut-depth report; permutation groups (groups/) and Krohn–Rhodes (krohn-rhodes/).
export * from './generators.js';
export * from './froidure-pin.js';
export * from './semigroup.js';
export * from './reference.js';
export * from './scc.js';
export * from './green.js';
export * from './maximal-subgroups.js';
export * from './groups/index.js';
export * from './krohn-rhodes/index.js';
export * from './shortcut.js';
export * from './report.js';
