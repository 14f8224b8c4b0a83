import { describe, expect, it } from 'vitest';
import { StopMatcher } from '../../workers/lib/engine/own/stop-strings';

/** Feeds pieces and returns what was shown, and whether a stop string ended it. */
function run(stops: string[], pieces: string[]): { shown: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  let shown = '';
  for (const p of pieces) {
    const r = m.push(p);
    shown += r.emit;
    if (r.stopped) return { shown, stopped: true };
  }
  return { shown: shown + m.flush(), stopped: false };
}

describe('stop strings over streamed pieces', () => {
  it('ends just before a stop string split across pieces, showing none of it', () => {
    expect(run(['<|end|>'], ['Hi', ' there<|e', 'nd|> more'])).toEqual({ shown: 'Hi there', stopped: true });
  });
  it('holds back a possible start, then shows it once it is not a stop string', () => {
    const m = new StopMatcher(['User:']);
    expect(m.push('a Us')).toEqual({ emit: 'a ', stopped: false });
    expect(m.push('ually')).toEqual({ emit: 'Usually', stopped: false });
  });
  it('stops at the earliest of several stop strings', () => {
    expect(run(['B', 'A'], ['xxAyyB'])).toEqual({ shown: 'xx', stopped: true });
  });
  it('gives back held text when the reply ends for another reason', () => {
    expect(run(['</s>'], ['ok </'])).toEqual({ shown: 'ok </', stopped: false });
  });
  it('passes everything with no stop strings', () => {
    expect(run([], ['a', 'b'])).toEqual({ shown: 'ab', stopped: false });
  });
});
