# syntax=docker/dockerfile:1
# Production image. Build stage: install everything, compile, drop the dev dependencies (the same
# steps as `npm ci && npm run build && npm prune --omit=dev --omit=optional`). Runtime stage: only package.json,
# the pruned node_modules, dist/ and the built library (libs/oauth-server/dist), run by a non-root user, nothing compiled at run time, signals straight to node.
# test/production-install.e2e-spec.ts runs the runtime steps of this file (its CMD and HEALTHCHECK)
# without Docker.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 ships prebuilt binaries; the toolchain is the fallback when none matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The library is an npm workspace: its package.json is part of the install (node_modules/nest-oauth-server links to it).
COPY libs/oauth-server/package.json ./libs/oauth-server/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs/oauth-server/tsconfig.lib.json ./libs/oauth-server/tsconfig.lib.json
COPY libs/oauth-server/src ./libs/oauth-server/src
COPY src ./src
# --omit=optional too: optional peers that only tests and builds use (supertest for
# nest-oauth-server/testing, ts-node/typescript for typeorm's CLI, node-gyp's extras) would otherwise
# stay, because a production package names them; the runtime stage starts dist/main.js directly.
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# tini as PID 1: the kernel drops signals a PID 1 sends itself, so node as PID 1 could not end itself
# with SIGKILL at SHUTDOWN_TIMEOUT (graceful-shutdown.ts, exitNow); tini forwards SIGTERM to node and
# reaps it (review M1). `docker run --init` is not needed with this image.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/oauth.sqlite
WORKDIR /app
# The database holds the private signing keys: a directory only the service user can read.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/libs/oauth-server/package.json ./libs/oauth-server/package.json
COPY --from=build /app/libs/oauth-server/dist ./libs/oauth-server/dist
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini (PID 1) forwards SIGTERM to node, its only child (npm would not forward it reliably); the
# service drains in-flight requests within SHUTDOWN_TIMEOUT and exits 0, or kills itself past it.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=512", "dist/main.js"]
