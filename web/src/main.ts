import { setupIsolation } from './lib/sw-register';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// A first visit on a static host reloads once for the service worker: do not start the engine twice.
if ((await setupIsolation()) === 'continue') mount(App, { target: document.getElementById('app')!, props: { embedded: false } });
