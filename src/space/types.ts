// Plain, JSON-serializable data passed between the stages search -> space -> proxy -> export -> profile -> pareto.
// A candidate's config is its family's own type (src/families); the union of them is ArchConfig.
export type { ArchConfig, Family } from '../families/index.js';
export { FAMILIES } from '../families/index.js';

/** Shapes that a measurement (and so an exported graph) is fixed to. */
export interface ShapeSettings {
  batch: number;
  /** Tokens per forward pass (prefill length; the LTS setting is 192). */
  seq: number;
  /** Transformer-XL memory length filled for the measurement. */
  mem_len: number;
  /** Past positions in the cache for the decode metric. */
  context: number;
}
