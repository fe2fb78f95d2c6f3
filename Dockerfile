# trunkguard in a container: the same set-up as README.md's `npm ci && npm start`
# (`npm ci`, then package.json's start script: `tsc -p .` and `node dist/src/cli.js proxy`).
#   docker build -t trunkguard .
#   docker run --rm -p 5060:5060/udp -p 5060:5060/tcp -p 8080:8080 \
#     -v "$PWD/deploy:/etc/trunkguard:ro" trunkguard
# Config: /etc/trunkguard/trunkguard.yaml. Mount a folder there (deploy/ is the container
# config: HTTP on 0.0.0.0:8080 with a token file); without a mount the image's copy of the
# shipped config/trunkguard.yaml is used (HTTP on 127.0.0.1:8080, inside the container only).
FROM node:20-bookworm-slim

WORKDIR /opt/trunkguard
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# Dependencies first (cached while package-lock.json is unchanged). devDependencies included:
# the build needs TypeScript, as `npm ci && npm start` does.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# The build step of package.json's "start" script.
RUN npx tsc -p . \
 && mkdir -p /etc/trunkguard /var/log/trunkguard \
 && cp config/trunkguard.yaml /etc/trunkguard/trunkguard.yaml \
 && chown -R node:node /etc/trunkguard /var/log/trunkguard

# The node image's unprivileged user (uid 1000). Ports below 1024 are not used; 5060/5061 bind
# as non-root (Docker also sets net.ipv4.ip_unprivileged_port_start=0 in containers).
USER node

# 5060/udp, 5060/tcp: SIP (proxy.listen). 5061/tcp: SIP over TLS, when a tls listener is
# configured. 8080/tcp: HTTP API, /metrics, dashboard, /healthz. 9060/udp: HEPv3, when run as
# `trunkguard hep`.
EXPOSE 5060/udp 5060/tcp 5061/tcp 8080/tcp 9060/udp

# Logs (log.file, log.negotiations in deploy/trunkguard.yaml) go here: mount a volume.
VOLUME ["/var/log/trunkguard"]

# /healthz never needs the token. TRUNKGUARD_HEALTH_URL when http.listen uses another port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.TRUNKGUARD_HEALTH_URL||'http://127.0.0.1:8080/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# SIGTERM (docker stop) stops the proxy cleanly: node is PID 1 and handles it itself.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["proxy", "--config", "/etc/trunkguard/trunkguard.yaml"]
