/**
 * GPT-2's byte-to-unicode mapping (llama.cpp's unicode_byte_to_utf8 / unicode_utf8_to_byte): every
 * byte is written as one printable code point, so byte-level BPE tokens are plain strings.
 */

/** BYTE_TO_CHAR[b] is the character byte b stands for in a byte-level token. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const map: string[] = new Array(256);
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  return map;
})();

const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

const encoder = new TextEncoder();

/** The byte-level form of a word: its UTF-8 bytes, each as its GPT-2 character. */
export function byteEncode(word: string): string {
  const bytes = encoder.encode(word);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * The bytes a byte-level token text stands for: llama.cpp's llama_decode_text, including what it
 * writes for a character outside the mapping ("[UNK_BYTE_0x<hex of its UTF-8>" + the whole text + "]").
 */
export function decodeByteText(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
    if (b !== undefined) {
      out.push(b);
      continue;
    }
    const utf8 = [...encoder.encode(ch)].map((x) => x.toString(16).padStart(2, '0')).join('');
    out.push(...encoder.encode(`[UNK_BYTE_0x${utf8}${text}]`));
  }
  return Uint8Array.from(out);
}
