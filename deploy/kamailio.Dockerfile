# Kamailio (Debian bookworm's package) as a HEP capture agent for docker-compose.yml's `hep`
# profile: a plain UDP proxy whose siptrace module mirrors every SIP message to trunkguard hep.
# The config is test/fixtures/kamailio/siptrace.cfg (the HEP e2e test's), mounted by compose.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends kamailio \
 && rm -rf /var/lib/apt/lists/*
# The package's unprivileged user; the runtime folder (-Y) and PID file go to /tmp.
USER kamailio
WORKDIR /tmp
ENTRYPOINT ["kamailio", "-DD", "-E", "-Y", "/tmp", "-P", "/tmp/kamailio.pid", "-m", "64", "-M", "8", "-x", "tlsf"]
