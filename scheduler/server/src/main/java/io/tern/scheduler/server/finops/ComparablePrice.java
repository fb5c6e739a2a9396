package io.tern.scheduler.server.finops;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Node;

/**
 * What a node would cost per hour on the other capacity type, the yardstick of the ledger's spot
 * saving and on-demand premium ({@link CostLedger.Slice#comparablePricePerHourUsd}): the cheapest
 * price per GPU among the known nodes of the other type with the same GPU model, times the node's
 * GPUs. Per GPU, so that a one-GPU spot node is measured against a four-GPU on-demand node of the
 * same model rather than against nothing. A node without GPUs is measured against nodes without
 * GPUs, per node.
 */
public final class ComparablePrice {
  private ComparablePrice() {}

  /**
   * @param node the node a job ran on
   * @param known the nodes the scheduler knows (any order; {@code node} itself may be among them)
   * @return the price per hour, or NaN when no node of the other type is comparable
   */
  public static double perHour(Node node, Iterable<Node> known) {
    CapacityType other =
        node.getCapacityType() == CapacityType.CAPACITY_TYPE_SPOT
            ? CapacityType.CAPACITY_TYPE_ON_DEMAND
            : CapacityType.CAPACITY_TYPE_SPOT;
    int gpus = node.getGpusCount();
    String model = gpus == 0 ? "" : node.getGpus(0).getModel();
    double best = Double.NaN;
    for (Node n : known) {
      if (n.getCapacityType() != other
          || (n.getGpusCount() == 0) != (gpus == 0)
          || (gpus > 0 && !n.getGpus(0).getModel().equals(model))
          || !(n.getPricePerHourUsd() >= 0)) {
        continue;
      }
      double unit = gpus == 0 ? n.getPricePerHourUsd() : n.getPricePerHourUsd() / n.getGpusCount();
      if (!(unit >= best)) {
        best = unit;
      }
    }
    return gpus == 0 ? best : best * gpus;
  }
}
