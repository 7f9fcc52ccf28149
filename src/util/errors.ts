/** User-facing failure (bad input, invalid config, unusable file). The CLI prints its one-line message without a stack. */
export class LtsError extends Error {
  override name = 'LtsError';
}
