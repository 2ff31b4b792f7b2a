// `npm start`: Next.js's own request handler (the same router `next start` runs) on a plain Node HTTP server.
// It exists for one reason: `next start` keeps an X-Forwarded-For header sent by the client and never exposes the
// socket's address, so a guesser could pick the address the sign-in throttle counts. Here the header is replaced,
// before Next.js sees the request, by the one address TRUSTED_PROXY_HOPS says to believe (lib/client-address.mjs).
// Like `next start`, it listens on PORT (default 3000) on every interface; `-p`/`--port` and `-H`/`--hostname`
// work as they do there (`npm start -- -H 127.0.0.1`).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { clientAddress, parseTrustedProxyHops, TRUSTED_PROXY_HOPS_PROBLEM } from "./lib/client-address.mjs";

process.env.NODE_ENV ??= "production";
const hops = parseTrustedProxyHops(process.env.TRUSTED_PROXY_HOPS);
if (hops === null) {
  console.error(`Configuration error:\n  - ${TRUSTED_PROXY_HOPS_PROBLEM}`);
  process.exit(1);
}
const { values: args } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const port = Number(args.port || process.env.PORT || 3000);
const hostname = args.hostname || undefined;

// Imported after NODE_ENV is set, as `next start` sets it before loading the server.
const { default: next } = await import("next");
const app = next({ dev: false, hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const address = clientAddress({ forwardedFor: req.headers["x-forwarded-for"], peer: req.socket.remoteAddress, hops });
  if (address) req.headers["x-forwarded-for"] = address;
  else delete req.headers["x-forwarded-for"];
  handle(req, res);
});
server.listen(port, hostname, () => {
  console.log(`▲ Finance Email Setup ready on http://${hostname ?? "localhost"}:${port} (trusted proxy hops: ${hops})`);
});

// A container stop (SIGTERM) or Ctrl-C lets requests in flight finish before the process exits.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
