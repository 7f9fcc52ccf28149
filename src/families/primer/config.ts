import type { LayeredConfig } from '../layered/config.js';

/** Primer-EZ on GPT-2: the two switches, each optional in input and explicit (false) once canonical. */
export interface PrimerConfig extends LayeredConfig {
  family: 'primer';
  /** FFN activation relu(x)^2 instead of gelu_tanh. */
  primer_square?: boolean;
  /** A causal depthwise conv of width 3 after each of Q, K, V. */
  primer_conv?: boolean;
}
