/**
 * `npm run tokens -- --gguf FILE (--text "..." | --messages FILE.json [--template openchat|starchat|raw|gguf]
 *   [--coding]) [--no-bos] [--no-special]`
 * Tokenizes with the app's tokenizer on the GGUF's own vocabulary (header only is read) and prints the
 * ids as a JSON array on the last line. With --messages, the conversation is first rendered with the
 * template, exactly as the app sends it.
 */
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readGgufVocab } from '../workers/lib/tokenizer/gguf-vocab';
import { tokenize } from '../workers/lib/tokenizer/index';
import { renderPromptText, type ChatMessage, type TemplateId } from '../workers/lib/templates/index';
import { tokenizePrompt } from '../workers/lib/tokenizer/prompt';

const USAGE =
  'usage: npm run tokens -- --gguf FILE (--text "..." | --messages FILE.json [--template openchat|starchat|raw|gguf] [--coding]) [--no-bos] [--no-special]';

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    gguf: { type: 'string' },
    text: { type: 'string' },
    messages: { type: 'string' },
    template: { type: 'string', default: 'openchat' },
    coding: { type: 'boolean', default: false },
    'no-bos': { type: 'boolean', default: false },
    'no-special': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.gguf) fail('--gguf is required');
if ((values.text === undefined) === (values.messages === undefined)) fail('give exactly one of --text and --messages');
const templates: TemplateId[] = ['openchat', 'starchat', 'raw', 'gguf'];
if (!templates.includes(values.template as TemplateId)) fail(`unknown template "${values.template}"`);

const { vocab, chatTemplate, name } = await readGgufVocab(await openAsBlob(values.gguf));

let text = values.text ?? '';
let fromMessages: number[] | null = null;
if (values.messages !== undefined) {
  const messages = JSON.parse(await readFile(values.messages, 'utf8')) as ChatMessage[];
  if (!Array.isArray(messages) || messages.some((m) => typeof m?.content !== 'string' || !['system', 'user', 'assistant'].includes(m.role))) {
    fail('--messages must be a JSON array of {"role": "system"|"user"|"assistant", "content": "..."}');
  }
  const bos = vocab.bosId === null ? '' : vocab.tokens[vocab.bosId];
  const eos = vocab.eosId === null ? '' : vocab.tokens[vocab.eosId];
  const rendered = renderPromptText(values.template as TemplateId, messages, {
    coding: values.coding,
    jinja: chatTemplate ? { template: chatTemplate, bosToken: bos, eosToken: eos } : undefined,
  });
  // As the app sends it: special-token text inside messages kept as text (workers/lib/tokenizer/prompt.ts).
  const sent = tokenizePrompt(vocab, rendered);
  text = sent.text;
  fromMessages = values['no-bos'] && vocab.addBos && vocab.bosId !== null ? sent.ids.slice(1) : sent.ids;
  console.log(`rendered (${values.template}${values.coding ? ', coding' : ''}): ${JSON.stringify(text)}`);
  for (const n of sent.neutralized) console.log(`kept as text: ${JSON.stringify(n.text)} at ${n.start}`);
}

const ids = fromMessages ?? tokenize(vocab, text, { addSpecial: !values['no-bos'], parseSpecial: !values['no-special'] });
console.log(`model: ${name ?? '(unnamed)'} · vocabulary: ${vocab.model}, ${vocab.tokens.length} tokens · ${ids.length} ids`);
console.log(JSON.stringify(ids));
