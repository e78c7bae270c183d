// Public API of src/algebra: transformation semigroups (Froidure–Pin), Green's relations, maximal
// subgroups, the shortcut-depth report.
export * from './generators.js';
export * from './froidure-pin.js';
export * from './semigroup.js';
export * from './reference.js';
