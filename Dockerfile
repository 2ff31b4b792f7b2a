# Finance Email Setup: production image. Multi-stage; the final stage has production dependencies only and runs
# as the unprivileged "node" user. It runs `npm start` (server.mjs: Next.js's handler), exactly as the test suite does.
#   docker build -t finance-email-setup .
#   docker build --target migrate -t finance-email-setup-migrate .   # applies migrations, then exits
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
# better-sqlite3 ships a prebuilt binary for Node 24; the toolchain is there for platforms without one.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma.mjs scripts/prisma.mjs
COPY lib/database-url.ts lib/database-url.ts
COPY prisma ./prisma
# postinstall generates the Prisma clients for both providers into lib/generated.
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build

FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runner
WORKDIR /app
# Behind a load balancer that appends to X-Forwarded-For, set TRUSTED_PROXY_HOPS=1 (see README).
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build --chown=node:node /app/package.json /app/next.config.js /app/server.mjs ./
COPY --from=build --chown=node:node /app/lib/client-address.mjs /app/lib/app-url.mjs ./lib/
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start"]

# Applies the committed migrations for DATABASE_URL (the same command as `npm run db:migrate`).
FROM deps AS migrate
COPY . .
USER node
CMD ["node", "scripts/prisma.mjs", "migrate", "deploy"]
