/**
 * Writes the app's PNG icons (public/icons/) for the web app manifest: the favicon's blue tile with a
 * white star, 192 and 512 px with rounded corners, and a 512 px maskable one (full-bleed tile, the
 * star inside the 80% safe circle that launchers may crop to). Run once, commit the files:
 * `npx tsx tools/gen-icons.ts`. No image library: a tiny PNG encoder over node:zlib.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ACCENT = [0x3a, 0x5b, 0xd9] as const; // app.css --accent
const WHITE = [0xff, 0xff, 0xff] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** An 8-bit RGBA PNG from `rgba` (size × size × 4 bytes). */
function png(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A five-pointed star centred at (0.5, 0.5) with outer radius r, in unit coordinates. */
function star(r: number): [number, number][] {
  return Array.from({ length: 10 }, (_, i) => {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const d = i % 2 === 0 ? r : r * 0.45;
    return [0.5 + d * Math.cos(a), 0.52 + d * Math.sin(a)];
  });
}
function inside(poly: [number, number][], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}
/** Inside a square of side 1 with corners rounded to `radius` (0 = full bleed). */
function inTile(x: number, y: number, radius: number): boolean {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

/** Renders with 4 × 4 samples per pixel, so edges are smooth. */
function render(size: number, cornerRadius: number, starRadius: number): Buffer {
  const shape = star(starRadius);
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let white = 0;
      for (let s = 0; s < n * n; s++) {
        const x = (px + ((s % n) + 0.5) / n) / size;
        const y = (py + (Math.floor(s / n) + 0.5) / n) / size;
        if (!inTile(x, y, cornerRadius)) continue;
        tile++;
        if (inside(shape, x, y)) white++;
      }
      const o = (py * size + px) * 4;
      const w = tile ? white / tile : 0;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(ACCENT[c] * (1 - w) + WHITE[c] * w);
      out[o + 3] = Math.round((255 * tile) / (n * n));
    }
  }
  return png(size, out);
}

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
mkdirSync(dir, { recursive: true });
const files: [string, Buffer][] = [
  ['icon-192.png', render(192, 0.22, 0.36)],
  ['icon-512.png', render(512, 0.22, 0.36)],
  ['icon-maskable-512.png', render(512, 0, 0.3)],
];
for (const [name, bytes] of files) {
  writeFileSync(`${dir}${name}`, bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
