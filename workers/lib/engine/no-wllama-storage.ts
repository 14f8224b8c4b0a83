/**
 * wllama's default CacheManager needs the Cross-Origin Storage API; the app (and the benchmark
 * pages, which load from Blobs) never use wllama's own storage, so it gets this empty one.
 */
export const noWllamaStorage = {
  isSupported: () => true,
  read: () => Promise.reject(new Error('wllama storage is not used; models are passed in as Blobs')),
  write: () => Promise.reject(new Error('wllama storage is not used; models are passed in as Blobs')),
  getSize: () => Promise.resolve(-1),
  list: () => Promise.resolve([]),
  delete: () => Promise.resolve(),
};
