package io.tern.scheduler.server.auth;

import io.grpc.Status;
import io.tern.api.v1.Job;
import java.util.List;

/**
 * Team isolation, as the services apply it once they know a job's team: members of a team (and
 * admins) see, cancel and read the logs of its jobs; to anyone else another team's job is answered
 * exactly as a job that does not exist, so its id reveals nothing.
 */
public final class TeamAccess {
  private TeamAccess() {}

  /**
   * The job, when {@code caller} may see it; otherwise the NOT_FOUND a missing job gets (the same
   * code and words), so that a job id does not tell another team the job exists.
   */
  public static Job check(Principal caller, Job job) {
    String team = job.getSpec().getTeam();
    if (!caller.actsFor(team) && caller.readsJobsOf(team)) {
      // Whoever may read the job (FinOps) knows it exists: say what they may not do.
      throw Denials.denied(
          caller.name()
              + " may read "
              + job.getId()
              + " but not act on it or read its logs: they stay with team '"
              + team
              + "'");
    }
    return check(caller, job, caller.actsFor(team));
  }

  /**
   * {@link #check}, for reading only: FinOps read every team's jobs ({@link
   * Principal#readsJobsOf}).
   */
  public static Job checkReadable(Principal caller, Job job) {
    return check(caller, job, caller.readsJobsOf(job.getSpec().getTeam()));
  }

  private static Job check(Principal caller, Job job, boolean allowed) {
    if (!allowed) {
      // Word for word what JobRequests says of a missing job.
      throw Status.NOT_FOUND.withDescription("no job " + job.getId()).asRuntimeException();
    }
    return job;
  }

  /**
   * INVALID_ARGUMENT ({@code field: what is wrong}) for a team name no job could have: a filter or
   * report on it is a typo to report, not an empty answer to give.
   */
  public static void checkTeamName(String team, String field) {
    var problem = io.tern.scheduler.spec.JobSpecValidator.teamProblem(team);
    if (problem.isPresent()) {
      throw Status.INVALID_ARGUMENT
          .withDescription(field + ": " + problem.get())
          .asRuntimeException();
    }
  }

  /** PERMISSION_DENIED unless {@code caller} may act for {@code team}. */
  public static void checkTeam(Principal caller, String team, String field) {
    checkTeam(caller, team, field, caller.actsFor(team));
  }

  /** PERMISSION_DENIED unless {@code caller} may read {@code team}'s jobs. */
  public static void checkReadableTeam(Principal caller, String team, String field) {
    checkTeam(caller, team, field, caller.readsJobsOf(team));
  }

  private static void checkTeam(Principal caller, String team, String field, boolean allowed) {
    if (!allowed) {
      throw Denials.denied(
          field
              + ": "
              + caller.name()
              + " is not a member of team '"
              + team
              + "' (member of: "
              + (caller.teams().isEmpty() ? "none" : String.join(", ", caller.teams()))
              + ")");
    }
  }

  /**
   * The team whose costs {@code caller} asks for: the one requested (its members and FinOps may
   * read it), or, when none is, every team for FinOps and the caller's only team for others.
   */
  public static String costTeam(Principal caller, String requested) {
    if (!requested.isEmpty()) {
      if (!caller.readsCostsOf(requested)) {
        checkTeam(caller, requested, "team");
      }
      return requested;
    }
    if (caller.isFinOps()) {
      return "";
    }
    List<String> teams = List.copyOf(caller.teams());
    if (teams.size() == 1) {
      return teams.getFirst();
    }
    throw new IllegalArgumentException(
        "team: "
            + caller.name()
            + " belongs to "
            + (teams.isEmpty() ? "no team" : "teams " + String.join(", ", teams))
            + "; name one team whose costs to list (--team)");
  }
}
