import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the API at /admin/ (apps/api/src/lib/static-apps.ts); `vite dev` proxies the API.
export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  server: { proxy: { "/api": "http://127.0.0.1:8787" } },
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 1200,
    // dist/.vite/manifest.json: the chunk graph, from which bench/size.mjs counts each route's initial JS.
    manifest: true,
    rollupOptions: {
      output: {
        // Heavy libraries in their own chunks: the login route loads neither ECharts nor the table code.
        manualChunks(id) {
          if (id.includes("node_modules/echarts") || id.includes("node_modules/zrender")) return "echarts";
          if (id.includes("node_modules/react-dom") || id.includes("node_modules/react/") || id.includes("node_modules/scheduler")) return "react";
          return undefined;
        },
      },
    },
  },
});
