import { setupIsolation } from './lib/sw-register';
import { mount } from 'svelte';
import Embed from './Embed.svelte';
import { browserSession } from './lib/browser-session';
import { sessionContext } from './lib/session-context';
import './app.css';

// A first visit on a static host reloads once for the service worker: do not start the engine twice.
if ((await setupIsolation()) === 'continue') {
  const session = browserSession();
  mount(Embed, { target: document.getElementById('app')!, context: sessionContext(session) });
  void session.start();
}
