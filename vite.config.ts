import { defineConfig } from 'vitest/config'

/**
 * `vite build` produces the editor as one self-contained ES module, `ui/dist/embed/qflow-editor.js`
 * (Lit, @xyflow/system and d3 inlined), which defines <qflow-editor> and <qflow-app>. The app page
 * `ui/public/index.html` is copied next to it; the server serves `ui/dist` at `/`.
 */
export default defineConfig({
  publicDir: 'ui/public',
  // Library mode leaves process.env alone, and @xyflow/system reads NODE_ENV at run time.
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: 'ui/dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    minify: 'oxc',
    rolldownOptions: { output: { minify: true } },
    lib: {
      entry: 'ui/src/index.ts',
      formats: ['es'],
      fileName: () => 'embed/qflow-editor.js',
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start servers and emulators; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
