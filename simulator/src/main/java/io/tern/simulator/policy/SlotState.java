package io.tern.simulator.policy;

/**
 * What a single-job policy sees at the start of a slot. All times are in the job's time units (see
 * {@link SingleJobSetting#unitSeconds}).
 *
 * @param slot index of the slot from the job's start
 * @param elapsed time since the job's start
 * @param progress work done so far
 * @param work total work of the job
 * @param deadline time from the start by which the job must finish
 * @param slotLength length of a slot
 * @param overhead restart overhead paid whenever the job starts on a new instance
 * @param spotAvailable whether spot capacity exists in this slot
 * @param previous what the job runs on now: what it did in the previous slot, except that a spot
 *     instance whose capacity is gone in this slot was reclaimed ({@code IDLE})
 * @param overheadLeft restart overhead the current instance has still to pay (a changeover longer
 *     than a slot carries over); 0 when idle
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
    SlotMode previous,
    long overheadLeft) {

  /** Work still to do. */
  public long remaining() {
    return work - progress;
  }

  /** Time left until the deadline. */
  public long timeLeft() {
    return deadline - elapsed;
  }

  /** Restart overhead paid in this slot and after it when running in {@code mode}. */
  public long overheadFor(SlotMode mode) {
    return mode == previous ? overheadLeft : overhead;
  }

  /**
   * Whether, after spending this slot in {@code mode}, the job could still finish by the deadline
   * by running on on-demand from then on (paying a full restart overhead unless it stays on the
   * same on-demand instance).
   */
  public boolean safeAfter(SlotMode mode) {
    long gained = gain(mode);
    long afterRemaining = remaining() - gained;
    long paid = mode == SlotMode.IDLE ? 0 : overheadFor(mode);
    if (afterRemaining <= 0) {
      return Math.min(paid, slotLength) + gained <= timeLeft(); // finishes in this slot: in time?
    }
    long nextOverhead = mode == SlotMode.ON_DEMAND ? Math.max(0, paid - slotLength) : overhead;
    return timeLeft() - slotLength >= afterRemaining + nextOverhead;
  }

  /** Work gained in this slot in {@code mode} (restart overhead deducted where it applies). */
  public long gain(SlotMode mode) {
    if (mode == SlotMode.IDLE || (mode == SlotMode.SPOT && !spotAvailable)) {
      return 0;
    }
    long paid = Math.min(overheadFor(mode), slotLength);
    return Math.max(0, Math.min(remaining(), slotLength - paid));
  }
}
