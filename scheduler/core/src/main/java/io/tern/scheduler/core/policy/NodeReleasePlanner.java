package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.plan.NodeRelease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives back cloud nodes (nodes of a pool the policy lists) that ran nothing for longer than the
 * grace period and got nothing in this plan. Nodes outside any listed pool (your own hosts) are
 * never released. Stateless and thread-safe.
 */
public final class NodeReleasePlanner {
  private NodeReleasePlanner() {}

  public static List<NodeRelease> releases(
      NodeView[] nodes, PolicySnapshot policy, Duration grace, Instant now) {
    Set<String> cloudPools = new HashSet<>();
    for (PoolOffer p : policy.pools()) {
      cloudPools.add(p.id());
    }
    List<NodeRelease> out = new ArrayList<>();
    for (NodeView v : nodes) {
      var n = v.node();
      if (n.idleSince() == null
          || n.state() == NodeState.LOST
          || !cloudPools.contains(n.pool())
          || !v.idle()) {
        continue;
      }
      Duration idle = Duration.between(n.idleSince(), now);
      if (idle.compareTo(grace) >= 0) {
        out.add(new NodeRelease(n.id(), n.pool(), idle));
      }
    }
    return out;
  }
}
