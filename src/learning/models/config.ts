/**
 * Model configurations. One object per model family, each field with its default; a model is
 * built from its config and a seed and nothing else (the config is stored in every checkpoint).
 */
import { checkObject, checkOneOf } from '../../validate/index.js';

export interface TransformerConfig {
  readonly kind: 'transformer';
  /** |Σ|: input letters. */
  readonly vocab: number;
  /** Output classes per position (|Q| for the state label). */
  readonly classes: number;
  /** L: number of Transformer blocks (the "depth" of the experiment). Default 2. */
  readonly layers: number;
  /** d: residual stream width. Default 64. */
  readonly width: number;
  /** Attention heads; width must be divisible by it. Default 4. */
  readonly heads: number;
  /** Hidden width of the MLP as a multiple of d. Default 4. */
  readonly mlpRatio: number;
  /** 'learned' (GPT-2) or 'sinusoidal' (fixed; extrapolates to any length). Default 'learned'. */
  readonly positions: 'learned' | 'sinusoidal';
  /** Longest sequence the learned position table covers. Default 2 × training length. */
  readonly contextLength: number;
  /** Dropout on attention output, MLP output and embeddings while training. Default 0. */
  readonly dropout: number;
  /**
   * Dropout on the attention probabilities (each row's weights, before they mix v) while
   * training. Absent = 0 (checkpoints without it are unchanged). When > 0 training takes the
   * unfused attention path that materialises the rows (ops/attention.ts).
   */
  readonly attnDropout?: number;
  /**
   * 'layernorm' (pre-LN GPT blocks, the default) or 'none' (x + Attn(x), x + MLP(x), head on x:
   * no LayerNorm parameters). Compiled shortcuts (src/shortcuts) use 'none' so that the residual
   * stream carries exact one-hot codes and counts. Absent = 'layernorm'.
   */
  readonly norm?: 'layernorm' | 'none';
  /** MLP activation: 'gelu' (GPT-2's tanh approximation, the default) or 'relu' (exact piecewise-linear steps, used by compiled shortcuts). Absent = 'gelu'. */
  readonly activation?: 'gelu' | 'relu';
  /**
   * true: block 0 keeps only its attention sublayer (x + Attn(LN(x)); no MLP, no ln_2), the
   * restricted first layer of Wen, Li, Liu, Risteski 2023 (bounded Dyck), whose output is then a
   * pure attention-weighted mix of the embeddings. Absent = every block has its MLP.
   */
  readonly minimalFirstLayer?: boolean;
}

export interface RnnConfig {
  /** 'lstm' (Hochreiter & Schmidhuber), 'gru' (Cho et al.) or 'rnn' (Elman, tanh). */
  readonly kind: 'lstm' | 'gru' | 'rnn';
  readonly vocab: number;
  readonly classes: number;
  /** Stacked recurrent layers. Default 1. */
  readonly layers: number;
  /** Hidden state size (and embedding width). Default 64. */
  readonly width: number;
  /** Parameter layout (rnn.ts): 2 = learned N(0, 1) embedding and PyTorch's two biases. Checkpoints
   *  without it are layout 1 (one-hot input), which this build refuses by name. */
  readonly version: typeof RNN_LAYOUT;
}

/** The RNN parameter layout this build writes and reads. */
export const RNN_LAYOUT = 2;

export type ModelConfig = TransformerConfig | RnnConfig;
export type ModelKind = ModelConfig['kind'];
export const MODEL_KINDS: readonly ModelKind[] = ['transformer', 'lstm', 'gru', 'rnn'];

/** Fills defaults and validates; errors name the field and the value. */
export function modelConfig(kind: ModelKind, o: Partial<Omit<TransformerConfig, 'kind'>> & { vocab: number; classes: number; length?: number }): ModelConfig {
  checkOneOf('modelConfig', 'kind', kind, ['transformer', 'lstm', 'gru', 'rnn'] as const);
  checkObject('modelConfig', 'o', o);
  // The defaults of norm and activation are left absent, so checkpoints of trained runs keep their exact config.
  const need = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  need('vocab', o.vocab, 1);
  need('classes', o.classes, 1);
  if (kind === 'transformer') {
    const c: TransformerConfig = {
      kind,
      vocab: o.vocab,
      classes: o.classes,
      layers: o.layers ?? 2,
      width: o.width ?? 64,
      heads: o.heads ?? 4,
      mlpRatio: o.mlpRatio ?? 4,
      positions: o.positions ?? 'learned',
      contextLength: o.contextLength ?? 2 * (o.length ?? 128),
      dropout: o.dropout ?? 0,
      ...(o.attnDropout ? { attnDropout: o.attnDropout } : {}),
      ...(o.norm !== undefined && o.norm !== 'layernorm' ? { norm: o.norm } : {}),
      ...(o.activation !== undefined && o.activation !== 'gelu' ? { activation: o.activation } : {}),
      ...(o.minimalFirstLayer === true ? { minimalFirstLayer: true } : {}),
    };
    need('layers', c.layers, 1);
    need('width', c.width, 1);
    need('heads', c.heads, 1);
    need('contextLength', c.contextLength, 1);
    if (c.width % c.heads !== 0) throw new Error(`width ${c.width} is not divisible by heads ${c.heads}`);
    if (!(c.mlpRatio > 0)) throw new Error(`mlpRatio must be > 0, got ${c.mlpRatio}`);
    if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${c.dropout}`);
    if (o.attnDropout !== undefined && !(o.attnDropout >= 0 && o.attnDropout < 1)) throw new Error(`attnDropout must be in [0, 1), got ${o.attnDropout}`);
    if (c.positions !== 'learned' && c.positions !== 'sinusoidal') throw new Error(`positions must be learned|sinusoidal, got ${c.positions}`);
    if (o.norm !== undefined && o.norm !== 'layernorm' && o.norm !== 'none') throw new Error(`norm must be layernorm|none, got ${o.norm}`);
    if (o.activation !== undefined && o.activation !== 'gelu' && o.activation !== 'relu') throw new Error(`activation must be gelu|relu, got ${o.activation}`);
    if (o.minimalFirstLayer !== undefined && typeof o.minimalFirstLayer !== 'boolean') throw new Error(`minimalFirstLayer must be a boolean, got ${JSON.stringify(o.minimalFirstLayer)}`);
    return c;
  }
  if (kind !== 'lstm' && kind !== 'gru' && kind !== 'rnn') throw new Error(`model must be one of ${MODEL_KINDS.join('|')}, got ${kind}`);
  const c: RnnConfig = { kind, vocab: o.vocab, classes: o.classes, layers: o.layers ?? 1, width: o.width ?? 64, version: RNN_LAYOUT };
  need('layers', c.layers, 1);
  need('width', c.width, 1);
  return c;
}
