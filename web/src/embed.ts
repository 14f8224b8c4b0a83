import { setupIsolation } from './lib/sw-register';
import { mount } from 'svelte';
import Embed from './Embed.svelte';
import { browserSession } from './lib/browser-session';
import { sessionContext } from './lib/session-context';
import { parseEmbedParams } from './lib/embed/embed-params';
import { EmbedState, embedContext } from './lib/embed/embed-state.svelte';
import './app.css';

// A first visit on a static host reloads once for the service worker: do not start the engine twice.
if ((await setupIsolation()) === 'continue') {
  const session = browserSession();
  const embed = new EmbedState(parseEmbedParams(location.search));
  mount(Embed, { target: document.getElementById('app')!, context: new Map<symbol, unknown>([...sessionContext(session), ...embedContext(embed)]) });
  void session.start();
}
