/**
 * A GPT-style causal Transformer that reads letters σ_1..σ_T and classifies every position
 * (Radford et al. 2019; the layout of Karpathy's nanoGPT model.py). Pre-LayerNorm blocks:
 *
 *   x = embed(σ) + pos;   x = x + Attention(LN(x));   x = x + MLP(LN(x));   logits = Head(LN(x))
 *
 * Two config options serve the compiled shortcuts of src/shortcuts (defaults = the GPT block
 * above, so trained checkpoints are unchanged): `norm: 'none'` drops every LayerNorm (LN = the
 * identity, no parameters) and `activation: 'relu'` replaces GELU in the MLP. The bounded-Dyck
 * experiment (src/learning/dyck) adds `minimalFirstLayer: true`: block 0 without its MLP.
 *
 * Activations between blocks are (B·T, d) matrices so that every dense layer is one rank-2
 * matmul (the fast path on tfjs-wasm); attention reshapes to (B, nh, T, hs) and back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { causalSelfAttentionPacked, causalSelfAttentionPackedExposed } from '../ops/index.js';
import type { TransformerConfig } from './config.js';
import { dropout, embed, gelu, layerNorm, linear, relu, sinusoidalPositions } from './layers.js';
import { Params } from './params.js';
import type { ForwardOptions, SequenceModel } from './model.js';

class LayerNorm {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  /** With norm 'none' this is the identity and owns no parameters. */
  constructor(p: Params, name: string, d: number, enabled: boolean) {
    this.gamma = enabled ? p.constant(`${name}.weight`, [d], 1) : undefined;
    this.beta = enabled ? p.constant(`${name}.bias`, [d], 0) : undefined;
  }
  forward(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.gamma) return x;
    return layerNorm(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D);
  }
}

class Attention {
  private readonly wQkv: tf.Variable;
  private readonly bQkv: tf.Variable;
  private readonly wO: tf.Variable;
  private readonly bO: tf.Variable;
  constructor(p: Params, name: string, private readonly c: TransformerConfig, rng: Rng, private readonly index: number) {
    const d = c.width;
    this.wQkv = p.normal(`${name}.c_attn.weight`, [d, 3 * d], 0.02, rng);
    this.bQkv = p.constant(`${name}.c_attn.bias`, [3 * d], 0);
    // Residual projections get std 0.02/sqrt(2L) (GPT-2): the residual stream then has the same
    // variance at every depth, whatever L is.
    this.wO = p.normal(`${name}.c_proj.weight`, [d, d], 0.02 / Math.sqrt(2 * c.layers), rng);
    this.bO = p.constant(`${name}.c_proj.bias`, [d], 0);
  }
  forward(x: tf.Tensor2D, B: number, T: number, o: ForwardOptions): tf.Tensor2D {
    const d = this.c.width;
    const nh = this.c.heads;
    const qkv = tf.reshape(linear(x, this.wQkv as tf.Tensor2D, this.bQkv as tf.Tensor1D), [B, T, 3 * d]); // (B, T, 3d): q | k | v, heads contiguous in each
    // softmax(q·kᵀ/√hs + causal mask)·v per head; on wasm one fused kernel reads q, k, v in place
    // (the (B, nh, T, hs) layout is implicit) and writes the heads side by side.
    // Attention dropout and observers need the attention rows, which the fused kernel never
    // materialises: they take the unfused path (same function, more memory, slower).
    const attnDrop = this.c.attnDropout ?? 0;
    const exposed = o.attention !== undefined || (attnDrop > 0 && o.dropoutRng !== undefined);
    const y = exposed
      ? causalSelfAttentionPackedExposed(qkv, nh, {
          observe: o.attention && ((probs, logProbs) => o.attention!(this.index, probs, logProbs)),
          transform: attnDrop > 0 && o.dropoutRng ? (probs) => dropout(probs, attnDrop, o.dropoutRng) as tf.Tensor4D : undefined,
        })
      : causalSelfAttentionPacked(qkv, nh); // (B, T, d)
    const merged = tf.reshape(y, [B * T, d]) as tf.Tensor2D; // (B·T, d)
    return dropout(linear(merged, this.wO as tf.Tensor2D, this.bO as tf.Tensor1D), this.c.dropout, o.dropoutRng) as tf.Tensor2D;
  }
}

class MLP {
  private readonly wFc: tf.Variable;
  private readonly bFc: tf.Variable;
  private readonly wProj: tf.Variable;
  private readonly bProj: tf.Variable;
  constructor(p: Params, name: string, private readonly c: TransformerConfig, rng: Rng) {
    const d = c.width;
    const h = Math.round(c.mlpRatio * d);
    this.wFc = p.normal(`${name}.c_fc.weight`, [d, h], 0.02, rng);
    this.bFc = p.constant(`${name}.c_fc.bias`, [h], 0);
    this.wProj = p.normal(`${name}.c_proj.weight`, [h, d], 0.02 / Math.sqrt(2 * c.layers), rng);
    this.bProj = p.constant(`${name}.c_proj.bias`, [d], 0);
  }
  forward(x: tf.Tensor2D, o: ForwardOptions): tf.Tensor2D {
    const pre = linear(x, this.wFc as tf.Tensor2D, this.bFc as tf.Tensor1D); // (B·T, r·d)
    const h = (this.c.activation === 'relu' ? relu(pre) : gelu(pre)) as tf.Tensor2D;
    return dropout(linear(h, this.wProj as tf.Tensor2D, this.bProj as tf.Tensor1D), this.c.dropout, o.dropoutRng) as tf.Tensor2D;
  }
}

class Block {
  private readonly ln1: LayerNorm;
  private readonly attn: Attention;
  private readonly ln2: LayerNorm | undefined;
  private readonly mlp: MLP | undefined;
  /** withMlp false: the attention-only block of `minimalFirstLayer` (no ln_2, no MLP parameters). */
  constructor(p: Params, name: string, c: TransformerConfig, rng: Rng, index: number, withMlp = true) {
    const ln = c.norm !== 'none';
    this.ln1 = new LayerNorm(p, `${name}.ln_1`, c.width, ln);
    this.attn = new Attention(p, `${name}.attn`, c, rng, index);
    this.ln2 = withMlp ? new LayerNorm(p, `${name}.ln_2`, c.width, ln) : undefined;
    this.mlp = withMlp ? new MLP(p, `${name}.mlp`, c, rng) : undefined;
  }
  forward(x: tf.Tensor2D, B: number, T: number, o: ForwardOptions): tf.Tensor2D {
    x = tf.add(x, this.attn.forward(this.ln1.forward(x), B, T, o));
    if (!this.mlp) return x;
    return tf.add(x, this.mlp.forward(this.ln2!.forward(x), o));
  }
}

export class Transformer implements SequenceModel {
  readonly params = new Params();
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable | undefined;
  private readonly blocks: Block[] = [];
  private readonly lnF: LayerNorm;
  private readonly wHead: tf.Variable;
  private readonly bHead: tf.Variable;

  constructor(readonly config: TransformerConfig, seed: number) {
    const c = config;
    const rng = new Rng(seed);
    const p = this.params;
    this.wte = p.normal('wte', [c.vocab, c.width], 0.02, rng);
    this.wpe = c.positions === 'learned' ? p.normal('wpe', [c.contextLength, c.width], 0.02, rng) : undefined;
    for (let i = 0; i < c.layers; i++) this.blocks.push(new Block(p, `h.${i}`, c, rng, i, !(i === 0 && c.minimalFirstLayer)));
    this.lnF = new LayerNorm(p, 'ln_f', c.width, c.norm !== 'none');
    this.wHead = p.normal('head.weight', [c.width, c.classes], 0.02, rng);
    this.bHead = p.constant('head.bias', [c.classes], 0);
  }

  forward(letters: tf.Tensor2D, o: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = letters.shape;
    const c = this.config;
    let pos: tf.Tensor2D;
    if (this.wpe) {
      if (T > c.contextLength) throw new Error(`sequence length ${T} exceeds the learned position table (contextLength ${c.contextLength})`);
      pos = tf.slice(this.wpe, [0, 0], [T, c.width]) as tf.Tensor2D; // (T, d)
    } else {
      pos = tf.tensor2d(sinusoidalPositions(T, c.width), [T, c.width]);
    }
    const tok = tf.reshape(embed(letters, this.wte as tf.Tensor2D), [B, T, c.width]); // (B, T, d)
    let x = tf.reshape(tf.add(tok, pos), [B * T, c.width]) as tf.Tensor2D; // (B·T, d)
    x = dropout(x, c.dropout, o.dropoutRng) as tf.Tensor2D;
    for (const block of this.blocks) x = block.forward(x, B, T, o);
    const logits = linear(this.lnF.forward(x), this.wHead as tf.Tensor2D, this.bHead as tf.Tensor1D); // (B·T, C)
    return tf.reshape(logits, [B, T, c.classes]) as tf.Tensor3D;
  }

  dispose(): void {
    this.params.dispose();
  }
}
