/**
 * A reply's speed as text. A rate needs at least two tokens and a time the engine measured: a stopped
 * or one-token reply has none, so it shows its token count (or a dash), never "0.0 tok/s".
 */
export function rateText(tokensPerSecond: number, tokens: number): string {
  const count = `${tokens} ${tokens === 1 ? 'token' : 'tokens'}`;
  if (tokens <= 1 || !Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return tokens > 0 ? count : '—';
  return `${tokensPerSecond >= 100 ? tokensPerSecond.toFixed(0) : tokensPerSecond.toFixed(1)} tok/s`;
}
