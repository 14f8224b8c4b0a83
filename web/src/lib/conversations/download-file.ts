/** Saves text as a file the browser downloads: a Blob URL behind an <a download>, revoked afterwards. */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked on a later task, not at once: the browser resolves the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
