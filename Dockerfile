# syntax=docker/dockerfile:1
# The rotor image: the shaded rotor.jar on a JRE 21, run as a numeric non-root user.
# Build from the repository root (see docs/kubernetes.md, "Install"):
#   docker build -t registry.example.com/rotor/rotor:0.1.0 .
# Pin both base images by digest in your own builds (FROM image:tag@sha256:...).

FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY . .
# The Maven repository is a BuildKit cache mount: kept between builds, not in the image.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl rotator-daemon -am -DskipTests package \
 && cp rotator-daemon/target/rotor.jar /rotor.jar

FROM eclipse-temurin:21-jre-noble
# The same numbers as runAsUser/runAsGroup in k8s/base; no home directory, no shell login.
RUN groupadd --system --gid 10001 rotor \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin rotor
COPY --from=build /rotor.jar /opt/rotor/rotor.jar
# 'rotor' on the PATH, for the ENTRYPOINT and for 'kubectl exec ... -- rotor rotate ...'.
# ROTOR_JAVA_OPTS adds JVM options (later ones win); the heap grows from 16 MB up to 75% of the
# container's memory limit; the serial collector and C1 alone as bin/rotor (docs/benchmarks.md, Daemon).
RUN printf '%s\n' '#!/bin/sh' \
      'exec java -XX:MaxRAMPercentage=75 -Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError ${ROTOR_JAVA_OPTS:-} -jar /opt/rotor/rotor.jar "$@"' \
      > /usr/local/bin/rotor \
 && chmod 0755 /usr/local/bin/rotor
USER 10001:10001
WORKDIR /tmp
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rotor"]
CMD ["--help"]
