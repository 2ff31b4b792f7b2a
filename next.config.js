// @ts-check
// BENCH_FLOOR=1 is set only by `npm run bench`: it adds the benchmark's floor page (app/bench-floor/page.bench.tsx)
// and builds into .next-bench, so that page is never in the normal build and the normal .next is left alone.
// NEXT_DIST_DIR builds (or starts) from another folder, e.g. to check a normal build without touching .next.
const benchFloor = process.env.BENCH_FLOOR === "1";

// Strict-Transport-Security is not here: it follows APP_URL, known only at run time (server.mjs sets it).
// One Content-Security-Policy for every response, set here so static pages (/help) stay static: a nonce would make
// every page render per request. Next's own inline scripts (its bootstrap and the page's RSC data) need
// 'unsafe-inline' in script-src; nothing here needs 'unsafe-eval', which stays out (production builds do not eval).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  pageExtensions: benchFloor ? ["tsx", "ts", "jsx", "js", "bench.tsx"] : ["tsx", "ts", "jsx", "js"],
  distDir: process.env.NEXT_DIST_DIR || (benchFloor ? ".next-bench" : ".next"),
  poweredByHeader: false,
  // The job queue of the scheduled checks runs as plain Node.js (its own pg pool and timers), not bundled.
  serverExternalPackages: ["pg-boss"],
  // The server actions carry only small forms; keep the body limit tight.
  experimental: { serverActions: { bodySizeLimit: "64kb" } },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
