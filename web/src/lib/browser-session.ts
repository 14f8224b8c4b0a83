/** A session on this page's real workers: one engine worker at a time, one download worker for the page. */
import { ownEngineKey } from 'virtual:own-engine-key';
import { IdbConversationStore } from './conversations/conversation-db';
import { DownloadClient } from './engine/download-client';
import { EngineClient } from './engine/engine-client';
import { Session } from './session.svelte';
import { indexedDBUsable } from './storage-access';
import { parseUrlParams } from './url-params';

/** Keeps `?model=` in the address (replacing the entry, so Back does not walk through models). */
function syncUrl(spec: string | null): void {
  const url = new URL(location.href);
  if (spec) url.searchParams.set('model', spec);
  else url.searchParams.delete('model');
  history.replaceState(null, '', url);
}

/** `keepConversations`: the app keeps its conversations in IndexedDB; the widget's last the visit. */
/**
 * Whether the network answers. navigator.onLine false is trusted; true is checked with a request to
 * this page's own host that the service worker lets through (it never answers a Range request), so
 * a page that loaded from the worker's cache with no network finds out.
 */
async function networkAnswers(): Promise<boolean> {
  if (navigator.onLine === false) return false;
  try {
    await fetch(new URL('./', document.baseURI), { method: 'HEAD', headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

export function browserSession({ keepConversations = false } = {}): Session {
  let downloads: DownloadClient | null = null;
  return new Session(parseUrlParams(location.search), {
    engine: () => new EngineClient(),
    // Started on first use: a page that never touches the cache never starts the worker.
    downloads: () => (downloads ??= new DownloadClient()),
    cacheUsable: indexedDBUsable,
    baseUrl: () => document.baseURI,
    syncUrl,
    online: networkAnswers,
    // Where IndexedDB is blocked its calls fail, and the conversations state says they last this visit.
    conversations: keepConversations ? new IdbConversationStore() : undefined,
    engineBuild: ownEngineKey ?? '',
  });
}
