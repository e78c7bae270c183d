/**
 * Green's relations of a finite semigroup S from its Cayley graphs (Froidure–Pin, semigroup.ts).
 *   x R y  ⇔  xS¹ = yS¹  ⇔  x, y in one strongly connected component of the right Cayley graph;
 *   x L y  ⇔  S¹x = S¹y  ⇔  the same for the left Cayley graph;
 *   H = R ∩ L;
 *   D = J (S is finite)  ⇔  S¹xS¹ = S¹yS¹  ⇔  one component of the union of both graphs.
 * An edge x → xa or x → ax goes down the J-order, so the components of the union graph, ordered
 * by reachability, are the D-class order (the ideals). A D-class is regular iff it holds an
 * idempotent; all its H-classes then have the size of its maximal subgroup.
 */
import { TransformationSemigroup } from './semigroup.js';
import { stronglyConnectedComponents, type Components } from './scc.js';
import { checkInstance, checkInteger, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';

export interface DClass {
  /** Position in `dClasses`: 0 is a maximal D-class; edges of the order go to larger numbers. */
  readonly index: number;
  readonly size: number;
  /** Rank |im x| of its elements (constant on a D-class of transformations). */
  readonly rank: number;
  readonly rClasses: number;
  readonly lClasses: number;
  /** Size of each of its H-classes. */
  readonly hSize: number;
  readonly idempotents: number;
  /** Holds an idempotent. */
  readonly regular: boolean;
  /** One element of the class; an idempotent when the class is regular. */
  readonly representative: number;
  /** D-classes immediately below (the Hasse diagram of the D-order); undefined above 4096 classes. */
  readonly below?: number[];
}

export interface GreenStructure {
  /** 1 where element i is an idempotent (i·i = i). */
  readonly isIdempotent: Uint8Array;
  readonly idempotents: number;
  readonly r: Components;
  readonly l: Components;
  readonly h: Components;
  readonly d: Components;
  /** D-classes, maximal first (numbering of `d.of`). */
  readonly dClasses: DClass[];
  /** Elements grouped by H-class: members of H-class c are hMembers[hStart[c] .. hStart[c+1]). */
  readonly hStart: Int32Array;
  readonly hMembers: Int32Array;
}

/** Marks idempotents e·e = e: e[e[q]] = e[q] for every point q. */
export function idempotentFlags(S: TransformationSemigroup): Uint8Array {
  checkInstance('idempotentFlags', 'S', S, TransformationSemigroup, 'transformationSemigroup(automaton)');
  const { size, degree, stride, elementBytes: el } = S;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const o = i * stride;
    let ok = 1;
    for (let q = 0; q < degree; q++) {
      if (el[o + el[o + q]] !== el[o + q]) {
        ok = 0;
        break;
      }
    }
    out[i] = ok;
  }
  return out;
}

function rankOf(S: TransformationSemigroup, i: number): number {
  return new Set(S.element(i)).size;
}

const MAX_HASSE = 4096;

/** Element indices ordered by class (stable). */
function countingSort(of: Int32Array, classes: number): Int32Array {
  const start = new Int32Array(classes + 1);
  for (let i = 0; i < of.length; i++) start[of[i] + 1]++;
  for (let c = 0; c < classes; c++) start[c + 1] += start[c];
  const out = new Int32Array(of.length);
  for (let i = 0; i < of.length; i++) out[start[of[i]]++] = i;
  return out;
}

export interface GreenOptions {
  /** Above this many D-classes, no covers (and the D-classes come from Tarjan on both graphs); default 4096. */
  readonly hasseLimit?: number;
}

export function greenStructure(S: TransformationSemigroup, options: GreenOptions = {}): GreenStructure {
  checkInstance('greenStructure', 'S', S, TransformationSemigroup, 'transformationSemigroup(automaton)');
  checkOptions('greenStructure', options);
  const N = S.size;
  const k = S.numGenerators;
  const isIdempotent = idempotentFlags(S);
  let idempotents = 0;
  for (let i = 0; i < N; i++) idempotents += isIdempotent[i];

  const r = stronglyConnectedComponents(N, k, [S.rightCayley]);
  const l = stronglyConnectedComponents(N, k, [S.leftCayley]);
  const { d, below } = dClassesOf(S, r, l, options.hasseLimit ?? MAX_HASSE);
  const D = d.count;
  const dOf = d.of;

  // H = R ∩ L: visit the elements R-class by R-class (counting sort) and number the L-classes
  // met within each; typed arrays only, so this scales to 16M elements.
  const byR = countingSort(r.of, r.count);
  const hOf = new Int32Array(N);
  const stamp = new Int32Array(l.count).fill(-1);
  const hOfL = new Int32Array(l.count);
  let hCount = 0;
  for (let m = 0; m < N; m++) {
    const i = byR[m];
    const rc = r.of[i];
    const lc = l.of[i];
    if (stamp[lc] !== rc) {
      stamp[lc] = rc;
      hOfL[lc] = hCount++;
    }
    hOf[i] = hOfL[lc];
  }
  const h: Components = { of: hOf, count: hCount };
  const hMembers = countingSort(hOf, hCount);
  const hStart = new Int32Array(hCount + 1);
  for (let i = 0; i < N; i++) hStart[hOf[i] + 1]++;
  for (let c = 0; c < hCount; c++) hStart[c + 1] += hStart[c];

  // Per D-class counts: elements, idempotents, distinct R- and L-classes, a representative.
  const size = new Int32Array(D);
  const idem = new Int32Array(D);
  const rep = new Int32Array(D).fill(-1);
  const rSeen = new Uint8Array(r.count);
  const lSeen = new Uint8Array(l.count);
  const rCount = new Int32Array(D);
  const lCount = new Int32Array(D);
  for (let i = 0; i < N; i++) {
    const c = dOf[i];
    size[c]++;
    if (isIdempotent[i]) {
      if (idem[c] === 0) rep[c] = i;
      idem[c]++;
    } else if (rep[c] === -1) rep[c] = i;
    if (!rSeen[r.of[i]]) {
      rSeen[r.of[i]] = 1;
      rCount[c]++;
    }
    if (!lSeen[l.of[i]]) {
      lSeen[l.of[i]] = 1;
      lCount[c]++;
    }
  }
  // An idempotent representative wins over the first element seen.
  for (let i = 0; i < N; i++) if (isIdempotent[i] && rep[dOf[i]] !== i && !isIdempotent[rep[dOf[i]]]) rep[dOf[i]] = i;

  const dClasses: DClass[] = [];
  for (let c = 0; c < D; c++) {
    dClasses.push({
      index: c,
      size: size[c],
      rank: rankOf(S, rep[c]),
      rClasses: rCount[c],
      lClasses: lCount[c],
      hSize: size[c] / (rCount[c] * lCount[c]),
      idempotents: idem[c],
      regular: idem[c] > 0,
      representative: rep[c],
      ...(below ? { below: below[c] } : {}),
    });
  }
  return { isIdempotent, idempotents, r, l, h, d, dClasses, hStart, hMembers };
}

/**
 * D-classes numbered so that every edge of the order goes to a larger number (0 is maximal), and
 * the covers of the D-order when there are at most 4096 classes. D = R ∨ L in a finite semigroup,
 * so the classes come from a union-find over the R- and L-classes; the order between them from one
 * pass over both Cayley graphs into a D × D matrix. With more classes, the components of the
 * union of both graphs (Tarjan's numbering is topological) and no covers.
 */
function dClassesOf(S: TransformationSemigroup, r: Components, l: Components, hasseLimit: number): { d: Components; below?: number[][] } {
  const N = S.size;
  const k = S.numGenerators;
  const parent = new Int32Array(N);
  for (let i = 0; i < N; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const union = (x: number, y: number) => {
    const a = find(x);
    const b = find(y);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  for (const c of [r, l]) {
    const first = new Int32Array(c.count).fill(-1);
    for (let i = 0; i < N; i++) {
      const f = first[c.of[i]];
      if (f === -1) first[c.of[i]] = i;
      else union(i, f);
    }
  }
  const raw = new Int32Array(N);
  const idOfRoot = new Int32Array(N).fill(-1);
  let D = 0;
  for (let i = 0; i < N; i++) {
    const root = find(i);
    if (idOfRoot[root] === -1) idOfRoot[root] = D++;
    raw[i] = idOfRoot[root];
  }
  if (D > hasseLimit) {
    const u = stronglyConnectedComponents(N, k, [S.rightCayley, S.leftCayley]);
    const of = new Int32Array(N);
    for (let i = 0; i < N; i++) of[i] = u.count - 1 - u.of[i];
    return { d: { of, count: u.count } };
  }
  // edge[c·D + t] = 1 when some x in class c has xa or ax in class t ≠ c.
  const edge = new Uint8Array(D * D);
  for (const g of [S.rightCayley, S.leftCayley]) {
    for (let i = 0; i < N; i++) {
      const c = raw[i] * D;
      for (let a = 0; a < k; a++) edge[c + raw[g[i * k + a]]] = 1;
    }
  }
  for (let c = 0; c < D; c++) edge[c * D + c] = 0;
  // Kahn: sources (maximal classes) first.
  const indegree = new Int32Array(D);
  for (let c = 0; c < D; c++) for (let t = 0; t < D; t++) indegree[t] += edge[c * D + t];
  const order: number[] = [];
  for (let c = 0; c < D; c++) if (indegree[c] === 0) order.push(c);
  for (let h = 0; h < order.length; h++) {
    const c = order[h];
    for (let t = 0; t < D; t++) if (edge[c * D + t] && --indegree[t] === 0) order.push(t);
  }
  if (order.length !== D) throw new Error('D-order has a cycle: the Cayley graphs are inconsistent');
  const rank = new Int32Array(D);
  order.forEach((c, p) => (rank[c] = p));
  const of = new Int32Array(N);
  for (let i = 0; i < N; i++) of[i] = rank[raw[i]];
  const succ = order.map((c) => {
    const out: number[] = [];
    for (let t = 0; t < D; t++) if (edge[c * D + t]) out.push(rank[t]);
    return out;
  });
  return { d: { of, count: D }, below: hasse(succ) };
}

/** Covers of a DAG whose edges go to larger numbers: its transitive reduction. */
function hasse(succ: number[][]): number[][] {
  const D = succ.length;
  // Reachability bitsets, filled from the bottom up.
  const words = Math.ceil(D / 32);
  const reach = new Uint32Array(D * words);
  const has = (c: number, t: number) => (reach[c * words + (t >>> 5)] >>> (t & 31)) & 1;
  for (let c = D - 1; c >= 0; c--) {
    for (const t of succ[c]) {
      reach[c * words + (t >>> 5)] |= 1 << (t & 31);
      for (let w = 0; w < words; w++) reach[c * words + w] |= reach[t * words + w];
    }
  }
  return succ.map((direct) => direct.filter((t) => !direct.some((u) => u !== t && has(u, t))).sort((a, b) => a - b));
}
