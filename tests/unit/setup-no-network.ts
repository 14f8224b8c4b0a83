/**
 * Unit tests never leave this machine: fetch to anything but a loopback test server fails loudly.
 * (URLs such as https://huggingface.co/… appear in tests only as strings to parse.)
 */
const realFetch = globalThis.fetch;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!LOOPBACK.has(url.hostname)) {
    return Promise.reject(new Error(`unit tests must not use the network: fetch(${url.href})`));
  }
  return realFetch(input, init);
};
