package io.tern.scheduler.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyntheticClusterTest {
  @Test
  void theGeneratorIsDeterministic() {
    var a = new SyntheticCluster(42, 4);
    var b = new SyntheticCluster(42, 4);
    assertThat(a.nodes(20, 8)).isEqualTo(b.nodes(20, 8));
    assertThat(a.jobs(100, SyntheticCluster.EPOCH)).isEqualTo(b.jobs(100, SyntheticCluster.EPOCH));
  }

  @Test
  void anotherSeedGivesAnotherQueue() {
    assertThat(new SyntheticCluster(1, 4).jobs(100, SyntheticCluster.EPOCH))
        .isNotEqualTo(new SyntheticCluster(2, 4).jobs(100, SyntheticCluster.EPOCH));
  }
}
