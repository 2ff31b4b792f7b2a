// `npm start`: Next.js's own request handler (the same router `next start` runs) on a plain Node HTTP server.
// It exists because `next start` believes the forwarded headers any client sends and never exposes the socket's
// address. Here, before Next.js sees the request, X-Forwarded-For is replaced by the one address TRUSTED_PROXY_HOPS
// says to believe (lib/client-address.mjs), so a guesser cannot pick the address the sign-in throttle counts; with no
// trusted proxy, X-Forwarded-Host and X-Forwarded-Proto go too, so no client chooses the origin the app links to.
// Strict-Transport-Security is set here at run time, from APP_URL's scheme (next.config.js's headers are fixed at
// build time).
// Like `next start`, it listens on PORT (default 3000) on every interface; `-p`/`--port` and `-H`/`--hostname`
// work as they do there (`npm start -- -H 127.0.0.1`).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { APP_URL_PROBLEM, parseAppUrl } from "./lib/app-url.mjs";
import { clientAddress, parseTrustedProxyHops, TRUSTED_PROXY_HOPS_PROBLEM } from "./lib/client-address.mjs";

process.env.NODE_ENV ??= "production";
const hops = parseTrustedProxyHops(process.env.TRUSTED_PROXY_HOPS);
const appUrl = parseAppUrl(process.env);
const problems = [hops === null && TRUSTED_PROXY_HOPS_PROBLEM, appUrl === null && APP_URL_PROBLEM].filter(Boolean);
if (problems.length > 0) {
  console.error(`Configuration error:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
const HSTS = "max-age=63072000; includeSubDomains";
const { values: args } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const port = Number(args.port || process.env.PORT || 3000);
const hostname = args.hostname || undefined;

// Imported after NODE_ENV is set, as `next start` sets it before loading the server.
const { default: next } = await import("next");
// The build is the one beside this file, wherever the server is started from; the working directory stays where the
// embedded default keeps its data (./data).
const app = next({ dev: false, dir: import.meta.dirname, hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const address = clientAddress({ forwardedFor: req.headers["x-forwarded-for"], peer: req.socket.remoteAddress, hops });
  if (address) req.headers["x-forwarded-for"] = address;
  else delete req.headers["x-forwarded-for"];
  if (hops === 0) {
    delete req.headers["x-forwarded-host"];
    delete req.headers["x-forwarded-proto"];
  }
  // With APP_URL, its scheme says whether people use HTTPS; without it, only a trusted proxy's word does.
  if (appUrl ? appUrl.startsWith("https:") : req.headers["x-forwarded-proto"] === "https")
    res.setHeader("Strict-Transport-Security", HSTS);
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
