/**
 * Random elements of <generators> before any stabiliser chain exists: the product replacement
 * algorithm (Celler, Leedham-Green, Murray, Niemeyer, O'Brien 1995) with an accumulator
 * ("Rattle"), seeded. Nearly uniform after the burn-in; used only where the result is certified
 * (random Schreier–Sims checked against a known upper bound on the order).
 */
import { Rng } from '../../random/prng.js';
import { compose, identityPerm, invert, type Perm } from './perm.js';

export class ProductReplacement {
  private state: Perm[];
  private acc: Perm;

  constructor(gens: readonly Perm[], degree: number, private rng: Rng, burnIn = 60) {
    const base = gens.length > 0 ? gens : [identityPerm(degree)];
    const r = Math.max(10, base.length + 1);
    this.state = Array.from({ length: r }, (_, i) => base[i % base.length]);
    this.acc = identityPerm(degree);
    for (let i = 0; i < burnIn; i++) this.next();
  }

  next(): Perm {
    const r = this.state.length;
    const i = this.rng.nextInt(r);
    let j = this.rng.nextInt(r - 1);
    if (j >= i) j++;
    const s = this.rng.nextInt(2) === 0 ? this.state[j] : invert(this.state[j]);
    this.state[i] = this.rng.nextInt(2) === 0 ? compose(this.state[i], s) : compose(s, this.state[i]);
    this.acc = compose(this.acc, this.state[i]);
    return this.acc;
  }
}
