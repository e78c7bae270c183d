/**
 * Plain TypeScript reference of the closure, for tests and the benchmark baseline: breadth-first
 * search from the generators multiplying every element by every generator (no Froidure–Pin
 * shortcuts), keys in a Map. Breadth-first order with letters in order is shortlex order of the
 * shortest words, so elements, words and both Cayley graphs must equal the kernel's exactly.
 */
import { checkGenerators, type GeneratorSource } from './generators.js';
import { DEFAULT_MAX_SIZE, SemigroupSizeError } from './froidure-pin.js';
import { checkNumbers, fail } from '../validate/index.js';

export interface ReferenceClosure {
  elements: number[][];
  words: number[][];
  /** right[i][a] = index of i·a */
  right: number[][];
  /** left[i][a] = index of a·i */
  left: number[][];
}

/** (u·v)[q] = v[u[q]]: apply u, then v. */
export function composeTransformations(u: readonly number[], v: readonly number[]): number[] {
  const n = checkNumbers('composeTransformations', 'u', u, { minLength: 1, integer: true, min: 0 }).length;
  checkNumbers('composeTransformations', 'v', v, { length: n, integer: true, min: 0, max: n - 1 });
  if (Math.max(...u) >= n) fail('composeTransformations', `u maps into 0..${Math.max(...u)}, outside 0..${n - 1}`);
  return u.map((x) => v[x]);
}

export function referenceClosure(source: GeneratorSource, maxSize = DEFAULT_MAX_SIZE): ReferenceClosure {
  const { generators } = checkGenerators(source);
  const index = new Map<string, number>();
  const elements: number[][] = [];
  const words: number[][] = [];
  const add = (t: number[], w: number[]): number => {
    const key = t.join(',');
    const found = index.get(key);
    if (found !== undefined) return found;
    if (elements.length >= maxSize) throw new SemigroupSizeError(maxSize);
    index.set(key, elements.length);
    elements.push(t);
    words.push(w);
    return elements.length - 1;
  };
  generators.forEach((g, a) => add(g, [a]));
  const right: number[][] = [];
  for (let i = 0; i < elements.length; i++) {
    right.push(generators.map((g, a) => add(composeTransformations(elements[i], g), [...words[i], a])));
  }
  const left = elements.map((e) => generators.map((g) => index.get(composeTransformations(g, e).join(','))!));
  return { elements, words, right, left };
}
