import { describe, expect, it } from 'vitest';
import { allProxyChoices, chooseProxies, chosenProxy, withProxyChoices } from '../../src/search/proxy-choice.js';
import type { SearchSettings } from '../../src/search/types.js';
import { LtsError } from '../../src/util/errors.js';

describe('proxy choices (families whose proxy is one of several counts)', () => {
  it('brainformer offers --moe-proxy, default effective, recorded with its source', () => {
    expect(allProxyChoices().map((c) => c.setting)).toEqual(['moe_proxy']);
    const s = chooseProxies(['gpt2', 'brainformer'], {});
    expect(s.moe_proxy).toBe('effective');
    expect(s.moe_proxy_source).toMatch(/Clark et al. 2022/);
    expect(chooseProxies(['brainformer'], { moeProxy: 'total' }).moe_proxy).toBe('total');
  });

  it('a choice for a search without such a family, or an unknown count, is one clear error', () => {
    expect(() => chooseProxies(['gpt2'], { moeProxy: 'total' })).toThrow(LtsError);
    expect(() => chooseProxies(['gpt2'], { moeProxy: 'total' })).toThrow(/--moe-proxy applies to families brainformer/);
    expect(() => chooseProxies(['brainformer'], { moeProxy: 'most' })).toThrow(/--moe-proxy must be one of effective, activated, total/);
    expect(chooseProxies(['gpt2'], {})).toEqual({});
  });

  it('the choice reaches the family space and names the proxy per family', () => {
    const s = { families: ['gpt2', 'brainformer'], space: { d_model: [256] }, moe_proxy: 'activated' } as unknown as SearchSettings;
    expect(withProxyChoices(s)).toEqual({ d_model: [256], brainformer: { proxy: 'activated' } });
    expect(chosenProxy(s, 'brainformer')).toBe('activated');
    expect(chosenProxy(s, 'gpt2')).toBeUndefined();
  });
});
