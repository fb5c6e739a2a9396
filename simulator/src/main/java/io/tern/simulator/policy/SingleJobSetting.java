package io.tern.simulator.policy;

/**
 * The single-job deadline setting of Can't Be Late (Wu et al., NSDI'24): a job of {@code jobHours}
 * of work that must finish within {@code deadlineHours} of its start, paying {@code
 * restartOverheadHours} (billed, no progress) whenever it starts on a new instance. Progress is
 * kept across preemptions (the job checkpoints), as in the paper.
 */
public record SingleJobSetting(double jobHours, double deadlineHours, double restartOverheadHours) {
  /** Checks the job fits before its deadline at all. */
  public SingleJobSetting {
    if (!(jobHours > 0)
        || !(deadlineHours >= jobHours + restartOverheadHours)
        || restartOverheadHours < 0) {
      throw new IllegalArgumentException("the job cannot meet its deadline even on on-demand");
    }
  }

  /** The paper's setting: 48 h job, 52 h deadline, 0.1 h restart overhead. */
  public static SingleJobSetting paper() {
    return new SingleJobSetting(48, 52, 0.1);
  }

  /**
   * Hours of running the whole job on on-demand, one changeover included, in whole seconds as every
   * run counts its durations: the cost ratios' denominator, so on-demand's is exactly 1.
   */
  public double onDemandHours() {
    return (seconds(jobHours) + seconds(restartOverheadHours)) / 3600.0;
  }

  /** The time unit for a trace of {@code slotSeconds}: the gcd of every duration, in seconds. */
  public long unitSeconds(int slotSeconds) {
    long unit = gcd(slotSeconds, seconds(jobHours));
    unit = gcd(unit, seconds(deadlineHours));
    long overhead = seconds(restartOverheadHours);
    return overhead == 0 ? unit : gcd(unit, overhead);
  }

  static long seconds(double hours) {
    return Math.round(hours * 3600);
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
