/**
 * Base and strong generating set (a stabiliser chain) of a permutation group by the
 * deterministic incremental Schreier–Sims algorithm (Holt, Eick, O'Brien, Handbook of CGT, §4.4.2,
 * SCHREIERSIMS with the "already checked" bookkeeping): every Schreier generator of every level is
 * sifted through the levels below it, and a non-trivial residue becomes a new strong generator.
 * No randomness: the result is a verified BSGS, so `order` is exact and `contains` is a proof.
 *
 * Level i has base point β_i, the strong generators S_i fixing β_0..β_{i-1}, the orbit Δ_i = β_i^<S_i>
 * and a transversal u_γ (β_i^{u_γ} = γ) stored explicitly. Orbits only grow and a transversal
 * element, once set, never changes, so a Schreier generator checked once stays checked.
 */
import { Rng } from '../../random/prng.js';
import { compose, identityPerm, invert, isIdentity, type Perm } from './perm.js';

interface Level {
  point: number;
  gens: Perm[];
  orbit: number[];
  /** trans[γ] maps `point` to γ; undefined when γ is not in the orbit. */
  trans: (Perm | undefined)[];
  transInv: (Perm | undefined)[];
  /** checked[k]: how many of `gens` have been used for Schreier generators at orbit[k]. */
  checked: number[];
}

export class StabChain {
  readonly degree: number;
  private levels: Level[] = [];
  /** Elements that enlarged the group, in order: a generating set of size ≤ log2 |G|. */
  readonly generators: Perm[] = [];

  constructor(degree: number, gens: Iterable<Perm> = []) {
    this.degree = degree;
    for (const g of gens) this.addGenerator(g);
  }

  /** An independent copy (permutations are shared: they are never mutated). */
  clone(): StabChain {
    const c = new StabChain(this.degree);
    c.generators.push(...this.generators);
    c.levels = this.levels.map((l) => ({
      point: l.point,
      gens: [...l.gens],
      orbit: [...l.orbit],
      trans: [...l.trans],
      transInv: [...l.transInv],
      checked: [...l.checked],
    }));
    return c;
  }

  get base(): number[] {
    return this.levels.map((l) => l.point);
  }

  /** The strong generating set (union of the level generators). */
  get strongGenerators(): Perm[] {
    const out = new Set<Perm>();
    for (const l of this.levels) for (const g of l.gens) out.add(g);
    return [...out];
  }

  /** Basic orbit lengths |Δ_i|; their product is the order. */
  get orbitLengths(): number[] {
    return this.levels.map((l) => l.orbit.length);
  }

  get order(): bigint {
    let o = 1n;
    for (const l of this.levels) o *= BigInt(l.orbit.length);
    return o;
  }

  get isTrivial(): boolean {
    return this.levels.length === 0;
  }

  /** Scratch buffers for sifting without allocating (the hot loop of Schreier–Sims). */
  private bufA: Perm = new Uint16Array(0);
  private bufB: Perm = new Uint16Array(0);

  /**
   * Sifts the permutation held in bufA from level `from`, in place (bufA/bufB swap);
   * returns the level where sifting stopped; the residue is left in bufA.
   */
  private siftBuffer(from: number): number {
    const m = this.degree;
    let h = this.bufA;
    let o = this.bufB;
    let i = from;
    for (; i < this.levels.length; i++) {
      const L = this.levels[i];
      const gamma = h[L.point];
      const inv = L.transInv[gamma];
      if (inv === undefined) break;
      if (gamma === L.point) continue;
      for (let x = 0; x < m; x++) o[x] = inv[h[x]];
      const t = h;
      h = o;
      o = t;
    }
    this.bufA = h;
    this.bufB = o;
    return i;
  }

  private ensureBuffers(): void {
    if (this.bufA.length !== this.degree) {
      this.bufA = new Uint16Array(this.degree);
      this.bufB = new Uint16Array(this.degree);
    }
  }

  /** Sifts g from level `from`: returns the residue and the level where sifting stopped. */
  sift(g: Perm, from = 0): { residue: Perm; level: number } {
    this.ensureBuffers();
    this.bufA.set(g);
    const level = this.siftBuffer(from);
    return { residue: this.bufA.slice(), level };
  }

  contains(g: Perm): boolean {
    if (g.length !== this.degree) return false;
    this.ensureBuffers();
    this.bufA.set(g);
    const level = this.siftBuffer(0);
    return level === this.levels.length && isIdentity(this.bufA);
  }

  /**
   * Adds g to the group; returns false when g sifts through (already an element).
   * With `complete = false` (random Schreier–Sims) the chain may be incomplete afterwards: its
   * order is then only a lower bound on |<generators>|, exact (and the chain a valid BSGS) once it
   * reaches a known upper bound. `completeChain()` finishes it.
   */
  addGenerator(g: Perm, complete = true): boolean {
    const { residue, level } = this.sift(g);
    if (level === this.levels.length && isIdentity(residue)) return false;
    this.generators.push(g);
    this.installResidue(residue, 0, level);
    if (complete) this.complete(level);
    return true;
  }

  /** Runs Schreier–Sims over all levels (after lazy additions). */
  completeChain(): void {
    this.complete(this.levels.length - 1);
  }

  /** A uniformly random element: v_{k-1} ··· v_0 with v_i uniform in the i-th transversal. */
  random(rng: Rng): Perm {
    let g = identityPerm(this.degree);
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const L = this.levels[i];
      const u = L.trans[L.orbit[rng.nextInt(L.orbit.length)]]!;
      g = compose(g, u);
    }
    return g;
  }

  /** All elements (only for small groups: tests and structure recognition). */
  elements(limit = 100000): Perm[] {
    if (this.order > BigInt(limit)) throw new Error(`group of order ${this.order} is too large to list (limit ${limit})`);
    let out: Perm[] = [identityPerm(this.degree)];
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const L = this.levels[i];
      const next: Perm[] = [];
      for (const g of out) for (const gamma of L.orbit) next.push(compose(g, L.trans[gamma]!));
      out = next;
    }
    return out;
  }

  /** Puts residue h (fixing β_0..β_{j-1}) into levels from..j, opening level j if needed. */
  private installResidue(h: Perm, from: number, j: number): void {
    if (j === this.levels.length) {
      let p = 0;
      while (h[p] === p) p++;
      const trans: (Perm | undefined)[] = new Array(this.degree);
      const transInv: (Perm | undefined)[] = new Array(this.degree);
      trans[p] = transInv[p] = identityPerm(this.degree);
      this.levels.push({ point: p, gens: [], orbit: [p], trans, transInv, checked: [0] });
    }
    for (let l = from; l <= j; l++) this.addToLevel(this.levels[l], h);
  }

  /** Adds a strong generator to a level and extends its orbit (old transversal entries stay). */
  private addToLevel(L: Level, h: Perm): void {
    L.gens.push(h);
    const queue: number[] = [];
    const n0 = L.orbit.length;
    for (let k = 0; k < n0; k++) {
      const gamma = L.orbit[k];
      const d = h[gamma];
      if (L.trans[d] === undefined) this.addPoint(L, d, compose(L.trans[gamma]!, h), queue);
    }
    for (let q = 0; q < queue.length; q++) {
      const gamma = queue[q];
      for (const s of L.gens) {
        const d = s[gamma];
        if (L.trans[d] === undefined) this.addPoint(L, d, compose(L.trans[gamma]!, s), queue);
      }
    }
  }

  private addPoint(L: Level, d: number, u: Perm, queue: number[]): void {
    L.trans[d] = u;
    L.transInv[d] = invert(u);
    L.orbit.push(d);
    L.checked.push(0);
    queue.push(d);
  }

  /** The Schreier–Sims loop: from level `top` down, every Schreier generator sifts to 1. */
  private complete(top: number): void {
    let i = Math.min(top, this.levels.length - 1);
    while (i >= 0) {
      const L = this.levels[i];
      let jump = -1;
      scan: for (let k = 0; k < L.orbit.length; k++) {
        const beta = L.orbit[k];
        while (L.checked[k] < L.gens.length) {
          const x = L.gens[L.checked[k]++];
          const gamma = x[beta];
          // Schreier generator u_β x u_{β^x}^{-1} fixes β_i; built in the scratch buffer.
          const u = L.trans[beta]!;
          const w = L.transInv[gamma]!;
          this.ensureBuffers();
          const sg = this.bufA;
          let trivial = true;
          for (let p = 0; p < this.degree; p++) {
            const v = w[x[u[p]]];
            sg[p] = v;
            if (v !== p) trivial = false;
          }
          if (trivial) continue;
          const level = this.siftBuffer(i + 1);
          if (level < this.levels.length || !isIdentity(this.bufA)) {
            this.installResidue(this.bufA.slice(), i + 1, level);
            jump = level;
            break scan;
          }
        }
      }
      i = jump >= 0 ? jump : i - 1;
    }
  }
}
