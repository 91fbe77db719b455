// Builds the playground from the visorkit packages' compiled output (their package exports
// point at dist/): decorators are already lowered by tsc, so Vite only bundles plain ESM.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  preview: { host: '127.0.0.1' },
});
