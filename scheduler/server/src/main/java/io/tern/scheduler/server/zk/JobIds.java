package io.tern.scheduler.server.zk;

/**
 * Job ids are {@code job-NNNNNN}: sequential numbers a person can read out and type. The tasks of
 * an array are {@code job-NNNNNN-I}: the array's id and the task's index; they share its number.
 */
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

  /** The id of the task with {@code index} in the array {@code arrayId}. */
  public static String task(String arrayId, int index) {
    return arrayId + "-" + index;
  }

  /** The number in {@code jobId} (for a task, its array's). */
  public static long number(String jobId) {
    if (!isValid(jobId)) {
      throw new IllegalArgumentException("not a job id: " + jobId);
    }
    int dash = jobId.indexOf('-', PREFIX.length());
    return Long.parseLong(jobId.substring(PREFIX.length(), dash < 0 ? jobId.length() : dash));
  }

  /** A job id or an array task's id. */
  public static boolean isValid(String jobId) {
    if (jobId == null || !jobId.startsWith(PREFIX)) {
      return false;
    }
    int dash = jobId.indexOf('-', PREFIX.length());
    return dash < 0
        ? digits(jobId.substring(PREFIX.length()), 18)
        : digits(jobId.substring(PREFIX.length(), dash), 18)
            && digits(jobId.substring(dash + 1), 6);
  }

  private static boolean digits(String text, int max) {
    return !text.isEmpty()
        && text.length() <= max
        && text.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
