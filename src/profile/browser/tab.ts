// One candidate's page: a fresh browser context (own renderer process, empty cache), the renderer's pid
// for reading its memory from the OS, the device's time and memory limits enforced by killing that
// renderer, and typed calls into the page script.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { rssMb } from '../procmem.js';
import type { DeviceProfile } from '../types.js';
import type { Held } from './chromium.js';
import type { PageApi } from './page.js';
import type { OrtBundle } from './server.js';

type ProcessInfo = { type: string; id: number };

async function rendererPids(held: Held): Promise<Set<number>> {
  const cdp = await held.browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
    return new Set(processInfo.filter((p) => p.type === 'renderer').map((p) => p.id));
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** User + system CPU seconds of a process, all its threads (web workers included); undefined off Linux. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), counted from the state field (3rd); Linux reports them in 1/100 s.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

export interface Tab {
  page: Page;
  /** The page's renderer process(es): the new ones a navigation to our origin started. */
  pids: number[];
  /** The page's console output so far (onnxruntime's logs). */
  console: string[];
  call<K extends keyof PageApi>(name: K, arg?: Parameters<PageApi[K]>[0]): Promise<Awaited<ReturnType<PageApi[K]>>>;
  /** Why the page is gone, once it is: a limit we enforced, or the renderer crashing. */
  failure(): string | undefined;
  /** Starts enforcing the device's limits (after the page script has loaded). */
  guard(limits: DeviceProfile['limits']): void;
  close(): Promise<void>;
}

export async function openTab(held: Held, bundle: OrtBundle): Promise<Tab> {
  const ctx: BrowserContext = await held.browser.newContext();
  let killedFor: string | undefined;
  let crashed = false;
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let pids: number[] = [];
  const consoleLines: string[] = [];
  try {
    const page = await ctx.newPage();
    page.on('crash', () => (crashed = true));
    page.on('console', (m) => consoleLines.push(m.text()));
    // The blank page has a renderer already; navigating to our origin starts the page's own.
    const before = await rendererPids(held);
    await page.goto(`${held.server.origin}/page.html?bundle=${bundle}`);
    await page.waitForFunction(() => (globalThis as { lts?: unknown }).lts !== undefined, undefined, { timeout: 60_000 });
    pids = [...(await rendererPids(held))].filter((p) => !before.has(p));
    const kill = (why: string): void => {
      killedFor ??= why;
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    };
    return {
      page,
      pids,
      console: consoleLines,
      call: (name, arg) =>
        page.evaluate(([n, a]) => (globalThis as unknown as { lts: Record<string, (x: unknown) => unknown> }).lts[n]!(a), [name, arg] as const) as never,
      failure: () => killedFor ?? (crashed ? 'crashed: the page\'s renderer process died' : undefined),
      guard(limits) {
        timer = setTimeout(() => kill(`timeout after ${limits.timeoutS} s`), limits.timeoutS * 1000);
        poll = setInterval(() => {
          const rss = pids.reduce((s, p) => s + (rssMb(p) ?? 0), 0);
          if (rss > limits.memoryMb) kill(`out of memory (limit ${limits.memoryMb} MB)`);
        }, 50);
      },
      async close() {
        clearTimeout(timer);
        clearInterval(poll);
        // A context that will not close (a hung renderer) is not allowed to stall the search.
        const closed = ctx.close().then(() => true, () => true);
        const late = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref())]);
        if (!late) kill('close timed out');
      },
    };
  } catch (e) {
    clearTimeout(timer);
    clearInterval(poll);
    await ctx.close().catch(() => {});
    throw e;
  }
}
