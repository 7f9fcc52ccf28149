import { describe, expect, it } from 'vitest';
import { parsePlacements, providerFromPlacement } from '../../src/profile/measure.js';

const V = '2026-11-22 19:41:38.947426368 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]';

describe('recording the providers that really ran', () => {
  it('a graph wholly on one provider', () => {
    const p = parsePlacements([`${V} Node placements`, `${V}  All nodes placed on [CPUExecutionProvider]. Number of nodes: 42`]);
    expect(p).toEqual({ cpu: 42 });
    expect(providerFromPlacement(['cpu'], p!)).toBe('cpu');
  });

  it('a partial fallback is visible, requested provider first, and sessions add up', () => {
    const lines = [
      `${V}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3`,
      `${V}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 120`,
      `${V}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 60`,
    ];
    const p = parsePlacements(lines)!;
    expect(p).toEqual({ cpu: 3, webgpu: 180 });
    expect(providerFromPlacement(['webgpu'], p)).toBe('webgpu+cpu');
    expect(providerFromPlacement(['cuda'], { cuda: 0, cpu: 7 })).toBe('cpu');
  });

  it('no placement lines (onnxruntime-web): nothing claimed', () => {
    expect(parsePlacements(['some other line'])).toBeUndefined();
  });
});
