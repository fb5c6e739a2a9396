package io.tern.simulator.policy;

import io.tern.simulator.spot.SpotTrace;

/**
 * Runs one single-job policy over a spot trace, slot by slot, from a start slot. A slot in {@code
 * SPOT} mode whose capacity is gone is idle; a job that changes instance pays the restart overhead
 * first. Billing is per unit actually used, so a job finishing mid-slot pays for part of it.
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
    int index = startSlot;
    while (progress < work) {
      boolean available = trace.available(index % trace.slots());
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
              previous);
      SlotMode mode = policy.decide(state);
      if (mode == SlotMode.SPOT && !available) {
        mode = SlotMode.IDLE;
      }
      long gained = state.gain(mode);
      if (mode != SlotMode.IDLE) {
        boolean restart = mode != previous;
        long billed = gained + (restart ? Math.min(overhead, slot) : 0);
        if (restart) {
          restarts++;
        }
        if (gained == state.remaining()) {
          elapsed += billed;
        } else {
          elapsed += slot;
        }
        if (mode == SlotMode.SPOT) {
          spotUnits += billed;
        } else {
          onDemandUnits += billed;
        }
      } else {
        elapsed += slot;
      }
      progress += gained;
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
