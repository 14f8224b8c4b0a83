/**
 * What each browser engine does with this site's stored models, beyond what estimate() and
 * persist() say: told in the Storage panel, because the figures alone mislead.
 */
export type Engine = 'chromium' | 'firefox' | 'webkit' | 'other';

export function engineOf(userAgent: string): Engine {
  if (/firefox\//i.test(userAgent)) return 'firefox';
  if (/chrom(e|ium)\//i.test(userAgent)) return 'chromium';
  if (/applewebkit\//i.test(userAgent)) return 'webkit';
  return 'other';
}

/** A sentence about this engine's storage, or null when there is nothing beyond the figures. */
export function storageFact(engine: Engine): string | null {
  switch (engine) {
    case 'chromium':
      return 'Chromium reports your usage plus a fixed allowance, not the real free space: a full disk shows only when a write is refused.';
    case 'firefox':
      return 'Firefox asks before keeping data persistently; until you answer its prompt, cached models may be evicted when the disk runs low.';
    case 'webkit':
      return 'Safari (WebKit) deletes a site’s stored data after 7 days without a visit, unless the site is added to the Home Screen (installed): cached models then have to be downloaded again.';
    default:
      return null;
  }
}
