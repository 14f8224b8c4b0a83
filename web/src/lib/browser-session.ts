/** A session on this page's real workers: one engine worker at a time, one download worker for the page. */
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
export function browserSession({ keepConversations = false } = {}): Session {
  let downloads: DownloadClient | null = null;
  return new Session(parseUrlParams(location.search), {
    engine: () => new EngineClient(),
    // Started on first use: a page that never touches the cache never starts the worker.
    downloads: () => (downloads ??= new DownloadClient()),
    cacheUsable: indexedDBUsable,
    baseUrl: () => document.baseURI,
    syncUrl,
    // Where IndexedDB is blocked its calls fail, and the conversations state says they last this visit.
    conversations: keepConversations ? new IdbConversationStore() : undefined,
  });
}
