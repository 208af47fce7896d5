import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One page for the three interfaces (flow, user, admin); each is its own chunk, loaded by the path.
export default defineConfig({
  base: '/static/dist/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
