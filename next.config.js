// @ts-check
// BENCH_FLOOR=1 is set only by `npm run bench`: it adds the benchmark's floor page (app/bench-floor/page.bench.tsx)
// and builds into .next-bench, so that page is never in the normal build and the normal .next is left alone.
// NEXT_DIST_DIR builds (or starts) from another folder, e.g. to check a normal build without touching .next.
const benchFloor = process.env.BENCH_FLOOR === "1";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  pageExtensions: benchFloor ? ["tsx", "ts", "jsx", "js", "bench.tsx"] : ["tsx", "ts", "jsx", "js"],
  distDir: process.env.NEXT_DIST_DIR || (benchFloor ? ".next-bench" : ".next"),
  poweredByHeader: false,
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
        ],
      },
    ];
  },
};

module.exports = nextConfig;
