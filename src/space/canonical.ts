// Candidate identity: the family's canonical config, its JSON the key, a hash of the key the id.
import { createHash } from 'node:crypto';
import { definitionOf } from '../families/index.js';
import type { ArchConfig } from './types.js';

/** The config as it is identified (the family decides: active layers only, fixed field order). */
export function canonical(cfg: ArchConfig): ArchConfig {
  return definitionOf(cfg).canonical(cfg);
}

export function candidateKey(cfg: ArchConfig): string {
  return JSON.stringify(canonical(cfg));
}

/** Short stable id: family + 10 hex chars of sha256(key), e.g. `gpt2-1a2b3c4d5e`. */
export function candidateId(cfg: ArchConfig): string {
  const hex = createHash('sha256').update(candidateKey(cfg)).digest('hex').slice(0, 10);
  return `${cfg.family}-${hex}`;
}
