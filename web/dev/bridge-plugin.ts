// Vite plugin for `npm run dev` only: mounts the gRPC-Web bridge (./bridge.ts) on the dev
// server when LABBOOK_GRPC_URL names a Labbook gRPC server (e.g. http://localhost:7800).
import type { Plugin } from "vite";

export function labbookDevBridge(): Plugin {
  return {
    name: "labbook-dev-bridge",
    apply: "serve",
    async configureServer(server) {
      const grpcUrl = process.env["LABBOOK_GRPC_URL"];
      if (!grpcUrl) {
        server.config.logger.info(
          "labbook: set LABBOOK_GRPC_URL=http://localhost:7800 to use a running server's data",
        );
        return;
      }
      const { createBridgeHandler } = await import("./bridge.ts");
      const handler = createBridgeHandler(grpcUrl);
      server.middlewares.use((req, res, next) => {
        if (req.url?.startsWith("/labbook.v1.")) {
          handler(req, res);
        } else {
          next();
        }
      });
      server.config.logger.info(`labbook: forwarding /labbook.v1.* to ${grpcUrl}`);
    },
  };
}
