import { defineConfig } from "vitest/config";
import { labbookDevBridge } from "./dev/bridge-plugin.ts";

// The production build: index.html plus content-hashed files under assets/, which the server
// serves as immutable. `base` is absolute because routes are History API paths (/runs/<id>).
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    emptyOutDir: true,
    reportCompressedSize: true,
  },
  // Development only: `npm run dev` can forward the browser's gRPC-Web calls to a running
  // Labbook gRPC server (LABBOOK_GRPC_URL); nothing of it is part of the build.
  plugins: [labbookDevBridge()],
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
  },
});
