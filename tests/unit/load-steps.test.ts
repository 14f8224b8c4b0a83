import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoadSteps } from '../../workers/lib/engine/load-steps';

describe('load steps', () => {
  afterEach(() => vi.useRealTimers());

  it('reports each step and times it until the next one starts', () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const steps = new LoadSteps((s) => seen.push(s));
    vi.advanceTimersByTime(5); // before the first step: not a step of the load
    steps.step('header');
    vi.advanceTimersByTime(120);
    steps.step('weights');
    vi.advanceTimersByTime(3400);
    steps.step('swap');
    vi.advanceTimersByTime(2);
    expect(steps.finish()).toEqual([
      { step: 'header', ms: 120 },
      { step: 'weights', ms: 3400 },
      { step: 'swap', ms: 2 },
    ]);
    expect(seen).toEqual(['header', 'weights', 'swap']);
  });

  it('passes llama.cpp log lines on at most every 500 ms, under the current step', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(1000);
    const seen: string[] = [];
    const steps = new LoadSteps((s) => seen.push(s));
    steps.step('weights');
    steps.line('a');
    steps.line('b');
    vi.advanceTimersByTime(600);
    steps.line('c');
    expect(seen).toEqual(['weights', "weights; llama.cpp's last line: a", "weights; llama.cpp's last line: c"]);
  });
});
