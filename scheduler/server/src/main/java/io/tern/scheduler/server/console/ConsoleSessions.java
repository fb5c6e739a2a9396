package io.tern.scheduler.server.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's signed-in sessions, in memory on the replica that signed them in (a browser that
 * reaches another replica signs in again). At most {@link #MAX_SESSIONS}; the oldest goes first.
 * Thread-safe.
 */
final class ConsoleSessions {
  static final Duration LIFETIME = Duration.ofHours(12);
  static final int MAX_SESSIONS = 10_000;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, ConsoleSession> sessions = new LinkedHashMap<>();

  ConsoleSessions(Clock clock) {
    this.clock = clock;
  }

  synchronized ConsoleSession open(
      Caller caller, String user, List<String> teams, List<String> roles, Instant tokenExpiry) {
    Instant end = clock.instant().plus(LIFETIME);
    if (tokenExpiry != null && tokenExpiry.isBefore(end)) {
      end = tokenExpiry;
    }
    ConsoleSession session =
        new ConsoleSession(randomId(), randomId(), caller, user, teams, roles, end);
    sessions.put(session.id(), session);
    Iterator<String> oldest = sessions.keySet().iterator();
    while (sessions.size() > MAX_SESSIONS) {
      oldest.next();
      oldest.remove();
    }
    return session;
  }

  /** The live session with this cookie value, if any; an expired one is forgotten. */
  synchronized Optional<ConsoleSession> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    ConsoleSession session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(session.expiresAt())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  synchronized void close(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private String randomId() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
