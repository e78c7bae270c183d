/** The model zoo of the learning layer: build a SequenceModel from its config and a seed. */
import type { ModelConfig } from './config.js';
import type { SequenceModel } from './model.js';
import { RecurrentNet } from './rnn.js';
import { Transformer } from './transformer.js';
import { checkObject, checkOneOf } from '../../validate/index.js';

export * from './config.js';
export type { ForwardOptions, SequenceModel } from './model.js';
export { Params } from './params.js';
export { oneHot, embed, layerNorm, gelu, sinusoidalPositions } from './layers.js';
export { Transformer } from './transformer.js';
export { RecurrentNet } from './rnn.js';

export function createModel(config: ModelConfig, seed: number): SequenceModel {
  checkObject('createModel', 'config', config);
  checkOneOf('createModel', 'config.kind', config.kind, ['transformer', 'lstm', 'gru', 'rnn'] as const);
  return config.kind === 'transformer' ? new Transformer(config, seed) : new RecurrentNet(config, seed);
}
