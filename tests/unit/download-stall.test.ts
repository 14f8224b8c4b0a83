/** A host that goes silent mid-request is stopped after STALL.ms and retried, never waited on forever. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRange, fetchWhole, probe, RetryableError, STALL } from '../../workers/lib/download/http';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/silent') return; // accepts the connection, never answers
    if (req.url === '/whole') {
      // A server without Range: a whole file whose body stops after 10 bytes.
      res.writeHead(200, { 'Content-Length': '1000', 'Access-Control-Allow-Origin': '*' });
      res.write(Buffer.alloc(10));
      return;
    }
    // Answers the headers and 10 bytes of a 100-byte range, then goes quiet.
    res.writeHead(206, { 'Content-Range': 'bytes 0-99/1000', 'Content-Length': '100', 'Access-Control-Allow-Origin': '*' });
    res.write(Buffer.alloc(10));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  STALL.ms = 300;
});

afterAll(() => {
  STALL.ms = 60_000;
  server.closeAllConnections();
  server.close();
});

describe('a stalled download request', () => {
  it('a body that stops mid-range fails as retryable, saying the server stopped sending', async () => {
    const t0 = Date.now();
    const err = await fetchRange(`${base}/stops`, 0, 99, { size: 1000 }, new AbortController().signal, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/No data came from 127\.0\.0\.1:\d+ for 0 s: the server stopped sending/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a request never answered at all fails the same way, and a user abort stays an abort', async () => {
    await expect(probe(`${base}/silent`, new AbortController().signal)).rejects.toBeInstanceOf(RetryableError);
    const ctrl = new AbortController();
    const p = probe(`${base}/silent`, ctrl.signal);
    ctrl.abort(new DOMException('paused', 'AbortError'));
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a whole-file download (no Range) that stops mid-body fails the same way, and time between reads does not count', async () => {
    const reader = await fetchWhole(`${base}/whole`, new AbortController().signal);
    const first = await reader.read();
    expect(first.value?.length).toBe(10);
    await new Promise((r) => setTimeout(r, 2 * STALL.ms)); // the caller writing a chunk: not the server's silence
    const t0 = Date.now();
    const err = await reader.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/the server stopped sending/);
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(fetchWhole(`${base}/silent`, new AbortController().signal)).rejects.toBeInstanceOf(RetryableError);
  });
});
