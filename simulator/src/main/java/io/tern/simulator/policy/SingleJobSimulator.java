package io.tern.simulator.policy;

import io.tern.simulator.spot.SpotTrace;

/**
 * Runs one single-job policy over a spot trace, slot by slot, from a start slot. A slot in {@code
 * SPOT} mode whose capacity is gone is idle, and a spot instance whose capacity is gone at a slot
 * start is reclaimed there (the job checkpoints on the notice: its progress is kept). A job that
 * starts on a new instance pays the whole restart overhead before it makes progress, billed, even
 * when that takes longer than a slot (the rest carries over to the next slot; a change of instance
 * meanwhile starts the overhead again). Billing is per unit actually used, so a job finishing
 * mid-slot pays for part of it.
 */
public final class SingleJobSimulator {
  private SingleJobSimulator() {}

  /**
   * @param spotPerHour instance price on spot
   * @param onDemandPerHour instance price on on-demand
   */
  public static SingleJobOutcome run(
      SpotTrace trace,
      int startSlot,
      SingleJobSetting setting,
      SingleJobPolicy policy,
      double spotPerHour,
      double onDemandPerHour) {
    long unit = setting.unitSeconds(trace.slotSeconds());
    long slot = trace.slotSeconds() / unit;
    long work = SingleJobSetting.seconds(setting.jobHours()) / unit;
    long deadline = SingleJobSetting.seconds(setting.deadlineHours()) / unit;
    long overhead = SingleJobSetting.seconds(setting.restartOverheadHours()) / unit;
    double unitHours = unit / 3600.0;
    long progress = 0;
    long elapsed = 0;
    long spotUnits = 0;
    long onDemandUnits = 0;
    int restarts = 0;
    SlotMode previous = SlotMode.IDLE;
    long overheadLeft = 0;
    int index = startSlot;
    while (progress < work) {
      boolean available = trace.available(index % trace.slots());
      if (previous == SlotMode.SPOT && !available) {
        previous = SlotMode.IDLE; // reclaimed at the slot start
        overheadLeft = 0;
      }
      SlotState state =
          new SlotState(
              index - startSlot,
              elapsed,
              progress,
              work,
              deadline,
              slot,
              overhead,
              available,
              previous,
              overheadLeft);
      SlotMode mode = policy.decide(state);
      if (mode == SlotMode.SPOT && !available) {
        mode = SlotMode.IDLE;
      }
      if (mode == SlotMode.IDLE) {
        elapsed += slot;
        overheadLeft = 0;
      } else {
        if (mode != previous) {
          restarts++;
        }
        long paid = Math.min(state.overheadFor(mode), slot);
        long gained = state.gain(mode);
        overheadLeft = state.overheadFor(mode) - paid;
        long billed = paid + gained;
        elapsed += gained == state.remaining() ? billed : slot;
        if (mode == SlotMode.SPOT) {
          spotUnits += billed;
        } else {
          onDemandUnits += billed;
        }
        progress += gained;
      }
      previous = mode;
      index++;
      if (elapsed > 4 * deadline + 10 * slot && progress < work) {
        break; // a policy that never finishes: give up, deadline missed
      }
    }
    double finish = progress >= work ? elapsed * unitHours : Double.POSITIVE_INFINITY;
    return new SingleJobOutcome(
        policy.name(),
        spotUnits * unitHours * spotPerHour + onDemandUnits * unitHours * onDemandPerHour,
        finish,
        progress >= work && elapsed <= deadline,
        spotUnits * unitHours,
        onDemandUnits * unitHours,
        restarts);
  }
}
