/**
 * The benchmark prompt: one user message of about 130 tokens, rendered with the Starling (OpenChat 3.5)
 * template exactly as the app renders it, so the app, bare wllama and native llama.cpp all evaluate the
 * same text (the app's prompt-token count is compared with the others').
 */
import { renderPrompt } from '../../workers/lib/templates/index';
import { tokenize } from '../../workers/lib/tokenizer/index';
import { openChatTokenizerVocab } from '../models/scripted';

export const BENCH_MESSAGE =
  'I am planning a week-long hiking trip through the mountains in early autumn with two friends who have ' +
  'not camped before. Please write a short checklist of what each of us should pack, explain how to split ' +
  'shared gear such as the tent, stove and water filter fairly, suggest a daily distance that suits ' +
  'beginners carrying full packs, and list the three most common mistakes new hikers make on their first ' +
  'multi-day trip, together with a simple way to avoid each one. Keep the answer practical and friendly.';

export const BENCH_PROMPT = renderPrompt('openchat', [{ role: 'user', content: BENCH_MESSAGE }]);
/** Its token ids (BOS, special tokens parsed; the message holds none), as the app sends them: the bare own-engine page has no tokenizer. */
export const BENCH_PROMPT_IDS = tokenize(openChatTokenizerVocab(), BENCH_PROMPT);

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

/**
 * The n_batch sweep's message: about 500 prompt tokens, so batches of 32 to 512 each split it
 * differently (a prompt shorter than the batch runs as one batch whatever n_batch is).
 */
export const BATCH_MESSAGE = [
  BENCH_MESSAGE,
  'We will start from a small village at the end of a valley road, climb to a ridge on the second day, and ' +
    'follow it north for three days past two lakes and a mountain hut where we could buy dinner once. The ' +
    'last two days descend through forest to a railway station. Nights may drop to freezing, days can be warm, ' +
    'and the forecast says there might be one rainy day in the middle of the week.',
  'Two of us have light trail shoes and one has heavy leather boots; none of us has used trekking poles. We ' +
    'own one old two-person tent and could borrow a second one, a gas stove, two small pots and a water filter ' +
    'that has not been used for years. Our budget for new gear is modest, so tell us what is worth buying and ' +
    'what can be rented, borrowed or left at home without making the trip less safe or much less comfortable.',
  'Finally, explain how we should plan food for seven days with only one resupply at the hut, how much water ' +
    'to carry between the lakes, what to do if one of us gets a blister or feels unwell at altitude, and how to ' +
    'tell someone at home where we are each evening when the phone signal on the ridge is weak or missing.',
].join('\n\n');
