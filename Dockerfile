# syntax=docker/dockerfile:1
# feecast: one image, three roles (FEECAST_ROLE=all | sampler | api), plus `feecast devchain`.
# The build stage compiles TypeScript to dist/; the runtime stage has only dist/, models/, the built
# @feecast/client and the production dependencies (plain `npm ci --omit=dev`): no sources, no tests,
# no TypeScript loader. test/production-layout.test.ts runs this layout (no Docker engine there).

# --- build: every dependency, the compiler, the sources -> dist/ ------------------------------------
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/client packages/client
COPY src src
RUN npm run build

# --- deps: production node_modules, native addons built with the full toolchain ----------------------
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/packages/client/package.json packages/client/package.json
COPY --from=build /app/packages/client/dist packages/client/dist
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime: Node, the build, and redis-server for the embedded default -----------------------------
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends redis-server tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    FEECAST_ROLE=all \
    HOST=0.0.0.0 \
    PORT=8080 \
    FEECAST_STATE_DIR=/var/lib/feecast
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/packages/client ./packages/client
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY models ./models
RUN mkdir -p /var/lib/feecast && chown node:node /var/lib/feecast
USER node
EXPOSE 8080
VOLUME ["/var/lib/feecast"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["tini", "--", "node", "bin/feecast.mjs"]
CMD ["start"]
