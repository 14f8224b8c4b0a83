import { setupIsolation } from './lib/sw-register';
import { mount } from 'svelte';
import App from './App.svelte';
import { browserSession } from './lib/browser-session';
import { sessionContext } from './lib/session-context';
import './app.css';
import { warmMarkdown } from './lib/markdown';

// A first visit on a static host reloads once for the service worker: do not start the engine twice.
if ((await setupIsolation()) === 'continue') {
  const session = browserSession({ keepConversations: true });
  mount(App, { target: document.getElementById('app')!, context: sessionContext(session) });
  void session.start();
  warmMarkdown();
}
