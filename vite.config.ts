import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('./screen', import.meta.url))
const outDir = fileURLToPath(new URL('./dist/screen', import.meta.url))

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: true,
    rolldownOptions: {
      // the wall screen at /, the grid worker's phone page at /m/, the operations desk at /desk/,
      // the residents' channel at /r/
      input: { main: `${root}/index.html`, mobile: `${root}/m/index.html`, desk: `${root}/desk/index.html`, resident: `${root}/r/index.html` },
      output: {
        // Separate long-lived vendor chunks: a screen change does not re-download the map engine.
        advancedChunks: {
          groups: [
            { name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'deckgl', test: /node_modules[\\/](@deck\.gl|@luma\.gl|@math\.gl|@loaders\.gl|@probe\.gl)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|vue-echarts)/ },
            { name: 'vue', test: /node_modules[\\/](@vue|vue|pinia)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
})
