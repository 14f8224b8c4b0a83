/**
 * What the buttons inside rendered Markdown do. They arrive as sanitized HTML, without handlers (the
 * sanitizer strips inline ones), so Markdown.svelte listens on its container and passes clicks here.
 */
import { webUrl } from './urls';

const FEEDBACK_MS = 1500;
/** An image bigger than this is not shown (a reply's image is a picture, not a download). */
const MAX_IMAGE_BYTES = 20 << 20;

/** Handles a click inside a Markdown container: copy buttons and image placeholders. */
export function onMarkdownClick(event: MouseEvent, container: HTMLElement): void {
  const target = event.target instanceof Element ? event.target : null;
  const button = target?.closest('button');
  if (!button || !container.contains(button)) return;
  if (button.classList.contains('code-copy')) {
    void copyCode(button);
  } else if (button.classList.contains('image-placeholder')) {
    event.preventDefault(); // an image inside a link loads; it does not follow the link
    void loadImage(button);
  }
}

async function copyCode(button: HTMLButtonElement): Promise<void> {
  // textContent of the highlighted code is the code itself: highlight.js only wraps it in spans.
  const code = button.closest('.code-block')?.querySelector('pre code')?.textContent ?? '';
  let label = 'Copied';
  try {
    await navigator.clipboard.writeText(code);
  } catch {
    label = 'Copy failed';
  }
  button.textContent = label;
  setTimeout(() => (button.textContent = 'Copy'), FEEDBACK_MS);
}

/**
 * Loads a placeholder's image on request. The app's Content-Security-Policy allows no remote image
 * (img-src 'self' data: blob:, see web/src/sw/security-headers.ts), so the bytes are fetched (connect-src
 * allows https: and the loopback) with CORS, without credentials or referrer, and shown from a blob: URL.
 * A host that does not allow CORS cannot be shown here: the placeholder then offers the link instead.
 */
async function loadImage(button: HTMLButtonElement): Promise<void> {
  const url = webUrl(button.dataset.src ?? '');
  if (!url || button.disabled) return;
  const alt = button.dataset.alt ?? '';
  button.disabled = true;
  button.textContent = 'Loading image…';
  try {
    const res = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || !type.startsWith('image/')) throw new Error(res.ok ? `not an image (${type || 'no type'})` : `HTTP ${res.status}`);
    const blob = await res.blob();
    if (blob.size > MAX_IMAGE_BYTES) throw new Error('too large');
    const img = document.createElement('img');
    const objectUrl = URL.createObjectURL(blob);
    img.src = objectUrl;
    img.alt = alt;
    img.referrerPolicy = 'no-referrer';
    img.className = 'md-image';
    img.dataset.testid = 'loaded-image';
    img.dataset.src = url.href;
    img.addEventListener('load', () => URL.revokeObjectURL(objectUrl), { once: true });
    img.addEventListener('error', () => URL.revokeObjectURL(objectUrl), { once: true });
    button.replaceWith(img);
  } catch (e) {
    const link = document.createElement('a');
    link.href = url.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer nofollow';
    link.textContent = 'open it in a new tab';
    const note = document.createElement('span');
    note.className = 'image-placeholder failed';
    note.dataset.testid = 'image-failed';
    note.append(`Image: ${alt || 'untitled'} could not be loaded here (${e instanceof Error ? e.message : 'failed'}); `, link);
    button.replaceWith(note);
  }
}
