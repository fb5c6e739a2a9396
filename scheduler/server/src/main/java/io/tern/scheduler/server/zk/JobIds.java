package io.tern.scheduler.server.zk;

/** Job ids are {@code job-NNNNNN}: sequential numbers a person can read out and type. */
public final class JobIds {
  private static final String PREFIX = "job-";

  private JobIds() {}

  public static String of(long number) {
    return PREFIX + zeroPadded(number, 6);
  }

  /**
   * {@code number} in decimal, with leading zeros to at least {@code width} digits: what {@code
   * String.format("%0<width>d")} gives for a non-negative number, without parsing a format on every
   * submit.
   */
  static String zeroPadded(long number, int width) {
    if (number < 0) {
      throw new IllegalArgumentException("negative: " + number);
    }
    String digits = Long.toString(number);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
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
