package io.tern.agent.job;

import java.util.Locale;
import java.util.Set;

/** Signal names jobs may ask for, normalized the way {@code kill -s} takes them. */
public final class Signals {
  /** The checkpoint signal when a spec names none. */
  public static final String DEFAULT_CHECKPOINT = "USR1";

  private static final Set<String> ALLOWED =
      Set.of("HUP", "INT", "QUIT", "USR1", "USR2", "TERM", "ALRM", "WINCH", "PWR", "KILL");

  private Signals() {}

  /**
   * {@code SIGUSR1}, {@code usr1} → {@code USR1}.
   *
   * @throws IllegalArgumentException for a name that is not one of the signals a job may use
   */
  public static String normalize(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    if (n.startsWith("SIG")) {
      n = n.substring(3);
    }
    if (!ALLOWED.contains(n)) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a signal a job may use (one of "
              + new java.util.TreeSet<>(ALLOWED)
              + ")");
    }
    return n;
  }
}
