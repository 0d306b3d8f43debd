#!/usr/bin/env bash
# Measures what the local store costs a rotation (no target) and one write taken apart.
#   providers/local/bench.sh [--runs 200] [--warmup 20] [--maxVersions 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
. .mvn/select-jdk.sh
rotor_select_jdk
./mvnw -B -q -pl providers/local -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test 2>&1 | grep -v -i 'sun.misc.unsafe\|HiddenClassDefiner' || true
cp="providers/local/target/test-classes:providers/local/target/classes:$(cat providers/local/target/bench.classpath)"
exec "$JAVA_HOME/bin/java" -Dlogback.configurationFile=providers/local/src/test/resources/crash-writer-logback.xml -cp "$cp" dev.rotor.local.LocalStoreBench "$@"
