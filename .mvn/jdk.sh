# Sourced by ./mvnw and ./tern: makes JAVA_HOME point at a JDK >= 21.
# Order: JAVA_HOME, then `java` on PATH, then the newest JDK under /usr/lib/jvm.
# POSIX sh; safe under `set -euf`.

tern_java_major() {
  # Prints the feature version of the JDK at $1, or 0: from its `release` file when it has one
  # (reading it costs nothing; starting a JVM to ask costs a good part of a client call).
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1 || true)
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1 || true)
  fi
  echo "$v"
}

tern_jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  v=$(tern_java_major "$1")
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
