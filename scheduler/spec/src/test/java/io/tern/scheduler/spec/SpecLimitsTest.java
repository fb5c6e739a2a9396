package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Each limit of {@link SpecLimits}, on both paths: a spec that arrives as a proto (the scheduler's
 * SubmitJob) and one written as YAML (the CLI). Each rejection names its key; nothing a user wrote
 * is echoed at length.
 */
class SpecLimitsTest {
  private final JobSpecParser parser = new JobSpecParser();

  private static JobSpec valid(UnaryOperator<JobSpec.Builder> change) {
    JobSpec.Builder spec =
        JobSpecDefaults.normalize(
            JobSpec.newBuilder()
                .setName("ok")
                .setTeam("vision")
                .addCommand("python3")
                .setResources(Resources.newBuilder().setGpus(1))
                .build())
            .toBuilder();
    return change.apply(spec).build();
  }

  private static List<String> fields(JobSpec spec) {
    return JobSpecValidator.validate(spec).stream().map(SpecError::field).toList();
  }

  private JobSpecException yamlErrors(String yaml) {
    JobSpecException e =
        catchThrowableOfType(JobSpecException.class, () -> parser.parse(yaml, "spec.yaml"));
    assertThat(e).as("expected the spec to be rejected").isNotNull();
    return e;
  }

  @Test
  void theBaseSpecIsValid() {
    assertThat(JobSpecValidator.validate(valid(s -> s))).isEmpty();
  }

  @Test
  void wholeSpecSizeIsLimitedAndNamesTheKeyThatTakesIt() {
    String big = "x".repeat(SpecLimits.MAX_ENV_VALUE_LENGTH - 10);
    JobSpec spec =
        valid(
            s -> {
              for (int i = 0; i < 10; i++) {
                s.putEnv("V" + i, big);
              }
              return s;
            });
    assertThat(spec.getSerializedSize()).isGreaterThan(SpecLimits.MAX_SPEC_BYTES);
    assertThat(JobSpecValidator.validate(spec))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).isEqualTo("env");
              assertThat(e.message()).contains("256 KiB");
            });
  }

  @Test
  void yamlAliasesCannotBlowASmallDocumentPastTheSizeLimit() {
    StringBuilder yaml =
        new StringBuilder("name: a\nteam: t\ncommand: [&x '")
            .append("y".repeat(SpecLimits.MAX_ARG_LENGTH))
            .append("'");
    for (int i = 1; i < SpecLimits.MAX_ARGS; i++) {
      yaml.append(", *x");
    }
    yaml.append("]\n");
    assertThat(yaml.length()).isLessThan(SpecLimits.MAX_SPEC_BYTES);

    assertThat(yamlErrors(yaml.toString()).errors())
        .extracting(SpecError::field)
        .containsExactly("command");
  }

  @Test
  void yamlTextSizeIsLimited() {
    String yaml = "name: a\nteam: t\ncommand: [x]\n#" + "é".repeat(SpecLimits.MAX_SPEC_BYTES / 2);
    assertThat(yamlErrors(yaml).errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("larger than 256 KiB"));
  }

  @Test
  void yamlDepthIsLimited() {
    String deep =
        "[".repeat(SpecLimits.MAX_YAML_DEPTH + 1) + "]".repeat(SpecLimits.MAX_YAML_DEPTH + 1);
    assertThat(yamlErrors("name: a\nteam: t\ncommand: " + deep + "\n").errors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .contains("is not valid YAML")
                    .containsIgnoringCase("depth"));
  }

  @Test
  void argumentCountIsLimited() {
    JobSpec spec =
        valid(
            s -> {
              for (int i = 0; i < SpecLimits.MAX_ARGS; i++) {
                s.addCommand("a");
              }
              return s;
            });
    assertThat(fields(spec)).containsExactly("command");
    assertThat(JobSpecValidator.validate(spec).get(0).message()).contains("at most 1024");
  }

  @Test
  void argumentLengthIsLimited() {
    JobSpec spec = valid(s -> s.addCommand("a".repeat(SpecLimits.MAX_ARG_LENGTH + 1)));
    assertThat(fields(spec)).containsExactly("command[1]");
    assertThat(fields(valid(s -> s.addCommand("a".repeat(SpecLimits.MAX_ARG_LENGTH))))).isEmpty();
  }

  @Test
  void argumentsMayNotHoldNul() {
    assertThat(fields(valid(s -> s.addCommand("a\0b")))).containsExactly("command[1]");
    assertThat(yamlErrors("name: a\nteam: t\ncommand: [x, \"y\\0z\"]\n").errors())
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("command[1]", 3));
  }

  @Test
  void textMustBeWellFormedUnicode() {
    assertThat(fields(valid(s -> s.addCommand("a\ud800b")))).containsExactly("command[1]");
    assertThat(fields(valid(s -> s.putEnv("A", "\udc00")))).containsExactly("env.A");
    assertThat(fields(valid(s -> s.setWorkdir("/data/\ud800")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.addCommand("emoji \ud83d\ude00")))).isEmpty();
  }

  @Test
  void controlCharactersRoundTripThroughTheYamlFormAndBinaryIsNotText() throws Exception {
    JobSpec spec = valid(s -> s.addCommand("tab\tbell\u0007\uffff").putEnv("E", "\u0001"));
    assertThat(parser.parse(JobSpecDocument.toYaml(spec), "printed")).isEqualTo(spec);
    assertThat(yamlErrors("name: a\nteam: t\ncommand: [x]\nenv: {E: !!binary AQ==}\n").errors())
        .extracting(SpecError::field)
        .containsExactly("env.E");
  }

  @Test
  void envEntryCountIsLimited() {
    JobSpec spec =
        valid(
            s -> {
              for (int i = 0; i <= SpecLimits.MAX_ENV_ENTRIES; i++) {
                s.putEnv("V" + i, "1");
              }
              return s;
            });
    assertThat(fields(spec)).containsExactly("env");
  }

  @Test
  void envNamesMustBeValidAndShort() {
    assertThat(fields(valid(s -> s.putEnv("1BAD", "x")))).containsExactly("env.1BAD");
    assertThat(fields(valid(s -> s.putEnv("A=B", "x")))).containsExactly("env.A=B");
    assertThat(fields(valid(s -> s.putEnv("A\0B", "x")))).containsExactly("env.A\\u0000B");
    String longName = "A".repeat(SpecLimits.MAX_ENV_NAME_LENGTH + 1);
    assertThat(JobSpecValidator.validate(valid(s -> s.putEnv(longName, "x"))))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).startsWith("env.AAA").endsWith("...");
              assertThat(e.field().length()).isLessThanOrEqualTo(4 + SpecLimits.MAX_ECHO_CHARS);
              assertThat(e.message()).contains("at most 256 characters");
            });
  }

  @Test
  void envValuesAreLimitedAndHoldNoNul() {
    assertThat(fields(valid(s -> s.putEnv("A", "x".repeat(SpecLimits.MAX_ENV_VALUE_LENGTH + 1)))))
        .containsExactly("env.A");
    assertThat(fields(valid(s -> s.putEnv("A", "x\0y")))).containsExactly("env.A");
  }

  @Test
  void namesAndTeamsHaveALengthAndACharset() {
    assertThat(fields(valid(s -> s.setName("n".repeat(SpecLimits.MAX_NAME_LENGTH + 1)))))
        .containsExactly("name");
    assertThat(fields(valid(s -> s.setName("n".repeat(SpecLimits.MAX_NAME_LENGTH))))).isEmpty();
    assertThat(fields(valid(s -> s.setName("../etc")))).containsExactly("name");
    assertThat(fields(valid(s -> s.setName("a b")))).containsExactly("name");
    assertThat(fields(valid(s -> s.setTeam("t".repeat(SpecLimits.MAX_NAME_LENGTH + 1)))))
        .containsExactly("team");
    assertThat(fields(valid(s -> s.setTeam("Vision")))).containsExactly("team");
    assertThat(fields(valid(s -> s.setTeam("a\nb")))).containsExactly("team");
  }

  @Test
  void workdirHasALengthAndAForm() {
    assertThat(fields(valid(s -> s.setWorkdir("/" + "d".repeat(SpecLimits.MAX_WORKDIR_LENGTH)))))
        .containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("relative/dir")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("/data/../etc")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("/data/./x")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("/data\0/x")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("/data\n/x")))).containsExactly("workdir");
    assertThat(fields(valid(s -> s.setWorkdir("/data/vision/")))).isEmpty();
    assertThat(fields(valid(s -> s.setWorkdir("/data/..hidden")))).isEmpty();
  }

  @Test
  void gpuModelsAreLimitedInCountAndLength() {
    assertThat(
            fields(
                valid(
                    s -> {
                      for (int i = 0; i <= SpecLimits.MAX_GPU_MODELS; i++) {
                        s.getResourcesBuilder().addGpuModels("M" + i);
                      }
                      return s;
                    })))
        .containsExactly("resources.gpuModels");
    assertThat(
            fields(
                valid(
                    s -> {
                      s.getResourcesBuilder()
                          .addGpuModels("M".repeat(SpecLimits.MAX_GPU_MODEL_LENGTH + 1));
                      return s;
                    })))
        .containsExactly("resources.gpuModels[0]");
  }

  @Test
  void runtimeCostDeadlineAndIntervalAreBounded() {
    long tooLong = (SpecLimits.MAX_RUNTIME_DAYS + 1) * 86_400L;
    assertThat(fields(valid(s -> s.setMaxRuntime(Duration.newBuilder().setSeconds(tooLong)))))
        .containsExactly("maxRuntime");
    assertThat(fields(valid(s -> s.setMaxCostUsd(SpecLimits.MAX_COST_USD + 1.0))))
        .containsExactly("maxCostUsd");
    assertThat(fields(valid(s -> s.setMaxCostUsd(Double.NaN)))).containsExactly("maxCostUsd");
    assertThat(fields(valid(s -> s.setDeadline(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)))))
        .containsExactly("deadline");
    assertThat(fields(valid(s -> s.setDeadline(Timestamp.newBuilder().setNanos(-1)))))
        .containsExactly("deadline");
    assertThat(
            fields(
                valid(
                    s -> {
                      s.getCheckpointBuilder()
                          .setSignal("SIGUSR1")
                          .setGrace(Duration.newBuilder().setSeconds(10))
                          .setInterval(Duration.newBuilder().setSeconds(Long.MAX_VALUE));
                      return s;
                    })))
        .containsExactly("checkpoint.intervalMinutes");
    assertThat(yamlErrors("name: a\nteam: t\ncommand: [x]\nmaxRuntime: 9999d\n").errors())
        .extracting(SpecError::field)
        .containsExactly("maxRuntime");
    assertThat(
            yamlErrors("name: a\nteam: t\ncommand: [x]\ndeadline: +20000-01-01T00:00:00Z\n")
                .errors())
        .extracting(SpecError::field)
        .containsExactly("deadline");
  }

  @Test
  void errorsAreCappedAndEchoNoLongOrControlText() {
    JobSpec spec =
        valid(
            s -> {
              for (int i = 0; i < 100; i++) {
                s.addCommand("x\0");
              }
              return s.setName("bad\u001b[31m" + "z".repeat(30));
            });
    List<SpecError> errors = JobSpecValidator.validate(spec);
    assertThat(errors).hasSize(SpecLimits.MAX_REPORTED_ERRORS + 1);
    assertThat(errors.get(SpecLimits.MAX_REPORTED_ERRORS).message())
        .isEqualTo("and 81 more problems not listed");
    assertThat(errors.stream().mapToInt(e -> e.toString().length()).sum()).isLessThan(4096);
    assertThat(errors.get(0).field()).isEqualTo("name");
    assertThat(errors.get(0).message()).contains("bad\\u001b[31mzz").doesNotContain("\u001b");
    assertThat(JobSpecValidator.validate(valid(s -> s.setWorkdir("rel/" + "z".repeat(10_000)))))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).hasSizeLessThan(100));
  }

  @Test
  void longUnknownKeysAndValuesAreCutInYamlErrors() {
    String key = "k".repeat(1000); // YAML itself refuses implicit keys of more than 1024
    JobSpecException e =
        yamlErrors(
            "name: a\nteam: t\ncommand: [x]\n"
                + key
                + ": 1\npriority: \""
                + "p".repeat(100_000)
                + "\\e\"\n");
    assertThat(e.getMessage()).hasSizeLessThan(1000).doesNotContain("\u001b");
    assertThat(e.errors()).extracting(SpecError::line).containsExactly(4, 5);
  }

  @Test
  void longDurationsAndNumbersAreRejectedQuickly() {
    String yaml =
        "name: a\nteam: t\ncommand: [x]\nmaxRuntime: "
            + "1s".repeat(50_000)
            + "\nretries: "
            + "9".repeat(100_000)
            + "\n";
    assertThat(yamlErrors(yaml).errors())
        .extracting(SpecError::field)
        .containsExactly("maxRuntime", "retries");
  }
}
