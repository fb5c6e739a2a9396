package io.tern.simulator.policy;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The baselines of the Can't Be Late comparison. Each call returns a fresh instance (some keep
 * state within a run). Tern's own figure comes from the cluster simulation ({@link
 * SingleJobReplay}).
 */
public final class SingleJobPolicies {
  /** Names in table order. */
  public static final List<String> NAMES = List.of("on-demand", "greedy", "uniform-progress");

  private SingleJobPolicies() {}

  /** A fresh policy by name. */
  public static SingleJobPolicy create(String name) {
    Supplier<SingleJobPolicy> supplier =
        switch (name.toLowerCase(Locale.ROOT)) {
          case "on-demand" -> OnDemandOnly::new;
          case "greedy" -> Greedy::new;
          case "uniform-progress" -> UniformProgress::new;
          default -> throw new IllegalArgumentException("unknown single-job policy " + name);
        };
    return supplier.get();
  }

  /** Always on-demand: the cost baseline. */
  static final class OnDemandOnly implements SingleJobPolicy {
    @Override
    public String name() {
      return "on-demand";
    }

    @Override
    public SlotMode decide(SlotState state) {
      return SlotMode.ON_DEMAND;
    }
  }

  /**
   * The paper's greedy policy: spot whenever it exists, idle otherwise, and once the deadline
   * forces it, on-demand for good.
   */
  static final class Greedy implements SingleJobPolicy {
    private boolean committed;

    @Override
    public String name() {
      return "greedy";
    }

    @Override
    public SlotMode decide(SlotState state) {
      if (!committed) {
        if (state.spotAvailable() && state.safeAfter(SlotMode.SPOT)) {
          return SlotMode.SPOT;
        }
        if (!state.spotAvailable() && state.safeAfter(SlotMode.IDLE)) {
          return SlotMode.IDLE;
        }
        committed = true;
      }
      return SlotMode.ON_DEMAND;
    }
  }

  /**
   * Uniform Progress (Wu et al., NSDI'24) as its reference code decides ({@code rc_cr_threshold} in
   * the authors' simulator), slot by slot, with t the slot start, c the work done, C the work, R
   * the deadline and d the restart overhead:
   *
   * <ol>
   *   <li>spot whenever there is spot, else idle;
   *   <li>behind the uniform line ({@code c < t C / R}): spot if there is any, else on-demand;
   *   <li>on on-demand it stays there while spot is gone, and while still behind the line at {@code
   *       t + 2d} (hysteresis);
   *   <li>safety net: idle or on-demand with the work plus two overheads no longer fitting the
   *       whole slots left (both rounded to slots), on-demand; with the work plus one overhead no
   *       longer fitting, on-demand unless already running on spot past its overhead (which keeps
   *       spot until it is reclaimed).
   * </ol>
   *
   * Its simulator's later "strong guarantee" wrapper is not part of the policy the paper evaluated
   * and is left out.
   */
  static final class UniformProgress implements SingleJobPolicy {
    @Override
    public String name() {
      return "uniform-progress";
    }

    @Override
    public SlotMode decide(SlotState state) {
      long remaining = state.remaining();
      if (remaining <= 0) {
        return SlotMode.IDLE;
      }
      boolean spot = state.spotAvailable();
      double t = state.elapsed();
      double c0 = state.work();
      double r0 = state.deadline();
      double d = state.overhead();
      double done = state.progress();
      SlotMode current = state.previous();
      SlotMode request = spot ? SlotMode.SPOT : SlotMode.IDLE;
      if (done - t * c0 / r0 < 0) {
        request = spot ? SlotMode.SPOT : SlotMode.ON_DEMAND;
      }
      if (current == SlotMode.ON_DEMAND && (!spot || (t + 2 * d) * c0 / r0 - done >= 0)) {
        request = SlotMode.ON_DEMAND;
      }
      long gap = state.slotLength();
      long timeLeft = Math.floorDiv(state.deadline() - state.elapsed(), gap) * gap;
      long needed = ceilTo(remaining + state.overhead(), gap);
      long neededTwice = ceilTo(remaining + 2 * state.overhead(), gap);
      if (neededTwice >= timeLeft && (current == SlotMode.IDLE || current == SlotMode.ON_DEMAND)) {
        request = SlotMode.ON_DEMAND;
      }
      if (needed >= timeLeft) {
        request =
            current == SlotMode.SPOT && state.overheadLeft() == 0
                ? SlotMode.SPOT
                : SlotMode.ON_DEMAND;
        if (state.overhead() == 0 && spot) {
          request = SlotMode.SPOT;
        }
      }
      return request == SlotMode.SPOT && !spot ? SlotMode.IDLE : request;
    }

    private static long ceilTo(long value, long step) {
      return Math.floorDiv(value + step - 1, step) * step;
    }
  }
}
