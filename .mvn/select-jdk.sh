# Sourced by ./mvnw, bin/rotor and .ci/run: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then `java` on PATH, then JDKs under /usr/lib/jvm and
# /opt/java (newest first). Fails with a clear message when none is found.
rotor_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
rotor_select_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
      $(ls -d /usr/lib/jvm/*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(rotor_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "rotor: no JDK 21 or newer found (checked JAVA_HOME, java on PATH, /usr/lib/jvm, /opt/java)." >&2
  echo "rotor: install one (for example Temurin 21) and set JAVA_HOME to it." >&2
  return 1
}
