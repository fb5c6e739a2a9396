# Sourced by ./mvnw and ./tern: makes JAVA_HOME point at a JDK >= 21.
# Order: JAVA_HOME, then `java` on PATH, then the newest JDK under /usr/lib/jvm.
# POSIX sh; safe under `set -euf`.

tern_java_major() {
  # Prints the feature version of the java binary given, or 0.
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1 || true
}

tern_jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  v=$(tern_java_major "$1/bin/java")
  [ -n "$v" ] && [ "$v" -ge 21 ]
}

tern_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && tern_jdk_ok "$JAVA_HOME"; then
    return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if tern_jdk_ok "$candidate"; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort -r); do
    if tern_jdk_ok "$candidate"; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  done
  echo "tern: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
  return 1
}

tern_find_jdk
