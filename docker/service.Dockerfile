# syntax=docker/dockerfile:1
# One asof service, built from this checkout. docker-compose.yml builds the three services and the console from
# this file:
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=ingestion-service -t asof/ingestion-service .
# Needs BuildKit (the default builder since Docker Engine 23) for the Maven cache mount.

# The build stage does not depend on SERVICE, so the four images share one build.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -Dspotless.skip=true \
      -pl ingestion-service,reconstruction-service,merge-service,console -am package

FROM eclipse-temurin:17-jre
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<ingestion-service|reconstruction-service|merge-service|console>" >&2; exit 1) \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin asof \
    && mkdir -p /var/lib/asof/privacy && chown asof /var/lib/asof/privacy
WORKDIR /app
COPY --from=build /src/${SERVICE}/target/${SERVICE}.jar /app/app.jar
USER asof
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]
