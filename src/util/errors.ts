/** User-facing failure (bad input, invalid config, unusable file). The CLI prints its one-line message without a stack. */
export class LtsError extends Error {
  override name = 'LtsError';
}

/** An error's message on one line: lines joined (V8's JSON errors quote the input, newlines included), terminal colours removed. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s*\n\s*/g, ' ').trim();
}
