/**
 * The embed demo (embed-demo.html): a host page as another site would write it. It loads embed.js
 * like any host, with a <script src> (from `?app=`, default the app beside this page), so opened
 * from another server it shows the widget working across origins. A module file, not an inline
 * script: served from the app's own origin, the app's CSP allows scripts from 'self' only.
 */
import type { Widget } from './embed-snippet/starling-embed';

const params = new URLSearchParams(location.search);

/** The app's folder: `?app=` (an origin, or the URL of the app's folder), else this page's folder. */
function appFolder(): URL {
  const app = params.get('app');
  if (!app) return new URL('./', location.href);
  const url = new URL(app.endsWith('/') ? app : `${app}/`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`app=${app} is not an http(s) URL`);
  return url;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function summarise(widget: Widget, text: string, output: HTMLOutputElement): Promise<void> {
  output.textContent = '';
  output.dataset.state = 'streaming';
  try {
    for await (const piece of widget.run({ messages: [{ role: 'user', content: `Summarise: ${text}` }], stream: true })) output.textContent += piece;
    output.dataset.state = 'done';
  } catch (e) {
    output.dataset.state = 'error';
    output.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function main(): Promise<void> {
  const app = appFolder();
  document.querySelector('[data-testid=demo-app]')!.textContent = app.href;
  await loadScript(new URL('embed.js', app).href);

  // `?model=` passes on to both widgets (default: the app's bundled demo model).
  const model = params.get('model') ?? undefined;
  Starling.mount('#chat', { title: 'Ask Starling', height: 440, maxHeight: 560, model });
  const api = Starling.mount('#api', { ui: 'none', model });

  const status = document.querySelector<HTMLElement>('[data-testid=demo-model-status]')!;
  void api.ready.then((info) => (status.textContent = `Ready: ${info.model} (${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}).`));

  const button = byId<HTMLButtonElement>('summarise');
  button.addEventListener('click', () => {
    button.disabled = true;
    void summarise(api, byId<HTMLTextAreaElement>('text').value, byId<HTMLOutputElement>('summary')).finally(() => (button.disabled = false));
  });
}

main().catch((e: unknown) => {
  document.body.prepend(Object.assign(document.createElement('p'), { role: 'alert', textContent: `The demo could not start: ${e instanceof Error ? e.message : String(e)}` }));
});
