import { describe, expect, it } from 'vitest';
import { parsePlacements, providerFromPlacement, vulkanReason } from '../../src/profile/measure.js';

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

describe('why WebGPU found no adapter', () => {
  it('names a missing Vulkan loader or a driver lacking a WebGPU requirement, and nothing else', () => {
    expect(vulkanReason("Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file")).toBe('Vulkan not loadable (libvulkan.so.1 missing)');
    expect(vulkanReason('Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.')).toBe(
      'the Vulkan driver lacks a WebGPU requirement: Vulkan shaderUniform*ArrayDynamicIndexing required',
    );
    expect(vulkanReason(' - While initializing adapter (backend=BackendType::Vulkan)')).toBeUndefined();
  });
});
