package io.tern.simulator.spot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.trace.TraceNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceTableTest {
  @Test
  void nodePricesPriceTheirModelPerGpuAtTheCheapestOfEachType() {
    PriceTable table =
        PriceTable.defaults()
            .withNodePrices(
                List.of(
                    new TraceNode("od-1", 2, "L4", 24, "on-demand", 2.00),
                    new TraceNode("od-2", 1, "L4", 24, "on-demand", 1.50),
                    new TraceNode("spot-1", 1, "L4", 24, "spot", 0.50),
                    new TraceNode("spot-2", 4, "L4", 24, "spot", 1.00)));

    GpuPrice l4 = table.forModel("L4");
    assertThat(l4.onDemandPerGpuHour()).isCloseTo(1.00, within(1e-9));
    assertThat(l4.spotPerGpuHour()).isCloseTo(0.25, within(1e-9));
    assertThat(l4.source()).contains("od-1", "spot-1");
    // Other models keep the table's prices.
    assertThat(table.forModel("T4")).isEqualTo(PriceTable.defaults().forModel("T4"));
  }

  @Test
  void aModelPricedOnOneSideOnlyKeepsTheTablesRatioOrTheUsualDiscount() {
    PriceTable table =
        PriceTable.defaults()
            .withNodePrices(
                List.of(
                    new TraceNode("od", 8, "V100", 16, "on-demand", 16.0),
                    new TraceNode("spot", 1, "MI300X", 192, "spot", 0.9),
                    new TraceNode("unpriced", 1, "K80", 12)));

    GpuPrice v100 = PriceTable.defaults().forModel("V100");
    assertThat(table.forModel("V100").onDemandPerGpuHour()).isCloseTo(2.0, within(1e-9));
    assertThat(table.forModel("V100").spotPerGpuHour())
        .isCloseTo(2.0 * v100.spotPerGpuHour() / v100.onDemandPerGpuHour(), within(1e-9));
    assertThat(table.forModel("MI300X").spotPerGpuHour()).isCloseTo(0.9, within(1e-9));
    assertThat(table.forModel("MI300X").onDemandPerGpuHour()).isCloseTo(3.0, within(1e-9));
    assertThat(table.forModel("K80")).isEqualTo(PriceTable.defaults().forModel("K80"));
  }

  @Test
  void spotIsNeverDearerThanOnDemand() {
    GpuPrice odd =
        PriceTable.defaults()
            .withNodePrices(
                List.of(
                    new TraceNode("od", 1, "L4", 24, "on-demand", 0.40),
                    new TraceNode("spot", 1, "L4", 24, "spot", 0.60)))
            .forModel("L4");

    assertThat(odd.spotPerGpuHour()).isCloseTo(0.40, within(1e-9));
  }

  @Test
  void modernModelsHaveTheirOwnListPricesAndA10gIsPricedAsA10() {
    PriceTable table = PriceTable.defaults();

    assertThat(table.forModel("L4").onDemandPerGpuHour()).isCloseTo(0.8048, within(1e-9));
    assertThat(table.forModel("h100").onDemandPerGpuHour()).isCloseTo(12.29, within(1e-9));
    assertThat(table.forModel("A10G")).isEqualTo(table.forModel("A10"));
  }
}
