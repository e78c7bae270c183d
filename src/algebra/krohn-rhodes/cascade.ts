/**
 * The holonomy cascade: coordinates for states and the level-by-level action of a letter.
 *
 * Level k (1 = top) holds the representatives R of height L - k + 1 (L = h(Q)); its state set is
 * the disjoint union of their tiles (component c occupies offsets[c] .. offsets[c] + |tiles|-1).
 * A coordinate tuple x = (x_1..x_L) decodes to a chain Q = P_0 ⊃ P_1 ⊃ … ⊃ {q}: at level k, if
 * h(P) equals the level's height, x_k names a tile T of R = rep(P) and P becomes T·ρ̄_P (the
 * corresponding tile of P); otherwise x_k is ignored ("don't care", encoded as 0).
 *
 * A letter a acts on x level by level, the map at level k depending on x_1..x_{k-1} only: with P
 * (source chain) and P' (target chain so far) satisfying P·a ⊆ P',
 *   h(P') below the level      → identity;
 *   P·a = P' at this height    → the permutation of R's tiles induced by ρ̄_P · a · ρ_{P'}, an
 *                                element of the holonomy group H_R;
 *   otherwise                  → the constant tile of rep(P') containing (P·a)·ρ_{P'} (a reset).
 * The invariant P·a ⊆ P' is kept, so at the bottom P' = {q·a}: the cascade emulates (Q, S).
 */
import { imageOf, type Skeleton } from './skeleton.js';
import { checkArray, checkInteger, checkNumbers, checkObject, fail } from '../../validate/index.js';

/** One level's transformation for one letter in one context. */
export type LevelMap =
  | { kind: 'identity' }
  | { kind: 'constant'; value: number }
  /** Permutes the tiles of one component (rep), identity on the rest of the level. */
  | { kind: 'permute'; component: number; perm: number[] };

export interface CascadeLayout {
  /** Levels top-down; per level the representatives (set indices) and their offsets. */
  levels: { height: number; reps: number[]; offsets: number[]; size: number }[];
  /** Level and component of each representative. */
  place: Map<number, { level: number; component: number }>;
}

export function layoutCascade(sk: Skeleton): CascadeLayout {
  const L = sk.height[0];
  const levels: CascadeLayout['levels'] = [];
  const place = new Map<number, { level: number; component: number }>();
  for (let k = 0; k < L; k++) {
    const h = L - k;
    const reps = [...sk.tiles.keys()].filter((r) => sk.height[r] === h).sort((a, b) => a - b);
    const offsets: number[] = [];
    let size = 0;
    reps.forEach((r, c) => {
      offsets.push(size);
      size += sk.tiles.get(r)!.length;
      place.set(r, { level: k, component: c });
    });
    levels.push({ height: h, reps, offsets, size });
  }
  return { levels, place };
}

function setIndex(sk: Skeleton, s: number[]): number {
  const i = sk.index.get(s.join(','));
  if (i === undefined) throw new Error(`internal: {${s}} is not an image set`);
  return i;
}

/** Maps a set through a point map and returns its index among the images. */
function mapSet(sk: Skeleton, set: readonly number[], f: Int32Array): number {
  return setIndex(sk, set.map((q) => f[q]).sort((a, b) => a - b));
}

/** The tile of P named by coordinate x at its level (as a set index in P's frame). */
function tileOf(sk: Skeleton, lay: CascadeLayout, P: number, x: number): number {
  const r = sk.repOf[P];
  const pl = lay.place.get(r)!;
  const lev = lay.levels[pl.level];
  const t = x - lev.offsets[pl.component];
  const ts = sk.tiles.get(r)!;
  if (!(t >= 0 && t < ts.length)) throw new Error(`coordinate ${x} at level ${pl.level + 1} is not a tile of component ${pl.component}`);
  return mapSet(sk, sk.sets[ts[t]], sk.rhoBar[P]);
}

export function encodeState(sk: Skeleton, lay: CascadeLayout, q: number): number[] {
  checkCascadeArgs('encodeState', sk, lay);
  checkInteger('encodeState', 'q', q, 0, sk.n - 1);
  const x: number[] = [];
  let P = 0;
  for (const lev of lay.levels) {
    if (sk.sets[P].length === 1 || sk.height[P] < lev.height) {
      x.push(0);
      continue;
    }
    const r = sk.repOf[P];
    const c = lay.place.get(r)!.component;
    const qr = sk.rho[P][q];
    const ts = sk.tiles.get(r)!;
    const t = ts.findIndex((ti) => sk.sets[ti].includes(qr));
    x.push(lev.offsets[c] + t);
    P = mapSet(sk, sk.sets[ts[t]], sk.rhoBar[P]);
  }
  if (sk.sets[P].length !== 1 || sk.sets[P][0] !== q) throw new Error(`internal: encoding of state ${q} failed`);
  return x;
}

export function decodeState(sk: Skeleton, lay: CascadeLayout, x: readonly number[]): number {
  checkCascadeArgs('decodeState', sk, lay);
  checkNumbers('decodeState', 'x', x, { length: lay.levels.length, integer: true, min: 0 });
  let P = 0;
  lay.levels.forEach((lev, k) => {
    if (sk.sets[P].length > 1 && sk.height[P] === lev.height) P = tileOf(sk, lay, P, x[k]);
  });
  if (sk.sets[P].length !== 1) throw new Error(`coordinates [${x}] do not determine a state`);
  return sk.sets[P][0];
}

export function applyLevelMap(m: LevelMap, x: number, offset: number): number {
  switch (m.kind) {
    case 'identity':
      return x;
    case 'constant':
      return m.value;
    case 'permute': {
      const t = x - offset;
      return t >= 0 && t < m.perm.length ? offset + m.perm[t] : x;
    }
  }
}

/**
 * The cascade action of letter a on coordinates x: the new coordinates and the map used at each
 * level (each computed from x_1..x_{k-1} before it is applied to x_k).
 */
export function stepCascade(
  sk: Skeleton,
  lay: CascadeLayout,
  delta: readonly (readonly number[])[],
  x: readonly number[],
  a: number,
): { y: number[]; maps: LevelMap[] } {
  checkCascadeArgs('stepCascade', sk, lay);
  checkArray('stepCascade', 'delta', delta, { exactly: sk.letters });
  checkInteger('stepCascade', 'a', a, 0, sk.letters - 1);
  checkNumbers('stepCascade', `delta[${a}]`, delta[a], { length: sk.n, integer: true, min: 0, max: sk.n - 1 });
  checkNumbers('stepCascade', 'x', x, { length: lay.levels.length, integer: true, min: 0 });
  const act = delta[a];
  const y: number[] = [];
  const maps: LevelMap[] = [];
  let P = 0; // source chain
  let Pt = 0; // target chain, P·a ⊆ Pt
  lay.levels.forEach((lev, k) => {
    const hP = sk.sets[P].length > 1 ? sk.height[P] : 0;
    const hT = sk.sets[Pt].length > 1 ? sk.height[Pt] : 0;
    let map: LevelMap;
    let nextT = Pt;
    if (hT < lev.height) map = { kind: 'identity' };
    else {
      const Pa = imageOf(sk.sets[P], act);
      const R = sk.repOf[Pt];
      const c = lay.place.get(R)!.component;
      const ts = sk.tiles.get(R)!;
      if (hP === lev.height && Pa.length === sk.sets[Pt].length && setIndex(sk, Pa) === Pt) {
        // a maps P onto Pt, both in R's class: g = ρ̄_P · a · ρ_Pt permutes R and its tiles.
        const rb = sk.rhoBar[P];
        const rt = sk.rho[Pt];
        const tilePos = new Map<string, number>();
        ts.forEach((t, j) => tilePos.set(sk.sets[t].join(','), j));
        const perm = ts.map((t) => {
          const img = sk.sets[t].map((q) => rt[act[rb[q]]]).sort((u, v) => u - v);
          return tilePos.get(img.join(','))!;
        });
        map = { kind: 'permute', component: c, perm };
      } else {
        // a collapses P into a proper image of Pt: reset to a tile containing it.
        const inR = Pa.map((q) => sk.rho[Pt][q]);
        const t = ts.findIndex((ti) => inR.every((q) => sk.sets[ti].includes(q)));
        if (t < 0) throw new Error(`internal: no tile of rep ${R} contains {${inR}}`);
        map = { kind: 'constant', value: lev.offsets[c] + t };
      }
    }
    const yk = applyLevelMap(map, x[k], map.kind === 'permute' ? lev.offsets[map.component] : 0);
    if (hT === lev.height) nextT = tileOf(sk, lay, Pt, yk);
    if (hP === lev.height) P = tileOf(sk, lay, P, x[k]);
    Pt = nextT;
    y.push(yk);
    maps.push(map);
  });
  return { y, maps };
}

/** sk and lay as buildSkeleton and cascadeOf make them (the shape the cascade functions read). */
function checkCascadeArgs(where: string, sk: Skeleton, lay: CascadeLayout): void {
  const s = checkObject(where, 'sk', sk);
  if (!Number.isInteger(s.n) || !Number.isInteger(s.letters) || !Array.isArray(s.sets) || !Array.isArray(s.height) && !ArrayBuffer.isView(s.height)) {
    fail(where, 'sk must be a Skeleton made by buildSkeleton()');
  }
  const l = checkObject(where, 'lay', lay);
  if (!Array.isArray(l.levels) || !(l.place instanceof Map)) fail(where, 'lay must be a CascadeLayout (cascadeOf(d).layout)');
}
