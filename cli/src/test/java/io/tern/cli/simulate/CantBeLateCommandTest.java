package io.tern.cli.simulate;

import static io.tern.cli.testing.TernInProcess.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.testing.TernInProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tern simulate --cant-be-late}: its JSON answer, its report, and bad flags. */
class CantBeLateCommandTest {
  /** The study on {@code spot}, with {@code more} flags. */
  private static TernInProcess study(String spot, String... more) {
    List<String> args =
        new java.util.ArrayList<>(List.of("simulate", "--cant-be-late", "--spot", spot));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private static final List<String> POLICIES =
      List.of("tern", "greedy", "uniform-progress", "optimum", "on-demand");
  @TempDir Path dir;

  /** Two small traces: spot up in most slots, and spot down in most. */
  private Path traces() throws Exception {
    Path spot = Files.createDirectories(dir.resolve("spot/p1"));
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      String at = String.format("2022-10-26T%02d:%02d:00.000Z", i / 6, (i % 6) * 10);
      a.append(i).append(',').append(at).append(',').append(i % 7 == 3 ? 1 : 0).append('\n');
      b.append(i).append(',').append(at).append(',').append(i % 5 == 0 ? 0 : 1).append('\n');
    }
    Files.writeString(spot.resolve("us-west-2a_v100_1.txt"), a);
    Files.writeString(spot.resolve("us-west-2b_k80_1.txt"), b);
    return dir.resolve("spot");
  }

  @Test
  void printsTheStudyAsJsonAndWritesItsReport() throws Exception {
    Path report = dir.resolve("out.html");
    TernInProcess r =
        run(
            "simulate",
            "--cant-be-late",
            "--spot",
            traces().toString(),
            "--job-hours",
            "3",
            "--deadline-hours",
            "4",
            "--changeover-hours",
            "0.2",
            "--start-every-hours",
            "2",
            "--report",
            report.toString(),
            "-o",
            "json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("setting").get("jobHours").asDouble()).isEqualTo(3);
    assertThat(json.get("setting").get("deadlineHours").asDouble()).isEqualTo(4);
    assertThat(json.get("setting").get("changeoverHours").asDouble()).isEqualTo(0.2);
    assertThat(json.get("setting").get("startEveryHours").asDouble()).isEqualTo(2);
    assertThat(json.get("traces")).hasSize(2);
    JsonNode first = json.get("traces").get(0);
    assertThat(first.get("trace").asText()).isEqualTo("p1/us-west-2a_v100_1");
    assertThat(first.get("starts").asInt()).isEqualTo(4); // 0, 2, 4 and 6 h: the last leaves 4 h
    for (String policy : POLICIES) {
      JsonNode cell = first.get("policies").get(policy);
      assertThat(cell).as(policy).isNotNull();
      assertThat(cell.get("minCostRatio").asDouble())
          .isLessThanOrEqualTo(cell.get("meanCostRatio").asDouble());
      assertThat(cell.get("maxCostRatio").asDouble())
          .isGreaterThanOrEqualTo(cell.get("meanCostRatio").asDouble());
      assertThat(cell.get("deadlineMisses").asInt()).isZero();
      assertThat(json.get("overall").get(policy).fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder(
              "meanCostRatio", "minCostRatio", "maxCostRatio", "deadlineMisses");
    }
    assertThat(json.get("overall").get("on-demand").get("meanCostRatio").asDouble()).isEqualTo(1.0);
    assertThat(json.get("overall").get("optimum").get("meanCostRatio").asDouble())
        .isLessThanOrEqualTo(json.get("overall").get("tern").get("meanCostRatio").asDouble());
    String html = Files.readString(report, StandardCharsets.UTF_8);
    assertThat(html).contains("<table>", "p1/us-west-2b_k80_1", "uniform-progress");
    assertThat(html).containsPattern("Deadlines missed, of \\d+ runs each: tern 0, greedy \\d+, ");
  }

  @Test
  void badFlagsExitTwoNamingTheFlag() throws Exception {
    String spot = traces().toString();
    TernInProcess negative =
        run("simulate", "--cant-be-late", "--spot", spot, "--changeover-hours", "-1");
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).contains("--changeover-hours");

    TernInProcess tooTight =
        run(
            "simulate",
            "--cant-be-late",
            "--spot",
            spot,
            "--job-hours",
            "10",
            "--deadline-hours",
            "9");
    assertThat(tooTight.exit()).isEqualTo(2);
    assertThat(tooTight.err()).contains("--deadline-hours");

    TernInProcess notANumber =
        run("simulate", "--cant-be-late", "--spot", spot, "--job-hours", "many");
    assertThat(notANumber.exit()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--job-hours");

    TernInProcess noSpot =
        run("simulate", "--cant-be-late", "--spot", dir.resolve("none").toString());
    assertThat(noSpot.exit()).isEqualTo(2);
    assertThat(noSpot.err()).contains("--spot", "none is not a directory");

    TernInProcess tiny = run("simulate", "--cant-be-late", "--spot", spot, "--job-hours", "1e-9");
    assertThat(tiny.exit()).isEqualTo(2);
    assertThat(tiny.err()).contains("--job-hours: must be at least one second");

    TernInProcess dense =
        run(
            "simulate",
            "--cant-be-late",
            "--spot",
            spot,
            "--job-hours",
            "1",
            "--deadline-hours",
            "2",
            "--start-every-hours",
            "1e-9");
    assertThat(dense.exit()).isEqualTo(2);
    assertThat(dense.err()).contains("--start-every-hours: at least one trace slot (");
  }

  @Test
  void onDemandCostsExactlyOnDemandWhateverTheJobsLength() throws Exception {
    // 3.6 s of work: the runs count it in whole seconds, and so does the ratios' denominator.
    TernInProcess r =
        study(traces().toString(), "--job-hours", "0.001", "--deadline-hours", "1", "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode onDemand = new ObjectMapper().readTree(r.out()).get("overall").get("on-demand");
    assertThat(onDemand.get("minCostRatio").asDouble()).isEqualTo(1.0);
    assertThat(onDemand.get("maxCostRatio").asDouble()).isEqualTo(1.0);
  }

  @Test
  void aDeadlineLongerThanATraceIsRefusedAndASpacingLongerThanItGivesOneStart() throws Exception {
    String spot = traces().toString(); // 10 h each
    for (String deadline : List.of("52", "1e6", "1e15")) {
      TernInProcess tooLong = study(spot, "--job-hours", "2", "--deadline-hours", deadline);
      assertThat(tooLong.exit()).as(tooLong.err()).isEqualTo(2);
      assertThat(tooLong.err())
          .contains("--deadline-hours", "longer than spot trace p1/us-west-2a_v100_1 (10.0 h");
    }
    for (String every : List.of("1e300", "1e10", "11")) {
      TernInProcess once =
          study(
              spot,
              "--job-hours",
              "2",
              "--deadline-hours",
              "3",
              "--start-every-hours",
              every,
              "-o",
              "json");
      assertThat(once.exit()).as(once.err()).isZero();
      JsonNode study = new ObjectMapper().readTree(once.out());
      for (JsonNode trace : study.get("traces")) {
        assertThat(trace.get("starts").asInt()).as(every).isEqualTo(1);
      }
    }
  }
}
