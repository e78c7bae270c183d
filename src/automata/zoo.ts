/**
 * The zoo: the built-in semiautomata of shared/spec/zoo.md, by name with parameters
 * (`dihedral:4`, `cyclic_product:2,3`, `dyck:2,4`). State and letter order are normative: the
 * tables equal the GAP reference (test/automata/reference/zoo-algebra.json, checked by zoo.test.ts).
 * Each automaton carries display names where natural and its coarser labellings (labels.ts).
 */
import type { Automaton } from './types.js';
import { AutomatonError, MAX_LETTERS, MAX_STATES } from './validate.js';
import {
  alternatingFirstLabels,
  dihedralDirectionLabels,
  dihedralPositionLabels,
  dyckAcceptLabels,
  dyckDepthLabels,
  dyckStateCount,
  gridworldBoundaryLabels,
  quaternionSignLabels,
  symmetricFirstLabels,
} from './labels.js';

export class ZooError extends AutomatonError {
  constructor(message: string) {
    super(message);
    this.name = 'ZooError';
  }
}

export interface ZooEntry {
  /** The family, the part of the name before ':'. */
  readonly family: string;
  /** The name pattern, e.g. `dyck:K,M`. */
  readonly pattern: string;
  /** |Q| as a formula of the parameters. */
  readonly states: string;
  /** What the letters do, in order. */
  readonly letters: string;
  readonly description: string;
  readonly example: string;
  /** Names of the coarser labellings it carries (besides the state). */
  readonly labelings: readonly string[];
}

interface Family extends ZooEntry {
  /** Number of integer parameters: exact count, or 'list' for one or more. */
  readonly arity: number | 'list';
  build(params: number[], name: string): Automaton;
}

type Mutable = { -readonly [K in keyof Automaton]: Automaton[K] };

function range<T = number>(n: number, f: (i: number) => T): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/**
 * Largest δ table (|Q|·|Σ| entries) the zoo builds: 2^24 entries, 32 MiB as uint16 and far more as
 * JS arrays. Only families whose alphabet grows with |Q| reach it (flipflop:N needs N ≤ 4095).
 */
export const MAX_ZOO_TABLE = 1 << 24;

/** Builds an Automaton, checking the size limits before any table is allocated. */
function make(name: string, n: number, k: number, fill: () => Omit<Automaton, 'name' | 'start'>): Automaton {
  if (n > MAX_STATES) throw new ZooError(`zoo "${name}": |Q| = ${n} exceeds the limit of ${MAX_STATES} states`);
  if (k > MAX_LETTERS) throw new ZooError(`zoo "${name}": |Σ| = ${k} exceeds the limit of ${MAX_LETTERS} letters`);
  if (n * k > MAX_ZOO_TABLE) throw new ZooError(`zoo "${name}": δ has |Q|·|Σ| = ${n}·${k} = ${n * k} entries, above the zoo's limit of ${MAX_ZOO_TABLE} (2^24)`);
  return { name, start: 0, ...fill() };
}

// ---- permutations (alternating, symmetric) ----------------------------------------------------

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** All permutations of 0..N-1 as tuples, in lexicographic order. */
function permutationsLex(N: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const p = Uint8Array.from({ length: N }, (_, i) => i);
  for (;;) {
    out.push(p.slice());
    // next permutation (Narayana)
    let i = N - 2;
    while (i >= 0 && p[i] > p[i + 1]) i--;
    if (i < 0) return out;
    let j = N - 1;
    while (p[j] < p[i]) j--;
    [p[i], p[j]] = [p[j], p[i]];
    p.subarray(i + 1).reverse();
  }
}

/** Lexicographic rank of a permutation tuple (Lehmer code). */
function lexRank(p: ArrayLike<number>): number {
  const N = p.length;
  let r = 0;
  for (let i = 0; i < N; i++) {
    let smaller = 0;
    for (let j = i + 1; j < N; j++) if (p[j] < p[i]) smaller++;
    r = r * (N - i) + smaller;
  }
  return r;
}

function isEven(p: ArrayLike<number>): boolean {
  let inv = 0;
  for (let i = 0; i < p.length; i++) for (let j = i + 1; j < p.length; j++) if (p[j] < p[i]) inv++;
  return inv % 2 === 0;
}

/**
 * The regular action of a permutation group on its elements: states are the permutations `perms`
 * (tuples), letter g maps p to g∘p = (g[p[0]], …, g[p[N-1]]).
 */
function regularAction(perms: Uint8Array[], gens: number[][]): number[][] {
  const N = perms[0].length;
  const index = new Int32Array(factorial(N)).fill(-1);
  perms.forEach((p, i) => (index[lexRank(p)] = i));
  const img = new Uint8Array(N);
  return gens.map((g) =>
    perms.map((p) => {
      for (let i = 0; i < N; i++) img[i] = g[p[i]];
      return index[lexRank(img)];
    }),
  );
}

const tuple = (p: ArrayLike<number>): string => `[${Array.from(p).join(',')}]`;

// ---- quaternion -------------------------------------------------------------------------------

/** Unit products e_a·e_b = sign·e_c over 1, i, j, k (as [sign, c], sign 0 = +, 1 = -). */
const QUATERNION_UNITS: [number, number][][] = [
  [[0, 0], [0, 1], [0, 2], [0, 3]], // 1·1 = 1, 1·i = i, 1·j = j, 1·k = k
  [[0, 1], [1, 0], [0, 3], [1, 2]], // i·1 = i, i·i = -1, i·j = k, i·k = -j
  [[0, 2], [1, 3], [1, 0], [0, 1]], // j·1 = j, j·i = -k, j·j = -1, j·k = i
  [[0, 3], [0, 2], [1, 1], [1, 0]], // k·1 = k, k·i = j, k·j = -i, k·k = -1
];

// ---- dyck -------------------------------------------------------------------------------------

const OPEN = '([{<';
const CLOSE = ')]}>';

// ---- the families -----------------------------------------------------------------------------

const FAMILIES: Family[] = [
  {
    family: 'parity',
    pattern: 'parity',
    arity: 0,
    states: '2',
    letters: '0: identity, 1: flip',
    description: 'C_2: the parity of the number of 1s',
    example: 'parity',
    labelings: [],
    build: (_, name) =>
      make(name, 2, 2, () => ({ delta: [[0, 1], [1, 0]], states: ['even', 'odd'], alphabet: ['0', '1'] })),
  },
  {
    family: 'cyclic',
    pattern: 'cyclic:N',
    arity: 1,
    states: 'N',
    letters: '0: identity, 1: q → q+1 mod N',
    description: 'C_N: a counter mod N',
    example: 'cyclic:5',
    labelings: [],
    build: ([N], name) =>
      make(name, N, 2, () => ({ delta: [range(N, (q) => q), range(N, (q) => (q + 1) % N)], alphabet: ['0', '+1'] })),
  },
  {
    family: 'cyclic_product',
    pattern: 'cyclic_product:N1,N2,...',
    arity: 'list',
    states: 'N1·N2·…',
    letters: '0: identity; letter i ≥ 1 adds 1 to coordinate i-1 (mod Ni)',
    description: 'C_N1 × C_N2 × …; state is mixed-radix, coordinate 0 least significant',
    example: 'cyclic_product:2,2,2',
    labelings: [],
    build: (Ns, name) => {
      const n = Ns.reduce((a, b) => a * b, 1);
      return make(name, n, Ns.length + 1, () => {
        const strides = Ns.map((_, i) => Ns.slice(0, i).reduce((a, b) => a * b, 1));
        const coord = (q: number, i: number): number => Math.floor(q / strides[i]) % Ns[i];
        const delta = [range(n, (q) => q)];
        Ns.forEach((Ni, i) => delta.push(range(n, (q) => q + (coord(q, i) === Ni - 1 ? -(Ni - 1) : 1) * strides[i])));
        return {
          delta,
          states: n <= 4096 ? range(n, (q) => q).map((q) => `(${Ns.map((_, i) => coord(q, i)).join(',')})`) : undefined,
          alphabet: ['0', ...Ns.map((_, i) => `+e${i}`)],
        };
      });
    },
  },
  {
    family: 'dihedral',
    pattern: 'dihedral:N',
    arity: 1,
    states: '2N',
    letters: '0: U-turn (toggle direction), 1: drive one step',
    description: 'D_2N, the car on a circle: state = N·dir + pos; dir 0 drives pos+1, dir 1 drives pos-1 (mod N)',
    example: 'dihedral:4',
    labelings: ['direction', 'position'],
    build: ([N], name) =>
      make(name, 2 * N, 2, () => ({
        delta: [
          range(2 * N, (q) => (q < N ? q + N : q - N)),
          range(2 * N, (q) => (q < N ? (q + 1) % N : N + ((q - N + N - 1) % N))),
        ],
        states: range(2 * N, (q) => q).map((q) => (q < N ? `→${q}` : `←${q - N}`)),
        alphabet: ['U', 'D'],
        labelings: { direction: dihedralDirectionLabels(N), position: dihedralPositionLabels(N) },
      })),
  },
  {
    family: 'quaternion',
    pattern: 'quaternion',
    arity: 0,
    states: '8',
    letters: '1, i, j, k (right multiplication)',
    description: 'Q_8: states +1,+i,+j,+k,-1,-i,-j,-k',
    example: 'quaternion',
    labelings: ['sign'],
    build: (_, name) =>
      make(name, 8, 4, () => ({
        delta: range(4, (g) => g).map((g) =>
          range(8, (q) => {
            const [s, c] = QUATERNION_UNITS[q % 4][g];
            return 4 * ((q >= 4 ? 1 : 0) ^ s) + c;
          }),
        ),
        states: ['+1', '+i', '+j', '+k', '-1', '-i', '-j', '-k'],
        alphabet: ['1', 'i', 'j', 'k'],
        labelings: { sign: quaternionSignLabels() },
      })),
  },
  {
    family: 'alternating',
    pattern: 'alternating:N',
    arity: 1,
    states: 'N!/2',
    letters: '0: identity, then the 3-cycles (0 1 x) for x = 2..N-1',
    description: 'A_N acting on itself: even permutations as tuples in lexicographic order, letter g maps p to g∘p',
    example: 'alternating:5',
    labelings: ['first'],
    build: ([N], name) => {
      if (N < 3) throw new ZooError(`zoo "${name}": N = ${N} is too small, alternating:N needs N ≥ 3`);
      return make(name, factorial(N) / 2, N - 1, () => {
        const perms = permutationsLex(N).filter(isEven);
        const id = range(N, (i) => i);
        const gens = [id];
        for (let x = 2; x < N; x++) {
          const g = id.slice();
          [g[0], g[1], g[x]] = [1, x, 0]; // (0 1 x): 0 → 1 → x → 0
          gens.push(g);
        }
        return {
          delta: regularAction(perms, gens),
          states: perms.map(tuple),
          alphabet: ['id', ...gens.slice(1).map((_, i) => `(0 1 ${i + 2})`)],
          labelings: { first: alternatingFirstLabels(N) },
        };
      });
    },
  },
  {
    family: 'symmetric',
    pattern: 'symmetric:N',
    arity: 1,
    states: 'N!',
    letters: '0: identity, 1: the N-cycle (1,2,…,N-1,0), 2: the swap (1,0,2,…)',
    description: 'S_N acting on itself: permutations as tuples in lexicographic order, letter g maps p to g∘p',
    example: 'symmetric:5',
    labelings: ['first'],
    build: ([N], name) => {
      if (N < 2) throw new ZooError(`zoo "${name}": N = ${N} is too small, symmetric:N needs N ≥ 2`);
      return make(name, factorial(N), 3, () => {
        const perms = permutationsLex(N);
        const id = range(N, (i) => i);
        const cycle = range(N, (i) => (i + 1) % N);
        const swap = id.slice();
        [swap[0], swap[1]] = [1, 0];
        return {
          delta: regularAction(perms, [id, cycle, swap]),
          states: perms.map(tuple),
          alphabet: ['id', 'cycle', 'swap'],
          labelings: { first: symmetricFirstLabels(N) },
        };
      });
    },
  },
  {
    family: 'gridworld',
    pattern: 'gridworld:N',
    arity: 1,
    states: 'N',
    letters: '0: left, 1: right (clamped at the walls)',
    description: 'a walk on 0..N-1 clamped at the walls; aperiodic (no non-trivial subgroup)',
    example: 'gridworld:9',
    labelings: ['boundary'],
    build: ([N], name) =>
      make(name, N, 2, () => ({
        delta: [range(N, (q) => Math.max(q - 1, 0)), range(N, (q) => Math.min(q + 1, N - 1))],
        alphabet: ['L', 'R'],
        labelings: { boundary: gridworldBoundaryLabels(N) },
      })),
  },
  {
    family: 'flipflop',
    pattern: 'flipflop:N',
    arity: 1,
    states: 'N+1',
    letters: '0: read (identity), v = 1..N: write v (reset to state v)',
    description: 'a memory cell: state 0 means nothing written yet, state v the last value written',
    example: 'flipflop:2',
    labelings: [],
    build: ([N], name) =>
      make(name, N + 1, N + 1, () => ({
        delta: [range(N + 1, (q) => q), ...range(N, (v) => v + 1).map((v) => new Array<number>(N + 1).fill(v))],
        states: ['∅', ...range(N, (v) => v + 1).map(String)],
        alphabet: ['r', ...range(N, (v) => v + 1).map((v) => `w${v}`)],
      })),
  },
  {
    family: 'dyck',
    pattern: 'dyck:K,M',
    arity: 2,
    states: '1 + K + … + K^M, plus 1',
    letters: '0..K-1: open bracket of type t; K..2K-1: close bracket of type t',
    description:
      'bounded-depth Dyck language: stacks of depth ≤ M by (depth, lexicographic bottom-first), empty first, reject sink last',
    example: 'dyck:2,4',
    labelings: ['depth', 'accept'],
    build: ([K, M], name) => {
      // Check the size without building powers that overflow.
      let n = 1;
      let block = 1;
      for (let d = 1; d <= M && n <= MAX_STATES; d++) {
        block *= K;
        n += block;
      }
      n += 1;
      if (n > MAX_STATES) throw new ZooError(`zoo "${name}": |Q| = ${n > MAX_STATES * 2 ? `more than ${MAX_STATES}` : n} exceeds the limit of ${MAX_STATES} states`);
      return make(name, dyckStateCount(K, M), 2 * K, () => {
        // offset[d] = index of the first stack of depth d; a stack s (bottom first) of depth d has
        // index offset[d] + Σ s[i]·K^(d-1-i), so push t: K·r + t, pop: ⌊r / K⌋, top: r mod K.
        const offset: number[] = [0];
        let p = 1;
        for (let d = 0; d <= M; d++) {
          offset.push(offset[d] + p);
          p *= K;
        }
        const sink = offset[M + 1];
        const depthOf = new Int32Array(sink + 1);
        for (let d = 0; d <= M; d++) depthOf.fill(d, offset[d], offset[d + 1]);
        depthOf[sink] = -1;
        const open = (t: number) =>
          range(sink + 1, (q) => {
            const d = depthOf[q];
            if (d < 0 || d === M) return sink;
            return offset[d + 1] + K * (q - offset[d]) + t;
          });
        const close = (t: number) =>
          range(sink + 1, (q) => {
            const d = depthOf[q];
            if (d <= 0) return sink;
            const r = q - offset[d];
            return r % K === t ? offset[d - 1] + Math.floor(r / K) : sink;
          });
        const sym = (t: number, brackets: string) => (K <= 4 ? brackets[t] : `${brackets[0]}${t}`);
        const stateName = (q: number): string => {
          const d = depthOf[q];
          if (d < 0) return '⊥';
          if (d === 0) return 'ε';
          // K = 1 allows M up to 65,534: spelling out every stack would be Θ(M²) characters
          // (gigabytes), so deep one-type stacks are written as a power.
          if (K === 1 && d > 16) return `${OPEN[0]}^${d}`;
          const s: string[] = [];
          let r = q - offset[d];
          for (let i = 0; i < d; i++, r = Math.floor(r / K)) s.push(sym(r % K, OPEN));
          return s.reverse().join(K <= 4 ? '' : ' ');
        };
        return {
          delta: [...range(K, (t) => t).map(open), ...range(K, (t) => t).map(close)],
          states: range(sink + 1, stateName),
          alphabet: [...range(K, (t) => t).map((t) => sym(t, OPEN)), ...range(K, (t) => t).map((t) => sym(t, CLOSE))],
          labelings: { depth: dyckDepthLabels(K, M), accept: dyckAcceptLabels(K, M) },
        };
      });
    },
  },
];

const BY_FAMILY = new Map(FAMILIES.map((f) => [f.family, f]));

/** Every zoo family: pattern, |Q|, letters, description, an example name, its labellings. */
export function zooEntries(): ZooEntry[] {
  return FAMILIES.map(({ family, pattern, states, letters, description, example, labelings }) => ({
    family,
    pattern,
    states,
    letters,
    description,
    example,
    labelings,
  }));
}

/** True when `name` names a zoo family (its parameters may still be invalid). */
export function isZooName(name: string): boolean {
  if (typeof name !== 'string') return false;
  return BY_FAMILY.has(name.split(':')[0]);
}

/** Upper bound on any single parameter; bigger values can only exceed the size limits. */
const MAX_PARAM = 1 << 20;

/**
 * The zoo automaton `name` (`parity`, `cyclic:5`, `dyck:2,4`, ...). Throws a ZooError naming
 * the name and the bad part for unknown families, malformed or out-of-range parameters, and
 * sizes above |Q| ≤ 65,536 or |Σ| ≤ 65,536.
 */
export function zoo(name: string): Automaton {
  if (typeof name !== 'string') throw new ZooError(`zoo: name must be a string, got ${String(name)}`);
  const colon = name.indexOf(':');
  const familyName = colon < 0 ? name : name.slice(0, colon);
  const f = BY_FAMILY.get(familyName);
  if (!f) throw new ZooError(`unknown zoo automaton "${name}" (known: ${FAMILIES.map((x) => x.pattern).join(', ')})`);
  const paramText = colon < 0 ? undefined : name.slice(colon + 1);
  const params: number[] = [];
  if (f.arity === 0) {
    if (paramText !== undefined) throw new ZooError(`zoo "${name}": ${f.family} takes no parameters`);
  } else {
    if (paramText === undefined || paramText === '') throw new ZooError(`zoo "${name}": missing parameters, expected ${f.pattern} (e.g. ${f.example})`);
    for (const part of paramText.split(',')) {
      if (!/^\d+$/.test(part.trim())) throw new ZooError(`zoo "${name}": parameter "${part}" is not a non-negative integer (expected ${f.pattern})`);
      params.push(Number(part.trim()));
    }
    if (f.arity !== 'list' && params.length !== f.arity) {
      throw new ZooError(`zoo "${name}": expected ${f.arity} parameter${f.arity > 1 ? 's' : ''} (${f.pattern}), got ${params.length}`);
    }
    params.forEach((v, i) => {
      if (v < 1) throw new ZooError(`zoo "${name}": parameter ${i + 1} = ${v} must be ≥ 1 (${f.pattern})`);
      if (v > MAX_PARAM) throw new ZooError(`zoo "${name}": parameter ${i + 1} = ${v} is too large (the automaton would exceed ${MAX_STATES} states)`);
    });
    if (f.family === 'alternating' && params[0] > 8) {
      throw new ZooError(`zoo "${name}": |Q| = ${params[0]}!/2 exceeds the limit of ${MAX_STATES} states (N ≤ 8)`);
    }
    if (f.family === 'symmetric' && params[0] > 8) {
      throw new ZooError(`zoo "${name}": |Q| = ${params[0]}! exceeds the limit of ${MAX_STATES} states (N ≤ 8)`);
    }
    if (f.family === 'cyclic_product') {
      let n = 1;
      for (const v of params) n = Math.min(n * v, 2 * MAX_PARAM);
      if (n > MAX_STATES) throw new ZooError(`zoo "${name}": |Q| = ${n > MAX_PARAM ? `more than ${MAX_PARAM}` : n} exceeds the limit of ${MAX_STATES} states`);
    }
  }
  const a = f.build(params, name) as Mutable;
  // Drop absent optional fields so JSON output and equality checks stay clean.
  for (const k of ['states', 'alphabet', 'labels', 'labelings'] as const) if (a[k] === undefined) delete a[k];
  return a;
}
