/**
 * A reply's figures in one line: tokens, speeds, time to first token, and new against reused prompt
 * tokens. A rate the engine could not measure (a stopped or one-token reply) shows as "—", never
 * as "0.0 tok/s".
 */
import type { GenStats } from './reply-check';

const rate = (tps: number, tokens: number): string => (tokens > 1 && Number.isFinite(tps) && tps > 0 ? `${tps >= 100 ? tps.toFixed(0) : tps.toFixed(1)} tok/s` : '—');

export function replyFigures(s: GenStats): string {
  const tokens = `${s.genTokens} ${s.genTokens === 1 ? 'token' : 'tokens'}`;
  const prompt = `prompt ${s.promptTokens} new${s.cachedTokens ? ` + ${s.cachedTokens} reused` : ''}, ${rate(s.promptTps, s.promptTokens)}`;
  return `${tokens} · ${rate(s.genTps, s.genTokens)} · first token ${Math.round(s.ttftMs)} ms · ${prompt}`;
}
