// The Chromium that browser profiles measure in: found on this machine (never downloaded), launched
// headless through playwright-core once per process and kept between candidates (start-up costs
// seconds), relaunched when it died, closed when the caller is done or after it has sat idle.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { LtsError } from '../../util/errors.js';
import type { DeviceProfile } from '../types.js';
import { startPageServer, type PageServer } from './server.js';

const INSTALL_HINT = 'set LTS_CHROMIUM to its executable, or on Debian/Ubuntu: apt-get install chromium';
const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The browser executable: LTS_CHROMIUM, else the first usual install path that exists. Throws one line when none. */
export function findChromium(): string {
  const env = process.env.LTS_CHROMIUM;
  if (env) {
    if (!existsSync(env)) throw new LtsError(`LTS_CHROMIUM=${env}: no such file (${INSTALL_HINT})`);
    return env;
  }
  const found = KNOWN_PATHS.find((p) => existsSync(p));
  if (!found) throw new LtsError(`no Chromium found (looked at ${KNOWN_PATHS.slice(0, 2).join(', ')}, ...): ${INSTALL_HINT}`);
  return found;
}

/** Flags for a profile: gc() for the page (as the Node worker has), WebGPU where the profile asks for it. */
export function launchArgs(device: Pick<DeviceProfile, 'executionProviders' | 'browser'>): string[] {
  const args = ['--js-flags=--expose-gc', '--disable-features=SpareRendererForSitePerProcess'];
  // Linux Chromium keeps WebGPU behind this flag; without it navigator.gpu is missing.
  if (device.executionProviders.includes('webgpu')) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan');
  return [...args, ...(device.browser?.args ?? [])];
}

export interface Held {
  browser: Browser;
  server: PageServer;
  executable: string;
  args: string[];
}

let held: Promise<Held> | undefined;
let idle: NodeJS.Timeout | undefined;
let users = 0;
/** A browser nobody used for this long is closed, so a process that forgot to close it still exits. */
export const IDLE_CLOSE_MS = 30_000;

async function launch(args: string[]): Promise<Held> {
  const executable = findChromium();
  const server = await startPageServer();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: executable, args, headless: true, timeout: 60_000 });
  } catch (e) {
    await server.close();
    const first = ((e as Error).message ?? String(e)).split('\n').find((l) => l.trim() !== '') ?? '';
    throw new LtsError(`Chromium (${executable}) failed to start: ${first.trim()}`);
  }
  const h: Held = { browser, server, executable, args };
  // A browser that died (killed, crashed) is forgotten here and relaunched by the next acquire().
  browser.on('disconnected', () => {
    void server.close();
    if (current === h) {
      held = undefined;
      current = undefined;
    }
  });
  current = h;
  return h;
}
let current: Held | undefined;

/** The running browser for these flags (launched, or relaunched with other flags). Pair with release(). */
export async function acquire(device: Pick<DeviceProfile, 'executionProviders' | 'browser'>): Promise<Held> {
  clearTimeout(idle);
  users++;
  const args = launchArgs(device);
  try {
    if (held) {
      const h = await held.catch(() => undefined);
      if (h && h.browser.isConnected() && h.args.join('\n') === args.join('\n')) return h;
      if (h) await h.browser.close().catch(() => {});
      held = undefined;
    }
    held = launch(args);
    return await held.catch((e) => {
      held = undefined;
      throw e;
    });
  } catch (e) {
    release();
    throw e;
  }
}

export function release(): void {
  users = Math.max(0, users - 1);
  if (users > 0 || !held) return;
  clearTimeout(idle);
  idle = setTimeout(() => void closeBrowser(), IDLE_CLOSE_MS);
  idle.unref();
}

/** Closes the browser and its server (end of a search, doctor, tests). Safe to call when none runs. */
export async function closeBrowser(): Promise<void> {
  clearTimeout(idle);
  const h = await held?.catch(() => undefined);
  held = undefined;
  current = undefined;
  if (!h) return;
  await h.browser.close().catch(() => {});
  await h.server.close();
}
