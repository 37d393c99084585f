# Labbook server image: `docker build -t labbook-server .` at the repository root.
# Runs `labbook server` by default; the Helm chart (helm/labbook) runs `migrate` in a hook Job.

# --- build: the shaded server jar -------------------------------------------------------------
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
# The reactor needs every module's pom; bench is not built (-pl server -am).
COPY pom.xml ./
COPY proto/ proto/
COPY server/ server/
COPY bench/pom.xml bench/pom.xml
COPY migrations/ migrations/
RUN mvn -B -DskipTests -pl server -am package \
 && cp server/target/labbook-server-*-all.jar /labbook.jar

# --- runtime ----------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
# Numeric uid/gid so Kubernetes can verify runAsNonRoot.
RUN groupadd --system --gid 10001 labbook \
 && useradd --system --uid 10001 --gid labbook --home-dir /var/lib/labbook --create-home \
      --shell /usr/sbin/nologin labbook
COPY --from=build /labbook.jar /opt/labbook/labbook.jar
ENV LABBOOK_DATA_DIR=/var/lib/labbook
USER 10001:10001
WORKDIR /var/lib/labbook
# gRPC, Prometheus metrics (HTTP), plaintext health port (used with TLS only).
EXPOSE 7800 9464 7801
ENTRYPOINT ["java", "-jar", "/opt/labbook/labbook.jar"]
CMD ["server"]
