/** Which URLs from model output may become links or (on a click) images. */

/** An absolute http(s) URL, or null: images load only from the web, never from other schemes. */
export function webUrl(href: string): URL | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * Whether a link target is harmless: http(s), mailto, or a URL without a scheme (relative or a
 * fragment, which resolves against the app itself). javascript:, data:, vbscript: and the rest are
 * dropped before DOMPurify sees them (it drops them too; this keeps the rule testable without a DOM).
 * Browsers ignore tabs, newlines and leading control characters in a scheme, so those are removed first.
 */
export function safeLinkHref(href: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is stripped
  const s = href.replace(/[\u0000-\u0020\u007f]/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https' || scheme === 'mailto';
}
