package io.tern.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tern simulate} on a small native trace: the money columns, the split, bad flags. */
class SimulateCommandTest {
  @TempDir Path dir;

  private Path trace() throws Exception {
    return Files.writeString(
        dir.resolve("trace.csv"),
        """
        id,submit,duration,gpus,team,capacity,checkpoint_interval,deadline
        a,0,3600,1,vision,spot-ok,600,
        b,60,7200,8,nlp,spot-ok,1800,36000
        c,120,1800,1,vision,on-demand,,
        """);
  }

  @Test
  void theTableShowsSpotAndOnDemandDollarsAndWhereTheSavingComesFrom() throws Exception {
    TernInProcess run = tern("simulate", "--jobs", trace().toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("SPOT $")
        .contains("ON-DEMAND $")
        .contains("SPOT GPU-H")
        .contains("FROM SPOT PRICES $")
        .contains("FROM GPU MODELS $")
        .contains("FROM LOST WORK $")
        // A small replay's dollars keep their cents: whole dollars would show $1 and $0.
        .containsPattern("(?m)^tern +[0-9,]+\\.[0-9]{2} ");
  }

  @Test
  void jsonCarriesTheCostsAndTheSplitOfEveryPolicy() throws Exception {
    TernInProcess run = tern("simulate", "--jobs", trace().toString(), "-o", "json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(run.out());
    assertThat(summary.get("policies")).hasSize(4);
    for (JsonNode policy : summary.get("policies")) {
      double parts =
          policy.at("/savingsSplit/fromSpotPricesUsd").asDouble()
              + policy.at("/savingsSplit/fromGpuModelsUsd").asDouble()
              + policy.at("/savingsSplit/fromLostWorkUsd").asDouble();
      assertThat(parts).isCloseTo(policy.get("savingsVsOnDemandUsd").asDouble(), within());
      assertThat(policy.get("spotCostUsd").asDouble() + policy.get("onDemandCostUsd").asDouble())
          .isCloseTo(policy.get("costUsd").asDouble(), within());
      assertThat(policy.has("spotShareOfGpuHours")).isTrue();
    }
  }

  @ParameterizedTest
  @CsvSource({
    "--deadline-share, 1.5, between 0 and 1",
    "--deadline-share, -0.1, between 0 and 1",
    "--deadline-slack, 0.5, at least 1"
  })
  void anOutOfRangeDeadlineFlagIsBadInputNamingIt(String flag, String value, String problem)
      throws Exception {
    TernInProcess run =
        tern("simulate", "--format", "alibaba-v2023", "--jobs", trace().toString(), flag, value);

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err()).contains(flag).contains(problem);
  }

  @Test
  void deadlineFlagsOnANativeTraceAreBadInput() throws Exception {
    TernInProcess run = tern("simulate", "--jobs", trace().toString(), "--deadline-share", "0.2");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--deadline-share").contains("alibaba-v2023 only");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(0.031);
  }

  private static TernInProcess tern(String... args) {
    return TernInProcess.run(args);
  }
}
