package io.tern.scheduler.server.console;

import java.time.Instant;
import java.util.List;

/**
 * A signed-in browser: the identity the scheduler confirmed at sign-in, the caller the console acts
 * as, and the token every state-changing request must echo (against cross-site requests).
 *
 * @param id the session cookie's value (random, 256 bits)
 * @param csrf the value a POST must carry in its {@code X-Tern-Csrf} header
 * @param expiresAt when the session ends, whatever its activity (never after the token does)
 */
record ConsoleSession(
    String id,
    String csrf,
    Caller caller,
    String user,
    List<String> teams,
    List<String> roles,
    Instant expiresAt) {}
