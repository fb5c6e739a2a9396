package io.tern.agent.job;

import java.util.regex.Pattern;

/**
 * One attempt of one job: the unit the agent runs. Job ids become directory names, so they are
 * limited to letters, digits, '.', '_' and '-' (and are not "." or "..").
 */
public record AttemptId(String jobId, int attempt) implements Comparable<AttemptId> {
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  public AttemptId {
    if (jobId == null
        || !SAFE_ID.matcher(jobId).matches()
        || jobId.equals(".")
        || jobId.equals("..")) {
      throw new IllegalArgumentException(
          "job id '" + jobId + "' must be 1-128 letters, digits, '.', '_' or '-'");
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be 1 or more, got " + attempt);
    }
  }

  @Override
  public int compareTo(AttemptId other) {
    int byJob = jobId.compareTo(other.jobId);
    return byJob != 0 ? byJob : Integer.compare(attempt, other.attempt);
  }

  @Override
  public String toString() {
    return jobId + "#" + attempt;
  }
}
