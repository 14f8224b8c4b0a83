/**
 * A reply's figures in one line under it: tokens, speed, time to first token, and new against reused
 * prompt tokens. Rates come from rateText (never "0.0 tok/s" for a stopped or one-token reply).
 */
import type { GenStats } from './reply-check';
import { rateText } from './components/gen-stats-text';

export function replyFigures(s: GenStats): string {
  const tokens = `${s.genTokens} ${s.genTokens === 1 ? 'token' : 'tokens'}`;
  const speed = s.genTokens > 1 ? ` · ${rateText(s.genTps, s.genTokens)}` : '';
  const prompt = `prompt ${s.promptTokens} new${s.cachedTokens ? ` + ${s.cachedTokens} reused` : ''}`;
  return `${tokens}${speed} · first token ${Math.round(s.ttftMs)} ms · ${prompt}`;
}
