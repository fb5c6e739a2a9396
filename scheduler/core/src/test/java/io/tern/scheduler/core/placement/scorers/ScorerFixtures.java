package io.tern.scheduler.core.placement.scorers;

final class ScorerFixtures {
  private ScorerFixtures() {}

  static long mask(int... gpus) {
    long m = 0;
    for (int g : gpus) {
      m |= 1L << g;
    }
    return m;
  }
}
