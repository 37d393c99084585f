# Labbook server image: `docker build -t labbook-server .` at the repository root.
# Runs `labbook server` by default; the Helm chart (helm/labbook) runs `migrate` in a hook Job.
# The runner image of submitted runs (docs/submit.md): `docker build --target runner -t labbook-runner .`

# --- web: the UI's static files (web/dist), built with Node.js -----------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /src
# npm run build generates the TypeScript client from ../proto with buf (../buf.yaml).
COPY buf.yaml ./
COPY proto/ proto/
COPY web/ web/
RUN cd web && npm ci --no-audit --no-fund && npm run build

# --- build: the shaded server jar, with web/dist inside -----------------------------------------
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
# The reactor needs every module's pom; only server and what it needs are built (-pl server -am).
# The web module packs the web/dist built above (bin/build-web finds no web/package.json here).
COPY pom.xml ./
COPY proto/ proto/
COPY server/ server/
COPY web/pom.xml web/pom.xml
COPY --from=web /src/web/dist web/dist
COPY bin/build-web bin/build-web
COPY java-sdk/pom.xml java-sdk/pom.xml
COPY cli/pom.xml cli/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY examples/java-training/pom.xml examples/java-training/pom.xml
COPY migrations/ migrations/
RUN mvn -B -DskipTests -pl server -am package \
 && cp server/target/labbook-server-*-all.jar /labbook.jar

# --- runner: the image of submitted runs' pods (Kubernetes compute targets) ----------------------
# Python with the Labbook SDK, whose runner (`python -m labbook.runner`) each submitted Job runs:
# it fetches the run's source snapshot into /workspace, installs the submission's pip
# requirements, runs the script and reports to the server (docs/submit.md). Build your own
# training image FROM it (or `pip install` the SDK into yours) to add CUDA, torch and the like.
FROM python:3.12-slim AS runner
COPY python-stub/ /tmp/labbook-sdk/
RUN pip install --no-cache-dir /tmp/labbook-sdk \
 && rm -rf /tmp/labbook-sdk \
 && groupadd --system --gid 10001 labbook \
 && useradd --system --uid 10001 --gid labbook --home-dir /workspace --create-home \
      --shell /usr/sbin/nologin labbook
# pip installs of a submission's requirements go to the user's site-packages (the pod's
# filesystem is the Job's own); the script's outputs/ are uploaded from /workspace.
ENV PIP_USER=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /workspace
CMD ["python", "-m", "labbook.runner", "--help"]

# --- runtime (the default target: the server) ------------------------------------------------
FROM eclipse-temurin:17-jre
# Numeric uid/gid so Kubernetes can verify runAsNonRoot.
RUN groupadd --system --gid 10001 labbook \
 && useradd --system --uid 10001 --gid labbook --home-dir /var/lib/labbook --create-home \
      --shell /usr/sbin/nologin labbook
COPY --from=build /labbook.jar /opt/labbook/labbook.jar
ENV LABBOOK_DATA_DIR=/var/lib/labbook
# The image is meant for clusters: it listens on every interface (the server's own default is
# 127.0.0.1) and, because of that, checks credentials (--auth on; see docs/security.md). A server
# that listens beyond loopback with access control off refuses to start, so turning it off
# takes both: `docker run -e LABBOOK_AUTH=off -e LABBOOK_INSECURE_NO_AUTH=true ...`, only where
# everyone who can reach the ports may read, change and purge everything. Flags given after
# `server` (docker run IMAGE server --auth off --insecure-no-auth) win over these variables.
ENV LABBOOK_HOST=0.0.0.0 \
    LABBOOK_AUTH=on
USER 10001:10001
WORKDIR /var/lib/labbook
# gRPC, HTTP (web UI, gRPC-Web, JSON), Prometheus metrics (HTTP), plaintext health port (TLS only).
EXPOSE 7800 7880 9464 7801
ENTRYPOINT ["java", "-jar", "/opt/labbook/labbook.jar"]
CMD ["server"]
