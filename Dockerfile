# syntax=docker/dockerfile:1
# feecast: one image, three roles (FEECAST_ROLE=all | sampler | api), plus `feecast devchain`.
# The CLI runs the TypeScript sources through tsx, so there is no compile step: the stages separate
# building native dependencies (compilers, headers) from the slim runtime.

# --- deps: production node_modules, native addons built with the full toolchain ----------------------
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund

# --- runtime: Node, the sources, and redis-server for the embedded default -----------------------------
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
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY models ./models
RUN mkdir -p /var/lib/feecast && chown node:node /var/lib/feecast
USER node
EXPOSE 8080
VOLUME ["/var/lib/feecast"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["tini", "--", "node", "bin/feecast.mjs"]
CMD ["start"]
