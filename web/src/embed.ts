import { setupIsolation } from './lib/sw-register';
import { mount } from 'svelte';
import Embed from './Embed.svelte';
import { browserSession } from './lib/browser-session';
import { sessionContext } from './lib/session-context';
import { parseEmbedParams } from './lib/embed/embed-params';
import { EmbedState, embedContext } from './lib/embed/embed-state.svelte';
import { EMBED_CONFIG_FILE, hostAllowed, loadEmbedConfig, modelAllowed } from './lib/embed/embed-config';
import { EmbedBridge } from './lib/embed/bridge';
import { AppError } from '$workers/lib/errors';
import './app.css';
import { warmMarkdown } from './lib/markdown';

/** The origin of the page that embeds this frame, where the browser tells it (not Firefox); null at the top. */
function embedderOrigin(): string | null {
  if (window.parent === window) return null;
  return location.ancestorOrigins?.[0] ?? null;
}

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// A first visit on a static host reloads once for the service worker: do not start the engine twice.
if ((await setupIsolation()) === 'continue') {
  const params = parseEmbedParams(location.search);
  const embed = new EmbedState(params);
  // The visible widget keeps its conversations (in this host site's partition of storage); the
  // hidden one (ui=none) is a model for the host page's own code, and keeps nothing.
  const session = browserSession({ keepConversations: params.ui !== 'none' });
  if (params.system) session.setDefaultSystemPrompt(params.system);
  mount(Embed, { target: document.getElementById('app')!, context: new Map<symbol, unknown>([...sessionContext(session), ...embedContext(embed)]) });
  if (params.ui !== 'none') warmMarkdown();

  const config = await loadEmbedConfig(new URL(EMBED_CONFIG_FILE, document.baseURI).href, localStorageOrNull());
  const embedder = embedderOrigin();
  const host = embedder ?? params.parent;
  if (!config.ok) {
    embed.refuse(`${config.reason} The widget is off until its deployer fixes the file.`);
  } else if (host && !hostAllowed(config.config, host)) {
    // Not started at all: a site the deployer did not list gets neither the API nor downloads.
    embed.refuse(`This widget is not available on ${host}.`);
  } else if (params.parent && embedder && embedder !== params.parent) {
    embed.refuse(`parent=${params.parent} does not match the page that embeds the widget (${embedder}): the API is off.`);
    void session.start();
  } else {
    if (params.parent) {
      new EmbedBridge(session, { parent: params.parent, host: window.parent, target: window, doc: document }).start();
      embed.api = 'on';
    }
    const model = session.params.model;
    if (model && !modelAllowed(config.config, model, document.baseURI)) {
      session.model.fail(new AppError('model-host-refused', `This widget's deployer does not allow model=${model.slice(0, 200)}: its host is not in the widget's list of model hosts.`));
    } else {
      void session.start();
    }
  }
}
