# Sourced by ./mvnw and ./tern: makes JAVA_HOME point at a JDK >= 21 and sets tern_major to its
# feature version.
# Order: JAVA_HOME, then `java` on PATH, then the newest JDK under /usr/lib/jvm.
# POSIX sh; safe under `set -euf`. Every `tern` call runs this, and starting a process costs
# several milliseconds here, so it reads files with the shell's own builtins and starts at most one
# (readlink, to resolve javac on the PATH) where JAVA_HOME is not set.

tern_java_major() {
  # Sets tern_major to the feature version of the JDK at $1, or to 0: from its `release` file when
  # it has one (reading it costs nothing; starting a JVM to ask costs a good part of a client call).
  tern_major=
  if [ -r "$1/release" ]; then
    while IFS= read -r tern_line || [ -n "$tern_line" ]; do
      case $tern_line in
        JAVA_VERSION=*)
          tern_major=${tern_line#JAVA_VERSION=}
          tern_major=${tern_major#\"}
          tern_major=${tern_major%%[!0-9]*}
          break
          ;;
      esac
    done <"$1/release"
  fi
  if [ -z "$tern_major" ] && [ -x "$1/bin/java" ]; then
    tern_major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1 || true)
  fi
  tern_major=${tern_major:-0}
}

tern_jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  tern_java_major "$1"
  [ "$tern_major" -ge 21 ]
}

tern_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && tern_jdk_ok "$JAVA_HOME"; then
    return 0
  fi
  if tern_javac=$(command -v javac 2>/dev/null); then
    tern_candidate=$(readlink -f "$tern_javac")
    tern_candidate=${tern_candidate%/*}
    tern_candidate=${tern_candidate%/*}
    if tern_jdk_ok "$tern_candidate"; then
      JAVA_HOME=$tern_candidate
      export JAVA_HOME
      return 0
    fi
  fi
  # The highest feature version wins; among equals, the name that sorts last.
  tern_best=
  tern_best_major=0
  tern_glob_off=
  case $- in *f*) tern_glob_off=1 && set +f ;; esac
  for tern_candidate in /usr/lib/jvm/*; do
    if [ -d "$tern_candidate" ] && tern_jdk_ok "$tern_candidate" &&
      [ "$tern_major" -ge "$tern_best_major" ]; then
      tern_best=$tern_candidate
      tern_best_major=$tern_major
    fi
  done
  if [ -n "$tern_glob_off" ]; then
    set -f
  fi
  if [ -n "$tern_best" ]; then
    tern_major=$tern_best_major
    JAVA_HOME=$tern_best
    export JAVA_HOME
    return 0
  fi
  echo "tern: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
  return 1
}

tern_find_jdk
