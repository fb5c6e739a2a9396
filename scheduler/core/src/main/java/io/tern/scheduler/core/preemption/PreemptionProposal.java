package io.tern.scheduler.core.preemption;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.plan.Preemption;
import java.util.List;

/**
 * Where a blocked job will run once its victims stop.
 *
 * @param nodes the nodes (one per gang member), sorted by id
 * @param gpus the GPU mask claimed on each node
 * @param victims new victims to stop, in decision order (jobs already stopping are not repeated)
 * @param reasons the reason for each new victim
 */
public record PreemptionProposal(
    List<NodeView> nodes,
    List<Long> gpus,
    List<Allocation> victims,
    List<Preemption.Reason> reasons) {

  public PreemptionProposal {
    nodes = List.copyOf(nodes);
    gpus = List.copyOf(gpus);
    victims = List.copyOf(victims);
    reasons = List.copyOf(reasons);
  }

  /** What the waiting job is told, e.g. {@code waiting for 2 preempted job(s) to free n1, n2}. */
  public String describe() {
    StringBuilder text = new StringBuilder("waiting for ");
    text.append(victims.isEmpty() ? "stopping jobs" : victims.size() + " preempted job(s)");
    text.append(" to free ");
    for (int i = 0; i < nodes.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(nodes.get(i).node().id());
    }
    return text.toString();
  }
}
