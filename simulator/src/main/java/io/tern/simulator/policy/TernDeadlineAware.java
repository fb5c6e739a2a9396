package io.tern.simulator.policy;

/**
 * Tern's deadline-aware spot rule for one job, as the core applies it per job: because Tern
 * checkpoints inside the two-minute notice, a reclaim costs only the restart overhead, so the job
 * goes back to spot whenever spot exists and the deadline stays safe (no hysteresis). Without spot,
 * it waits while its slack exceeds a reserve proportional to the work left (the uniform-progress
 * line, so slack is spent evenly rather than up front), and runs on on-demand otherwise; once on
 * on-demand it stays there until spot returns (pausing would only add a restart). Leaving on-demand
 * for spot needs spot in two slots running, so a one-slot blip does not cost two restart overheads.
 */
final class TernDeadlineAware implements SingleJobPolicy {
  private boolean spotSeenLastSlot;

  @Override
  public String name() {
    return "tern";
  }

  @Override
  public SlotMode decide(SlotState state) {
    boolean stable = spotSeenLastSlot;
    spotSeenLastSlot = state.spotAvailable();
    boolean leavingOnDemand = state.previous() == SlotMode.ON_DEMAND;
    if (state.spotAvailable() && (stable || !leavingOnDemand) && state.safeAfter(SlotMode.SPOT)) {
      return SlotMode.SPOT;
    }
    if (state.spotAvailable() || leavingOnDemand) {
      return SlotMode.ON_DEMAND; // pausing on-demand saves nothing and costs a restart later
    }
    long slack = state.timeLeft() - state.remaining();
    double totalSlack = state.deadline() - state.work();
    double reserve = totalSlack * state.remaining() / state.work();
    if (slack - state.slotLength() >= reserve && state.safeAfter(SlotMode.IDLE)) {
      return SlotMode.IDLE;
    }
    return SlotMode.ON_DEMAND;
  }
}
