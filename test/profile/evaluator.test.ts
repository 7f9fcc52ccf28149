// The local evaluator tells the search which failures are not the candidate's.
import { describe, expect, it } from 'vitest';
import { asEvaluation } from '../../src/profile/evaluator.js';
import type { Measurement } from '../../src/profile/types.js';

const failed = (error: string): Measurement => ({ ok: false, error, timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 1 } });

describe('asEvaluation', () => {
  it('marks a child stopped by SIGINT, SIGTERM or SIGHUP retryable, and nothing else', () => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(asEvaluation(failed(`crashed: signal ${sig}`)).retryable).toBe(true);
    expect(asEvaluation(failed('crashed: signal SIGKILL (killed from outside, likely the kernel OOM killer)')).retryable).toBeUndefined();
    expect(asEvaluation(failed('timeout after 10 s')).retryable).toBeUndefined();
    const ok: Measurement = { ok: true, timing: { export_ms: 1, session_ms: 1, measure_ms: 1, total_ms: 3 } };
    expect(asEvaluation(ok)).toEqual(ok);
  });
});
