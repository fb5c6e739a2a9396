package io.tern.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.cli.client.Protos;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReclaimNoteTest {
  private static final Instant RECLAIM = Instant.parse("2026-12-07T12:00:00Z");

  private static Node node(NodeState state) {
    return Node.newBuilder()
        .setId("s1")
        .setState(state)
        .setReclaimAt(Timestamp.newBuilder().setSeconds(RECLAIM.getEpochSecond()))
        .build();
  }

  @Test
  void aReclaimNoticeSaysWhatItMeansBeforeAndAfterItsTime() {
    String at = Protos.time(node(NodeState.NODE_STATE_DRAINING).getReclaimAt());

    assertThat(
            ClusterCommands.reclaimNote(
                node(NodeState.NODE_STATE_DRAINING), RECLAIM.minusSeconds(30)))
        .isEqualTo(
            " drains for a spot reclaim at "
                + at
                + " (tern nodes undrain works once that time has passed, if it is still here)");
    assertThat(
            ClusterCommands.reclaimNote(
                node(NodeState.NODE_STATE_DRAINING), RECLAIM.plusSeconds(30)))
        .isEqualTo(" drains for a spot reclaim due at " + at + ": its agent has seen the notice");
    assertThat(
            ClusterCommands.reclaimNote(node(NodeState.NODE_STATE_LOST), RECLAIM.plusSeconds(30)))
        .isEqualTo(" was reclaimed (spot) at " + at);
  }
}
