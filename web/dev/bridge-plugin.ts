// Vite plugin for development only: mounts the gRPC-Web bridge (./bridge.ts) on `vite` (dev) and
// `vite preview` (the built dist/) when LABBOOK_GRPC_URL names a Labbook gRPC server (e.g.
// http://localhost:7800), so the UI can be tried on real data without the server's HTTP port.
import type { Connect, Logger, Plugin } from "vite";

async function mount(middlewares: Connect.Server, logger: Logger): Promise<void> {
  const grpcUrl = process.env["LABBOOK_GRPC_URL"];
  if (!grpcUrl) {
    logger.info("labbook: set LABBOOK_GRPC_URL=http://localhost:7800 to use a running server's data");
    return;
  }
  const { createBridgeHandler } = await import("./bridge.ts");
  const handler = createBridgeHandler(grpcUrl);
  middlewares.use((req, res, next) => {
    if (req.url?.startsWith("/labbook.v1.")) handler(req, res);
    else next();
  });
  logger.info(`labbook: forwarding /labbook.v1.* to ${grpcUrl}`);
}

export function labbookDevBridge(): Plugin {
  return {
    name: "labbook-dev-bridge",
    async configureServer(server) {
      await mount(server.middlewares, server.config.logger);
    },
    async configurePreviewServer(server) {
      await mount(server.middlewares, server.config.logger);
    },
  };
}
