package io.tern.simulator.policy;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The single-job policies of the Can't Be Late comparison. Each call returns a fresh instance (some
 * keep state within a run).
 */
public final class SingleJobPolicies {
  /** Names in table order. */
  public static final List<String> NAMES =
      List.of("on-demand", "greedy", "uniform-progress", "tern");

  private SingleJobPolicies() {}

  /** A fresh policy by name. */
  public static SingleJobPolicy create(String name) {
    Supplier<SingleJobPolicy> supplier =
        switch (name.toLowerCase(Locale.ROOT)) {
          case "on-demand" -> OnDemandOnly::new;
          case "greedy" -> Greedy::new;
          case "uniform-progress" -> UniformProgress::new;
          case "tern" -> TernDeadlineAware::new;
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
   * Uniform Progress (Wu et al., NSDI'24): spot when it exists; when it does not, on-demand only if
   * progress is behind the uniform line {@code work × elapsed / deadline}; once on on-demand, back
   * to spot only when ahead of the line by two restart overheads (hysteresis); on-demand whenever
   * the deadline forces it.
   */
  static final class UniformProgress implements SingleJobPolicy {
    @Override
    public String name() {
      return "uniform-progress";
    }

    @Override
    public SlotMode decide(SlotState state) {
      double expected = (double) state.work() * state.elapsed() / state.deadline();
      if (state.spotAvailable()) {
        boolean behind =
            state.previous() == SlotMode.ON_DEMAND
                && state.progress() < expected + 2.0 * state.overhead();
        if (!behind && state.safeAfter(SlotMode.SPOT)) {
          return SlotMode.SPOT;
        }
        return SlotMode.ON_DEMAND;
      }
      if (state.progress() < expected || !state.safeAfter(SlotMode.IDLE)) {
        return SlotMode.ON_DEMAND;
      }
      return SlotMode.IDLE;
    }
  }
}
