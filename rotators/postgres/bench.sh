#!/usr/bin/env bash
# Measures PostgreSQL password rotation against a real embedded PostgreSQL on loopback.
#   rotators/postgres/bench.sh [--runs 200] [--warmup 20] [--roles 1000] [--concurrency 8] [--store memory|local]
set -euo pipefail
cd "$(dirname "$0")/../.."
. .mvn/select-jdk.sh
rotor_select_jdk
./mvnw -B -q -pl rotators/postgres -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test 2>&1 | grep -v -i 'sun.misc.unsafe\|HiddenClassDefiner' || true
cp="rotators/postgres/target/test-classes:rotators/postgres/target/classes:$(cat rotators/postgres/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -cp "$cp" dev.rotor.rotator.postgres.PostgresRotationBench "$@"
