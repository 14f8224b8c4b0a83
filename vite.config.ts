import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Cross-origin isolation gives wllama SharedArrayBuffer, hence threads.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const web = fileURLToPath(new URL('./web', import.meta.url));

export default defineConfig({
  root: web,
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    rollupOptions: {
      input: {
        main: `${web}/index.html`,
        embed: `${web}/embed.html`,
        bare: `${web}/bench/bare.html`,
        memory: `${web}/bench/memory.html`,
        // The service worker: a stable, unhashed URL at the site root, so its scope is the whole app.
        sw: `${web}/src/sw/sw.ts`,
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@wllama/wllama'] },
  server: { host: '127.0.0.1', port: 5173, headers: isolationHeaders },
  preview: {
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 4173),
    strictPort: true,
    headers: isolationHeaders,
  },
});
