# SIPp (Debian's sip-tester, 3.6.1 on bookworm) for docker-compose.yml's simulated carrier
# (sipp-uas) and PBX (sipp-uac). There is no official SIPp image on Docker Hub.
#   docker build -f deploy/sipp.Dockerfile -t trunkguard-sipp deploy
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends sip-tester \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /tmp --shell /usr/sbin/nologin sipp
USER sipp
# SIPp writes its logs (-trace_*) into the working folder.
WORKDIR /tmp
ENTRYPOINT ["sipp"]
CMD ["-v"]
