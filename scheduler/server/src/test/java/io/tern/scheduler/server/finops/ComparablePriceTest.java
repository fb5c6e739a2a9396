package io.tern.scheduler.server.finops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparablePriceTest {
  private static final CapacityType SPOT = CapacityType.CAPACITY_TYPE_SPOT;
  private static final CapacityType ON_DEMAND = CapacityType.CAPACITY_TYPE_ON_DEMAND;

  private static Node node(String id, CapacityType type, int gpus, String model, double price) {
    Node.Builder b = Node.newBuilder().setId(id).setCapacityType(type).setPricePerHourUsd(price);
    for (int i = 0; i < gpus; i++) {
      b.addGpus(Gpu.newBuilder().setIndex(i).setModel(model));
    }
    return b.build();
  }

  @Test
  void aSpotNodeIsMeasuredPerGpuAgainstAnOnDemandNodeOfAnotherSize() {
    Node spot = node("spot-1", SPOT, 1, "L4", 0.50);
    Node onDemand = node("od-1", ON_DEMAND, 2, "L4", 2.00);

    assertThat(ComparablePrice.perHour(spot, List.of(spot, onDemand)))
        .isCloseTo(1.00, within(1e-9));
    assertThat(ComparablePrice.perHour(onDemand, List.of(spot, onDemand)))
        .isCloseTo(1.00, within(1e-9));
  }

  @Test
  void theCheapestPerGpuOfTheSameModelAndOtherTypeWins() {
    Node od = node("od", ON_DEMAND, 4, "A100", 12.0);
    List<Node> known =
        List.of(
            od,
            node("spot-8", SPOT, 8, "A100", 16.0), // 2.00 per GPU
            node("spot-1", SPOT, 1, "A100", 1.50), // 1.50 per GPU: the cheapest
            node("spot-h100", SPOT, 1, "H100", 0.10), // another model
            node("od-2", ON_DEMAND, 1, "A100", 0.01)); // the same type

    assertThat(ComparablePrice.perHour(od, known)).isCloseTo(6.00, within(1e-9));
  }

  @Test
  void nothingComparableIsUnknown() {
    Node spot = node("spot", SPOT, 2, "L4", 1.0);

    assertThat(ComparablePrice.perHour(spot, List.of(spot, node("od", ON_DEMAND, 2, "T4", 3.0))))
        .isNaN();
    assertThat(ComparablePrice.perHour(spot, List.of(node("cpu", ON_DEMAND, 0, "", 0.2)))).isNaN();
    Node cpu = node("cpu-spot", SPOT, 0, "", 0.1);
    assertThat(ComparablePrice.perHour(cpu, List.of(node("cpu", ON_DEMAND, 0, "", 0.2))))
        .isCloseTo(0.2, within(1e-9));
  }
}
