# dynalite, the DynamoDB-compatible store the local stack uses, installed from the committed lockfile
# exactly as `./asof up` and the tests install it.
FROM node:20-bookworm-slim
WORKDIR /opt/dynalite
COPY package.json package-lock.json ./
# The same preload ./asof up uses: it closes the LevelDB iterators dynalite 4 leaves open (docs/local-stack.md).
COPY local-stack/src/main/node/dynalite-preload.cjs ./dynalite-preload.cjs
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    && mkdir /data \
    && chown node:node /data
USER node
VOLUME /data
EXPOSE 8000
CMD ["node", "--max-old-space-size=256", "--require", "./dynalite-preload.cjs", "node_modules/dynalite/cli.js", "--host", "0.0.0.0", "--port", "8000", "--path", "/data", \
     "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
