package io.tern.scheduler.server.auth;

import io.grpc.Context;
import io.tern.api.v1.Role;
import java.time.Instant;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who is calling, once authenticated.
 *
 * <ul>
 *   <li>{@link Kind#USER}: a bearer token's user, with its teams and roles;
 *   <li>{@link Kind#AGENT}: a node agent, named by its client certificate; it may speak only for
 *       that node;
 *   <li>{@link Kind#LOCAL}: a scheduler running without authentication (local use, the demo):
 *       anyone may do anything, and the name is what the client says it is.
 * </ul>
 *
 * @param expiresAt when the credential stops working, or null
 */
public record Principal(
    Kind kind, String name, SortedSet<String> teams, Set<Role> roles, Instant expiresAt) {

  public enum Kind {
    USER,
    AGENT,
    /** A caller without credentials, on an rpc anyone may call (health checks). */
    ANONYMOUS,
    LOCAL
  }

  static final Context.Key<Principal> CURRENT = Context.key("tern-principal");

  public Principal {
    teams = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(teams));
    roles = Set.copyOf(roles);
  }

  public static Principal local(String name) {
    return new Principal(Kind.LOCAL, name, new TreeSet<>(), Set.of(), null);
  }

  public static Principal anonymous() {
    return new Principal(Kind.ANONYMOUS, "anonymous", new TreeSet<>(), Set.of(), null);
  }

  public static Principal agent(String nodeId) {
    return new Principal(Kind.AGENT, nodeId, new TreeSet<>(), Set.of(), null);
  }

  /** The caller of the current gRPC call; {@code local("unknown")} outside of one. */
  public static Principal current() {
    Principal principal = CURRENT.get();
    return principal == null ? local("unknown") : principal;
  }

  public boolean isAdmin() {
    return kind == Kind.LOCAL || roles.contains(Role.ROLE_ADMIN);
  }

  public boolean isFinOps() {
    return isAdmin() || roles.contains(Role.ROLE_FINOPS);
  }

  /** Whether this caller may submit, see, cancel and read the logs of {@code team}'s jobs. */
  public boolean actsFor(String team) {
    return isAdmin() || (kind == Kind.USER && teams.contains(team));
  }

  /**
   * Whether this caller may read {@code team}'s jobs (get, list, watch, explain, the queue): its
   * members, and FinOps, who answer for every team's spend. Acting on a job (cancel, hold, requeue,
   * update) and reading its logs stay with the team's members and admins.
   */
  public boolean readsJobsOf(String team) {
    return isFinOps() || actsFor(team);
  }

  /** Whether this caller may read {@code team}'s costs: its members and FinOps. */
  public boolean readsCostsOf(String team) {
    return isFinOps() || actsFor(team);
  }
}
