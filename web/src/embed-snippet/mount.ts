/** Starling.mount: the iframe in the host page, wired to a protocol client (client.ts). */
import { createClient } from './client';
import { frameUrl, widgetMessage } from './frame';
import type { MountOptions, Widget } from './starling-embed';

const DEFAULT_HEIGHT = 480;

export function mountWidget(el: HTMLElement | string, options: MountOptions, defaultSrc: string | null): Widget {
  const container = typeof el === 'string' ? document.querySelector<HTMLElement>(el) : el;
  if (!container) throw new Error(`Starling.mount: no element matches ${String(el)}`);

  const url = frameUrl(options, defaultSrc, document.baseURI, location.origin);
  const frame = document.createElement('iframe');
  // Lets an isolated host page pass its isolation on (threads in Firefox and Safari; Chromium isolates
  // the widget by its own Document-Isolation-Policy either way).
  frame.allow = 'cross-origin-isolated';
  frame.title = options.title ?? 'Starling chat';
  frame.style.border = '0';
  if (options.ui === 'none') {
    // Out of sight and out of the accessibility tree, but laid out: display:none ran too in Chromium,
    // but a frame with no layout is a frame whose page cannot measure itself in every browser.
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    Object.assign(frame.style, { position: 'absolute', width: '0', height: '0', overflow: 'hidden' });
  } else {
    Object.assign(frame.style, { display: 'block', width: '100%', height: `${options.height ?? DEFAULT_HEIGHT}px` });
  }
  frame.src = url.href;

  const client = createClient((message) => {
    // Never '*': if the frame has navigated away, the message must not reach whoever is there now.
    frame.contentWindow?.postMessage(message, url.origin);
  });
  const onMessage = (event: MessageEvent): void => {
    const message = widgetMessage(event, url.origin, frame.contentWindow);
    if (message) client.receive(message);
  };
  window.addEventListener('message', onMessage);
  client.on('resize', ({ height }) => {
    if (options.ui === 'none' || !Number.isFinite(height) || height <= 0) return;
    frame.style.height = `${Math.ceil(Math.min(height, options.maxHeight ?? Infinity))}px`;
  });
  container.append(frame);

  const { ready, run, cancel, tokenize, on } = client;
  return {
    frame,
    ready,
    get info() {
      return client.info;
    },
    run,
    cancel,
    tokenize,
    on,
    destroy() {
      window.removeEventListener('message', onMessage);
      client.close();
      frame.remove();
    },
  };
}
