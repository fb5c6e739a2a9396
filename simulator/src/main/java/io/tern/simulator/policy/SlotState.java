package io.tern.simulator.policy;

/**
 * What a single-job policy sees at the start of a slot. All times are in the job's time units (see
 * {@link SingleJobSetting#unitSeconds()}).
 *
 * @param slot index of the slot from the job's start
 * @param elapsed time since the job's start
 * @param progress work done so far
 * @param work total work of the job
 * @param deadline time from the start by which the job must finish
 * @param slotLength length of a slot
 * @param overhead restart overhead paid whenever the job starts on a new instance
 * @param spotAvailable whether spot capacity exists in this slot
 * @param previous what the job did in the previous slot ({@code IDLE} at the start)
 */
public record SlotState(
    int slot,
    long elapsed,
    long progress,
    long work,
    long deadline,
    long slotLength,
    long overhead,
    boolean spotAvailable,
    SlotMode previous) {

  /** Work still to do. */
  public long remaining() {
    return work - progress;
  }

  /** Time left until the deadline. */
  public long timeLeft() {
    return deadline - elapsed;
  }

  /**
   * Whether, after spending this slot in {@code mode}, the job could still finish by the deadline
   * by running on on-demand from then on (paying the restart overhead unless already on on-demand).
   */
  public boolean safeAfter(SlotMode mode) {
    long gained = gain(mode);
    long afterRemaining = remaining() - gained;
    if (afterRemaining <= 0) {
      long paidOverhead = mode == previous ? 0 : overhead;
      return paidOverhead + gained <= timeLeft(); // finishes in this slot: in time?
    }
    long switchCost = mode == SlotMode.ON_DEMAND ? 0 : overhead;
    return timeLeft() - slotLength >= afterRemaining + switchCost;
  }

  /** Work gained in this slot in {@code mode} (restart overhead deducted where it applies). */
  public long gain(SlotMode mode) {
    if (mode == SlotMode.IDLE || (mode == SlotMode.SPOT && !spotAvailable)) {
      return 0;
    }
    long paidOverhead = mode == previous ? 0 : overhead;
    return Math.max(0, Math.min(remaining(), slotLength - paidOverhead));
  }
}
