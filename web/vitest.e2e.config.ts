import { defineConfig } from "vitest/config";

// End-to-end specs: a real headless Chromium against a running Labbook UI (LABBOOK_UI_URL).
// Without LABBOOK_UI_URL every spec is skipped.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
