package io.tern.scheduler.server.zk;

/** Job ids are {@code job-NNNNNN}: sequential numbers a person can read out and type. */
public final class JobIds {
  private static final String PREFIX = "job-";

  private JobIds() {}

  public static String of(long number) {
    return PREFIX + String.format("%06d", number);
  }

  /** The number in {@code jobId}. */
  public static long number(String jobId) {
    if (!isValid(jobId)) {
      throw new IllegalArgumentException("not a job id: " + jobId);
    }
    return Long.parseLong(jobId.substring(PREFIX.length()));
  }

  public static boolean isValid(String jobId) {
    if (jobId == null || !jobId.startsWith(PREFIX) || jobId.length() > PREFIX.length() + 18) {
      return false;
    }
    String digits = jobId.substring(PREFIX.length());
    return !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
