/**
 * embed.js's logic without a browser: the protocol client (client.ts) driven with plain messages,
 * the frame's URL and message filter (frame.ts), and the build step that makes it a classic script.
 * The e2e spec (tests/e2e/embed-snippet.spec.ts) runs the real thing against the real widget.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { HostMessage, WidgetMessage } from '../../web/src/lib/embed/protocol';
import { createClient } from '../../web/src/embed-snippet/client';
import { frameUrl, widgetMessage } from '../../web/src/embed-snippet/frame';
import { asClassicScript } from '../../tools/vite-embed-snippet';

const READY: WidgetMessage = { type: 'starling:ready', model: 'demo.gguf', backend: 'cpu', threads: 1, ctx: 2048 };
const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

function setup() {
  const sent: HostMessage[] = [];
  const client = createClient((m) => void sent.push(m));
  return { client, sent };
}

const collect = async (it: AsyncIterable<string>): Promise<string[]> => {
  const out: string[] = [];
  for await (const piece of it) out.push(piece);
  return out;
};

describe('the client', () => {
  it('queues calls made before the first ready and sends them after it, in order', async () => {
    const { client, sent } = setup();
    const run = client.run({ prompt: 'Hello' });
    const tokens = client.tokenize('Hi', { raw: true });
    expect(sent).toEqual([]);
    expect(client.info).toBeNull();

    client.receive(READY);
    expect(await client.ready).toEqual({ model: 'demo.gguf', backend: 'cpu', threads: 1, ctx: 2048 });
    expect(client.info).toEqual(await client.ready);
    expect(sent).toEqual([
      { type: 'starling:run', id: run.id, input: { prompt: 'Hello' } },
      { type: 'starling:tokenize', id: sent[1].id, text: 'Hi', raw: true },
    ]);
    expect(run.id).not.toBe(sent[1].id);

    client.receive({ type: 'starling:tokens', id: sent[1].id, ids: [1, 2] });
    client.receive({ type: 'starling:done', id: run.id, response: 'Hi!', usage: USAGE, finish_reason: 'stop' });
    expect(await tokens).toEqual([1, 2]);
    expect(await run).toEqual({ response: 'Hi!', usage: USAGE, finish_reason: 'stop' });
  });

  it('a streamed run yields every piece, also to an iterator started late, and resolves to the whole response', async () => {
    const { client, sent } = setup();
    client.receive(READY);
    const run = client.run({ prompt: 'Hello', stream: true });
    const early = collect(run);
    client.receive({ type: 'starling:token', id: run.id, response: 'Hel' });
    await Promise.resolve();
    client.receive({ type: 'starling:token', id: run.id, response: 'lo!' });
    client.receive({ type: 'starling:done', id: run.id, response: 'Hello!', usage: USAGE, finish_reason: 'stop' });
    expect(await early).toEqual(['Hel', 'lo!']);
    expect(await collect(run)).toEqual(['Hel', 'lo!']);
    expect((await run).response).toBe('Hello!');
    expect(sent).toHaveLength(1);
  });

  it('a run without stream yields its whole response once', async () => {
    const { client } = setup();
    client.receive(READY);
    const run = client.run({ prompt: 'Hello' });
    client.receive({ type: 'starling:done', id: run.id, response: 'All at once.', usage: USAGE, finish_reason: 'length' });
    expect(await collect(run)).toEqual(['All at once.']);
  });

  it('an error rejects the run and throws from its iterator, with kind and field', async () => {
    const { client } = setup();
    client.receive(READY);
    const run = client.run({ prompt: 'Hello', temperature: 9, stream: true });
    client.receive({ type: 'starling:error', id: run.id, error: { kind: 'invalid-input', message: 'temperature is 0–5', field: 'temperature' } });
    await expect(run).rejects.toMatchObject({ name: 'StarlingError', kind: 'invalid-input', field: 'temperature', message: 'temperature is 0–5' });
    await expect(collect(run)).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  it('cancel before ready drops the queued run (it is never sent); after ready it asks the widget', async () => {
    const { client, sent } = setup();
    const waiting = client.run({ prompt: 'one' });
    waiting.cancel();
    expect((await waiting).finish_reason).toBe('cancelled');
    client.receive(READY);
    expect(sent).toEqual([]);

    const running = client.run({ prompt: 'two', stream: true });
    running.cancel();
    expect(sent.at(-1)).toEqual({ type: 'starling:cancel', id: running.id });
    client.receive({ type: 'starling:done', id: running.id, response: 'Par', usage: USAGE, finish_reason: 'cancelled' });
    expect(await running).toMatchObject({ response: 'Par', finish_reason: 'cancelled' });
    running.cancel(); // finished: nothing more to send
    expect(sent.filter((m) => m.type === 'starling:cancel')).toHaveLength(1);
  });

  it("the widget's cancel() cancels every unfinished run", async () => {
    const { client, sent } = setup();
    client.receive(READY);
    const a = client.run({ prompt: 'a' });
    const b = client.run({ prompt: 'b' });
    client.receive({ type: 'starling:done', id: a.id, response: 'A', usage: USAGE, finish_reason: 'stop' });
    await a;
    client.cancel();
    expect(sent.filter((m) => m.type === 'starling:cancel')).toEqual([{ type: 'starling:cancel', id: b.id }]);
  });

  it('ignores answers to ids it never sent; reports an error for no request of its own as an event', () => {
    const { client } = setup();
    const errors: string[] = [];
    const resizes: number[] = [];
    client.on('error', (e) => errors.push(e.kind));
    const stop = client.on('resize', ({ height }) => resizes.push(height));
    client.receive(READY);
    client.receive({ type: 'starling:done', id: 'someone-else', response: 'x', usage: USAGE, finish_reason: 'stop' });
    client.receive({ type: 'starling:error', id: null, error: { kind: 'invalid-message', message: 'no id' } });
    client.receive({ type: 'starling:resize', height: 300 });
    stop();
    client.receive({ type: 'starling:resize', height: 400 });
    expect(errors).toEqual(['invalid-message']);
    expect(resizes).toEqual([300]);
  });

  it('a later ready (a model change) updates info and fires the event again', async () => {
    const { client } = setup();
    const seen: string[] = [];
    client.on('ready', (info) => seen.push(info.model));
    client.receive(READY);
    client.receive({ ...READY, model: 'other.gguf' });
    expect(seen).toEqual(['demo.gguf', 'other.gguf']);
    expect(client.info?.model).toBe('other.gguf');
    expect((await client.ready).model).toBe('demo.gguf');
  });

  it('input that postMessage cannot copy rejects that run only', async () => {
    const client = createClient(() => {
      throw new DOMException('could not be cloned', 'DataCloneError');
    });
    client.receive(READY);
    await expect(client.run({ prompt: 'x' })).rejects.toMatchObject({ kind: 'invalid-message' });
  });

  it('close() rejects what is pending and every later call with kind destroyed', async () => {
    const { client } = setup();
    const run = client.run({ prompt: 'never sent' });
    client.close();
    await expect(run).rejects.toMatchObject({ kind: 'destroyed' });
    await expect(client.ready).rejects.toMatchObject({ kind: 'destroyed' });
    await expect(client.tokenize('x')).rejects.toMatchObject({ kind: 'destroyed' });
  });

  it('ids differ between two widgets', () => {
    const a = setup();
    const b = setup();
    a.client.receive(READY);
    b.client.receive(READY);
    expect(a.client.run({ prompt: 'x' }).id).not.toBe(b.client.run({ prompt: 'x' }).id);
  });
});

describe('the frame', () => {
  const HOST = 'https://host.example';

  it("points at embed.html with the options as parameters and parent= the host page's origin", () => {
    const url = frameUrl({ model: 'hf:o/r/m.gguf', title: 'Ask', theme: 'dark', accent: '#3a5bd9', system: 'Be brief.', threads: 2, ctx: 1024 }, 'https://app.example/x/embed.html', `${HOST}/page`, HOST);
    expect(url.origin + url.pathname).toBe('https://app.example/x/embed.html');
    expect(Object.fromEntries(url.searchParams)).toEqual({ model: 'hf:o/r/m.gguf', title: 'Ask', theme: 'dark', accent: '#3a5bd9', system: 'Be brief.', threads: '2', ctx: '1024', parent: HOST });
  });

  it('resolves src against the page, keeps its own parameters, and never lets it choose parent', () => {
    const url = frameUrl({ src: '/app/embed.html?sw=0&parent=https://evil.example', ui: 'none' }, null, `${HOST}/blog/post`, HOST);
    expect(url.href).toBe(`${HOST}/app/embed.html?sw=0&parent=${encodeURIComponent(HOST)}&ui=none`);
  });

  it('needs src when embed.js could not tell where it was loaded from', () => {
    expect(() => frameUrl({}, null, `${HOST}/`, HOST)).toThrow(/options\.src/);
  });

  it('accepts only starling: messages from the frame window at the frame origin', () => {
    const frame = {};
    const ok = { origin: 'https://app.example', source: frame, data: READY } as unknown as MessageEvent;
    expect(widgetMessage(ok, 'https://app.example', frame)).toEqual(READY);
    expect(widgetMessage({ ...ok, origin: 'https://evil.example' }, 'https://app.example', frame)).toBeNull();
    expect(widgetMessage({ ...ok, source: {} as Window }, 'https://app.example', frame)).toBeNull();
    expect(widgetMessage({ ...ok, source: null }, 'https://app.example', null)).toBeNull();
    expect(widgetMessage({ ...ok, data: { type: 'other:ready' } }, 'https://app.example', frame)).toBeNull();
    expect(widgetMessage({ ...ok, data: 'starling:ready' }, 'https://app.example', frame)).toBeNull();
    expect(widgetMessage({ ...ok, data: null }, 'https://app.example', frame)).toBeNull();
  });
});

describe('the build step', () => {
  it('wraps a chunk so its top-level names stay out of the page: run twice, nothing collides or leaks', () => {
    const script = asClassicScript('const a = 1; var b = 2; function c() { return a + b; } globalThis.result = (globalThis.result ?? 0) + c();', 'embed.js');
    const context: Record<string, unknown> = {};
    runInNewContext(script, context);
    runInNewContext(script, context);
    expect(context.result).toBe(6);
    expect(Object.keys(context)).toEqual(['result']);
  });

  it('refuses a chunk with an import or export (a runtime import from the app), import() or import.meta', () => {
    expect(() => asClassicScript('import { x } from "./app.js"; x();', 'embed.js')).toThrow(/not a classic script/);
    expect(() => asClassicScript('const x = 1; export { x };', 'embed.js')).toThrow(/not a classic script/);
    expect(() => asClassicScript('import("./chunk.js");', 'embed.js')).toThrow(/import\(\)/);
    expect(() => asClassicScript('console.log(import.meta.url);', 'embed.js')).toThrow(/import\.meta|not a classic script/);
  });
});
