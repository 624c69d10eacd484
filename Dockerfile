# Ping'an Grid: one image for server, worker and simulator (the command picks the role).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
# Explicit sources rather than `COPY . .`: never the host's node_modules, var/ or dist/.
COPY tsconfig.json vite.config.ts ./
COPY client client
COPY shared shared
RUN npm run build:client

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# tsx is a runtime dependency: the server runs its TypeScript directly, as in development.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY shared shared
COPY server server
COPY scripts scripts
COPY --from=build /app/dist dist
# A named volume mounted on /data starts with this ownership, so the non-root user can write.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
CMD ["npm", "run", "serve"]
