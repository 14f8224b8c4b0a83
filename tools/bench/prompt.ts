/**
 * The benchmark prompt: one user message of about 130 tokens, rendered with the Starling (OpenChat 3.5)
 * template exactly as the app renders it, so the app, bare wllama and native llama.cpp all evaluate the
 * same text (the app's prompt-token count is compared with the others').
 */
import { renderPrompt } from '../../workers/lib/templates/index';

export const BENCH_MESSAGE =
  'I am planning a week-long hiking trip through the mountains in early autumn with two friends who have ' +
  'not camped before. Please write a short checklist of what each of us should pack, explain how to split ' +
  'shared gear such as the tent, stove and water filter fairly, suggest a daily distance that suits ' +
  'beginners carrying full packs, and list the three most common mistakes new hikers make on their first ' +
  'multi-day trip, together with a simple way to avoid each one. Keep the answer practical and friendly.';

export const BENCH_PROMPT = renderPrompt('openchat', [{ role: 'user', content: BENCH_MESSAGE }]);

/** A short message for the scale model, whose prompt speed is well under 1 token/s. */
export const SCALE_MESSAGE = 'Hello, who are you?';
export const SCALE_PROMPT = renderPrompt('openchat', [{ role: 'user', content: SCALE_MESSAGE }]);

/** The multi-turn run: six short user turns of one conversation (each reply is `tokens` long). */
export const TURN_MESSAGES = [
  'Hi! Can you help me plan a small vegetable garden?',
  'I have a sunny patch of about four square metres. What should I grow first?',
  'How often should I water tomatoes in a hot summer?',
  'And what about basil planted next to them?',
  'Which pests should I look out for, and how do I deal with them without chemicals?',
  'Thanks. Can you sum up the plan in three short lines?',
];
