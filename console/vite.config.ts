import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const APP = process.env.CONSOLE_API_TARGET ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

/**
 * The console is served by the app at /console (src/http/console.ts). ECharts and zrender get a chunk of their
 * own, loaded only by the dashboard; vendor code shared by every page stays in the entry.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
    // No inline scripts or data: modules: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'charts';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev`: this dev server with hot reload, the API from the app running beside it.
    proxy: { '/admin/api': { target: APP, changeOrigin: false } },
  },
});
