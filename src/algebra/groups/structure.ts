/**
 * A structure name for small groups, in GAP's StructureDescription style: abelian groups by
 * invariant factors (`C4 x C2`, `C2 x C2 x C2`), dihedral `D2n`, `Q8`, `A4`, `S4`, `S5`, `S_k` (order
 * k! on k moved points), and simple groups by name. Only cheap cases (elements listed for order ≤ 5040); otherwise undefined.
 */
import { compose, factorial, isIdentity, permEquals, permOrder, type Perm } from './perm.js';
import { StabChain } from './schreier-sims.js';
import { primeFactors } from './simple-groups.js';
import { checkArray, checkInstance, checkInteger, checkNumbers, checkObject, checkOptions, checkString, fail } from '../../validate/index.js';

const LIST_LIMIT = 5040;

function isAbelian(gens: readonly Perm[]): boolean {
  for (let a = 0; a < gens.length; a++)
    for (let b = a + 1; b < gens.length; b++) if (!permEquals(compose(gens[a], gens[b]), compose(gens[b], gens[a]))) return false;
  return true;
}

/** Invariant factors (largest first) of an abelian group from the orders of its elements. */
function abelianInvariants(orders: bigint[], groupOrder: bigint): bigint[] {
  // For each prime p: |{g : g^(p^k) = 1}| = p^(c_k) with c_k = Σ_i min(k, e_i) over the cyclic
  // p-factors C_(p^e_i), so c_k − c_(k−1) is the number of factors with e_i ≥ k.
  const primary: bigint[][] = [];
  for (const p of new Set(primeFactors(groupOrder))) {
    const total = primeFactors(groupOrder).filter((q) => q === p).length;
    const atLeast: number[] = []; // atLeast[k-1] = #{i : e_i ≥ k}
    let prev = 0;
    for (let k = 1; prev < total; k++) {
      const pk = p ** BigInt(k);
      const count = BigInt(orders.filter((o) => pk % o === 0n).length);
      let c = 0;
      for (let v = count; v > 1n; v /= p) c++;
      atLeast.push(c - prev);
      prev = c;
    }
    const exps: bigint[] = [];
    atLeast.forEach((a, k) => {
      const next = atLeast[k + 1] ?? 0;
      for (let j = 0; j < a - next; j++) exps.push(p ** BigInt(k + 1));
    });
    primary.push(exps.sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
  }
  // Invariant factors: multiply the i-th largest prime-power parts together.
  const len = Math.max(0, ...primary.map((x) => x.length));
  return Array.from({ length: len }, (_, i) => primary.reduce((d, parts) => (i < parts.length ? d * parts[i] : d), 1n));
}

export function describeStructure(G: StabChain, factors: readonly string[]): string | undefined {
  checkInstance('describeStructure', 'G', G, StabChain, 'permutationGroup(generators, degree)');
  checkArray('describeStructure', 'factors', factors).forEach((f, i) => void checkString('describeStructure', `factors[${i}]`, f));
  const n = G.order;
  if (n === 1n) return '1';
  if (factors.length === 1 && !factors[0].startsWith('Simple(')) return factors[0];
  // A faithful group on k moved points of order k! is the symmetric group on them.
  const moved = new Set<number>();
  for (const g of G.generators) g.forEach((v, i) => v !== i && moved.add(i));
  if (moved.size >= 3 && n === factorial(moved.size)) return moved.size === 3 ? 'S3' : `S${moved.size}`;
  if (n > BigInt(LIST_LIMIT)) return undefined;
  const gens = G.generators;
  const elements = G.elements(LIST_LIMIT);
  const orders = elements.map(permOrder);
  if (isAbelian(gens)) return abelianInvariants(orders, n).map((d) => `C${d}`).join(' x ');
  const count = (o: bigint) => orders.filter((x) => x === o).length;
  const half = n / 2n;
  // Dihedral of order 2h: an element r of order h, and every element outside <r> an involution.
  const rIndex = orders.findIndex((o) => o === half);
  if (rIndex >= 0 && half > 2n) {
    const r = elements[rIndex];
    const cyclic: Perm[] = [];
    let p = r;
    for (let k = 0n; k < half; k++) {
      cyclic.push(p);
      p = compose(p, r);
    }
    const inR = (g: Perm) => cyclic.some((c) => permEquals(c, g));
    if (elements.every((g, i) => inR(g) || orders[i] === 2n)) return half === 3n ? 'S3' : `D${n}`;
  }
  if (n === 8n && count(2n) === 1) return 'Q8';
  if (n === 12n && count(3n) === 8 && count(2n) === 3) return 'A4';
  if (n === 24n && count(2n) === 9 && count(3n) === 8 && count(4n) === 6) return 'S4';
  if (n === 120n && factors.join() === 'A5,C2' && count(2n) === 25 && !hasCentre(elements, gens)) return 'S5';
  return undefined;
}

function hasCentre(elements: Perm[], gens: readonly Perm[]): boolean {
  return elements.some((z) => !isIdentity(z) && gens.every((g) => permEquals(compose(z, g), compose(g, z))));
}
