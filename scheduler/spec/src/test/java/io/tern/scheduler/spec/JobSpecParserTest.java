package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecParserTest {
  private static final Path EXAMPLES = Path.of("../../examples/specs");
  private final JobSpecParser parser = new JobSpecParser();

  static Stream<Path> examples() throws IOException {
    return Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleParsesAndRoundTrips(Path example) throws Exception {
    JobSpec spec = parser.parse(Files.readString(example), example.toString());

    assertThat(spec.getName()).isNotEmpty();
    JobSpec again = parser.parse(JobSpecDocument.toYaml(spec), "normalized");
    assertThat(again).isEqualTo(spec);
  }

  @Test
  void fullExampleMapsEveryKey() throws Exception {
    JobSpec spec =
        parser.parse(
            Files.readString(EXAMPLES.resolve("resnet50-imagenet.yaml")), "resnet50-imagenet.yaml");

    assertThat(spec.getName()).isEqualTo("resnet50-imagenet");
    assertThat(spec.getTeam()).isEqualTo("vision");
    assertThat(spec.getCommandList()).containsExactly("python3", "train.py", "--epochs", "90");
    assertThat(spec.getWorkdir()).isEqualTo("/data/vision");
    assertThat(spec.getEnvMap()).containsEntry("WANDB_MODE", "offline");
    assertThat(spec.getResources().getGpus()).isEqualTo(4);
    assertThat(spec.getResources().getNodes()).isEqualTo(1);
    assertThat(spec.getResources().getGpuMemoryGib()).isEqualTo(40.0);
    assertThat(spec.getResources().getGpuModelsList()).containsExactly("H100", "A100");
    assertThat(spec.getResources().getCpu()).isEqualTo(16.0);
    assertThat(spec.getResources().getMemoryGib()).isEqualTo(128.0);
    assertThat(spec.getPriority()).isEqualTo(Priority.PRIORITY_NORMAL);
    assertThat(spec.getCapacity()).isEqualTo(CapacityPreference.CAPACITY_SPOT_OK);
    assertThat(spec.getCheckpoint().getSignal()).isEqualTo("SIGUSR1");
    assertThat(spec.getCheckpoint().getGrace().getSeconds()).isEqualTo(90);
    assertThat(spec.getCheckpoint().getInterval().getSeconds()).isEqualTo(30 * 60);
    assertThat(spec.getDeadline().getSeconds())
        .isEqualTo(Instant.parse("2027-12-01T08:00:00Z").getEpochSecond());
    assertThat(spec.getDeferrable()).isTrue();
    assertThat(spec.getMaxCostUsd()).isEqualTo(120.0);
    assertThat(spec.getMaxRuntime().getSeconds()).isEqualTo(48 * 3600);
    assertThat(spec.getRetries()).isEqualTo(3);
    assertThat(spec.getShareable()).isFalse();
  }

  @Test
  void minimalSpecGetsDefaults() throws Exception {
    JobSpec spec =
        parser.parse(
            """
            name: tiny
            team: t
            command: [echo, hi]
            checkpoint: {}
            """,
            "tiny.yaml");

    assertThat(spec.getPriority()).isEqualTo(Priority.PRIORITY_NORMAL);
    assertThat(spec.getCapacity()).isEqualTo(CapacityPreference.CAPACITY_SPOT_OK);
    assertThat(spec.getResources().getNodes()).isEqualTo(1);
    assertThat(spec.getCheckpoint().getSignal()).isEqualTo("SIGUSR1");
    assertThat(spec.getCheckpoint().getGrace().getSeconds()).isEqualTo(90);
  }

  @Test
  void unknownKeyIsNamedWithItsLineAndASuggestion() {
    JobSpecException e =
        errorsOf(
            """
            name: x
            team: t
            command: [echo]
            resources:
              gpu: 2
            """);

    assertThat(e.errors())
        .singleElement()
        .satisfies(
            err -> {
              assertThat(err.field()).isEqualTo("resources.gpu");
              assertThat(err.line()).isEqualTo(5);
              assertThat(err.message()).contains("unknown key").contains("did you mean 'gpus'?");
            });
    assertThat(e.getMessage())
        .isEqualTo("spec.yaml: line 5: resources.gpu: " + e.errors().get(0).message());
  }

  @Test
  void wrongTypesAreNamedWithTheirLines() {
    JobSpecException e =
        errorsOf(
            """
            name: x
            team: t
            command: python3 train.py
            resources:
              gpus: four
            deferrable: maybe
            maxRuntime: 3 days
            """);

    assertThat(e.errors())
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("command", 3),
            org.assertj.core.groups.Tuple.tuple("resources.gpus", 5),
            org.assertj.core.groups.Tuple.tuple("deferrable", 6),
            org.assertj.core.groups.Tuple.tuple("maxRuntime", 7));
    assertThat(e.errors().get(0).message()).contains("expected a list").contains("argv");
    assertThat(e.errors().get(1).message()).contains("expected a whole number").contains("four");
  }

  @Test
  void spotWaitIsADurationForSpotOkJobsWithoutADeadline() throws Exception {
    JobSpec spec = parser.parse("name: a\nteam: t\ncommand: [x]\nspotWait: 30m\n", "a.yaml");
    assertThat(spec.getSpotWait().getSeconds()).isEqualTo(30 * 60);
    assertThat(parser.parse(JobSpecDocument.toYaml(spec), "again")).isEqualTo(spec);
    JobSpec zero = parser.parse("name: a\nteam: t\ncommand: [x]\nspotWait: 0s\n", "a.yaml");
    assertThat(zero.hasSpotWait()).as("0s is set: take any capacity at once").isTrue();
    assertThat(parser.parse("name: a\nteam: t\ncommand: [x]\n", "a.yaml").hasSpotWait()).isFalse();

    JobSpecException e =
        errorsOf(
            """
            name: x
            team: t
            command: [x]
            spotWait: soon
            """);
    assertThat(e.errors())
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("spotWait", 4));
    assertThat(e.errors().getFirst().message())
        .contains("expected a duration like 0s")
        .contains("soon");
    assertThat(errorsOf("name: x\nteam: t\ncommand: [x]\nspotWait: [30m]\n").errors())
        .extracting(SpecError::field)
        .containsExactly("spotWait");
    assertThat(errorsOf("name: x\nteam: t\ncommand: [x]\nspotWait: 200h\n").errors())
        .extracting(SpecError::message)
        .containsExactly("must be between 0s and 168h (7 days)");
    assertThat(
            errorsOf("name: x\nteam: t\ncommand: [x]\ncapacity: on-demand\nspotWait: 1h\n")
                .errors())
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("spotWait", 5));
    assertThat(
            errorsOf(
                    "name: x\nteam: t\ncommand: [x]\ndeadline: 2026-12-01T08:00:00Z\nspotWait:"
                        + " 1h\n")
                .errors())
        .extracting(SpecError::message)
        .containsExactly(
            "a job with a deadline waits for spot while its deadline allows; leave spotWait out");
  }

  @Test
  void aWrittenCostCapMustBeAboveZero() throws Exception {
    String head = "name: a\nteam: t\ncommand: [x]\n";
    assertThat(parser.parse(head + "maxCostUsd: 0.25\n", "a.yaml").getMaxCostUsd()).isEqualTo(0.25);
    assertThat(errorsOf(head + "maxCostUsd: 0\n").errors())
        .extracting(SpecError::field, SpecError::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "maxCostUsd", "must be more than 0 US dollars, got 0.0 (leave it out for no cap)"));
    assertThat(errorsOf(head + "maxCostUsd: -3\n").errors())
        .extracting(SpecError::field)
        .containsExactly("maxCostUsd");
  }

  @Test
  void anArrayIsASlurmStringOrAMapping() throws Exception {
    String head = "name: sweep\nteam: vision\ncommand: [train]\n";
    JobSpec short_ = parser.parse(head + "array: \"0-49%8\"\n", "a.yaml");
    JobSpec long_ = parser.parse(head + "array: {indices: \"0-49\", parallel: 8}\n", "b.yaml");

    assertThat(short_.getArray().getIndices()).isEqualTo("0-49");
    assertThat(short_.getArray().getParallel()).isEqualTo(8);
    assertThat(long_).isEqualTo(short_);
    assertThat(parser.parse(head + "array: {indices: 1-3}\n", "c.yaml").getArray().getParallel())
        .isZero();
  }

  @Test
  void aBadArrayNamesItsField() {
    String head = "name: sweep\nteam: vision\ncommand: [train]\n";

    assertThat(errorsOf(head + "array: \"9-0\"\n").errors())
        .extracting(SpecError::field)
        .containsExactly("array");
    assertThat(errorsOf(head + "array: {indices: \"0-9\", parallel: 0}\n").errors())
        .extracting(SpecError::field)
        .containsExactly("array.parallel");
    assertThat(errorsOf(head + "array: {parallel: 2}\n").errors())
        .extracting(SpecError::field)
        .containsExactly("array.indices");
    assertThat(errorsOf(head + "array: {indices: \"0-9\", paralel: 2}\n").errors())
        .extracting(SpecError::field)
        .contains("array.paralel");
  }

  @Test
  void impossibleValuesAreRejected() {
    JobSpecException e =
        errorsOf(
            """
            name: x
            team: Vision Team
            command: [train]
            resources:
              gpus: 100
              nodes: 0
            priority: urgent
            checkpoint:
              graceSeconds: 300
            """);

    assertThat(e.errors())
        .extracting(SpecError::field)
        .containsExactly(
            "team", "resources.gpus", "resources.nodes", "priority", "checkpoint.graceSeconds");
  }

  @Test
  void semanticRulesKeepTheirLines() {
    JobSpecException e =
        errorsOf(
            """
            name: x
            team: Vision Team
            command: [train]
            checkpoint:
              graceSeconds: 300
            env:
              TERN_JOB_ID: mine
            """);

    assertThat(e.errors())
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("team", 2),
            org.assertj.core.groups.Tuple.tuple("checkpoint.graceSeconds", 5),
            org.assertj.core.groups.Tuple.tuple("env.TERN_JOB_ID", 7));
    assertThat(e.errors().get(1).message()).contains("120-second spot reclaim notice");
  }

  @Test
  void missingRequiredKeysAreEachReported() {
    JobSpecException e = errorsOf("resources: {gpus: 1}\n");

    assertThat(e.errors()).extracting(SpecError::field).containsExactly("name", "team", "command");
  }

  @Test
  void duplicateKeysAreErrors() {
    JobSpecException e = errorsOf("name: a\nname: b\nteam: t\ncommand: [x]\n");

    assertThat(e.errors())
        .singleElement()
        .satisfies(
            err -> {
              assertThat(err.field()).isEqualTo("name");
              assertThat(err.line()).isEqualTo(2);
              assertThat(err.message()).contains("more than once");
            });
  }

  @Test
  void malformedYamlNamesTheLine() {
    JobSpecException e = errorsOf("name: a\nteam: [unclosed\ncommand: [x]\n");

    assertThat(e.errors())
        .singleElement()
        .satisfies(
            err -> {
              assertThat(err.line()).isGreaterThan(1);
              assertThat(err.message()).startsWith("is not valid YAML");
            });
  }

  @Test
  void yamlTagsThatConstructObjectsAreRefused() {
    assertThatThrownBy(
            () ->
                parser.parse(
                    "name: !!javax.script.ScriptEngineManager [x]\nteam: t\ncommand: [x]\n",
                    "evil"))
        .isInstanceOf(JobSpecException.class);
  }

  @Test
  void aliasBombIsRefused() {
    StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char prev = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [");
      yaml.append(String.join(", ", List.of("*" + prev, "*" + prev, "*" + prev, "*" + prev)));
      yaml.append("]\n");
    }
    assertThatThrownBy(() -> parser.parse(yaml.toString(), "bomb"))
        .isInstanceOf(JobSpecException.class);
  }

  @Test
  void emptyDocumentIsAnError() {
    assertThat(errorsOf("").errors())
        .singleElement()
        .extracting(SpecError::message)
        .isEqualTo("is empty");
  }

  @Test
  void envValuesKeepTheirTextAndSignalsAreNormalized() throws Exception {
    JobSpec spec =
        parser.parse(
            "name: a\nteam: t\ncommand: [x]\nenv: {PORT: 8080, DEBUG: true}\n"
                + "checkpoint: {signal: usr2, graceSeconds: 5}\n",
            "s");

    assertThat(spec.getEnvMap()).containsEntry("PORT", "8080").containsEntry("DEBUG", "true");
    assertThat(spec.getCheckpoint().getSignal()).isEqualTo("SIGUSR2");
  }

  @Test
  void dependsOnTakesJobIdsWithOptionalTypesAndNamesABadOne() throws Exception {
    JobSpec spec =
        parser.parse(
            "name: a\nteam: t\ncommand: [x]\ndependsOn: [job-000041, afterany:job-000042]\n",
            "a.yaml");
    JobSpecException badType =
        errorsOf("name: a\nteam: t\ncommand: [x]\ndependsOn: [job-1, afterwhen:job-2]\n");
    JobSpecException twice =
        errorsOf("name: a\nteam: t\ncommand: [x]\ndependsOn: [job-1, afterany:job-1]\n");

    assertThat(spec.getDependsOnList())
        .extracting(d -> d.getJobId() + " " + d.getType())
        .containsExactly(
            "job-000041 DEPENDENCY_TYPE_AFTER_OK", "job-000042 DEPENDENCY_TYPE_AFTER_ANY");
    assertThat(JobSpecDocument.toMap(spec))
        .containsEntry("dependsOn", java.util.List.of("afterok:job-000041", "afterany:job-000042"));
    assertThat(badType.errors())
        .extracting(err -> err.field() + ": " + err.message())
        .containsExactly(
            "dependsOn[1]: 'afterwhen' is not a dependency type: afterok, afterany or afternotok");
    assertThat(twice.errors())
        .extracting(err -> err.field() + ": " + err.message())
        .containsExactly("dependsOn[1]: job-1 is listed twice");
  }

  private JobSpecException errorsOf(String yaml) {
    JobSpecException e =
        catchThrowableOfType(JobSpecException.class, () -> parser.parse(yaml, "spec.yaml"));
    assertThat(e).as("expected the spec to be rejected").isNotNull();
    return e;
  }
}
