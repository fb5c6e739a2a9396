package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitCommandTest {
  private static final String EXAMPLE = "../examples/specs/resnet50-imagenet.yaml";

  @TempDir Path dir;

  @Test
  void dryRunPrintsTheNormalizedSpecAsJson() throws Exception {
    Run run = tern("submit", "--dry-run", "-o", "json", EXAMPLE);

    assertThat(run.exit).isZero();
    JsonNode spec = new ObjectMapper().readTree(run.out);
    assertThat(spec.get("name").asText()).isEqualTo("resnet50-imagenet");
    assertThat(spec.at("/resources/gpus").asInt()).isEqualTo(4);
    assertThat(spec.at("/checkpoint/signal").asText()).isEqualTo("SIGUSR1");
    assertThat(spec.get("maxRuntime").asText()).isEqualTo("48h");
    assertThat(run.err).isEmpty();
  }

  @Test
  void dryRunTablePrintsYamlThatParsesBack() throws Exception {
    Run run = tern("submit", "--dry-run", EXAMPLE);

    assertThat(run.exit).isZero();
    assertThat(run.out).startsWith("# resnet50-imagenet: a valid spec (whether a node or pool");
    Path again = dir.resolve("again.yaml");
    Files.writeString(again, run.out);
    assertThat(tern("submit", "--dry-run", "-o", "yaml", again.toString()).out)
        .isEqualTo(tern("submit", "--dry-run", "-o", "yaml", EXAMPLE).out);
  }

  @Test
  void wrongTypeExitsTwoNamingTheFieldAndLine() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, "name: x\nteam: t\ncommand: [run]\nresources:\n  gpus: lots\n");

    Run run = tern("submit", "--dry-run", spec.toString());

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("bad.yaml: line 5: resources.gpus: expected a whole number");
    assertThat(run.out).isEmpty();
  }

  @Test
  void aSpecFileGivenWithSpecFlagsIsNotRunAsTheCommand() {
    Run run = tern("submit", "--dry-run", "--name", "other", "--team", "vision", EXAMPLE);

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .contains(EXAMPLE + ": a job spec file given with spec flags; give the spec file alone");
    assertThat(run.out).isEmpty();
  }

  @Test
  void aDryRunRefusesADeadlineTheJobCannotMakeAsTheSchedulerWould() {
    String soon = java.time.Instant.now().plus(java.time.Duration.ofHours(1)).toString();
    String[] flags = {
      "submit",
      "--dry-run",
      "--name",
      "p",
      "--team",
      "vision",
      "--deadline",
      soon,
      "--max-runtime",
      "3h",
      "--",
      "true"
    };

    Run run = tern(flags);

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .contains("--deadline: " + soon + " is 59 min away, and the job may run 3 h")
        .contains("(--allow-unfit queues it anyway)");
    assertThat(run.out).isEmpty();
    String[] allowed = java.util.Arrays.copyOf(flags, flags.length + 1, String[].class);
    System.arraycopy(flags, 2, allowed, 3, flags.length - 2);
    allowed[2] = "--allow-unfit";
    assertThat(tern(allowed).exit).isZero();
    Run passed =
        tern(
            "submit",
            "--dry-run",
            "--allow-unfit",
            "--name",
            "p",
            "--team",
            "v",
            "--deadline",
            "2020-01-01T00:00:00Z",
            "--",
            "true");
    assertThat(passed.exit).isEqualTo(2);
    assertThat(passed.err).contains("--deadline: 2020-01-01T00:00:00Z has passed (it is ");
    assertThat(
            tern(
                    "submit",
                    "--dry-run",
                    "--max-cost",
                    "0",
                    "--name",
                    "p",
                    "--team",
                    "v",
                    "--",
                    "true")
                .err)
        .contains("--max-cost: must be more than 0 US dollars, got 0.0 (leave it out for no cap)");
  }

  @Test
  void anEnvFlagWithoutAnEqualsSignNamesTheFlag() throws Exception {
    Run bad =
        tern("submit", "--dry-run", "--name", "p", "--team", "v", "--env", "NOEQUALS", "--", "x");
    assertThat(bad.exit).isEqualTo(2);
    assertThat(bad.err).contains("--env: expected KEY=VALUE, got 'NOEQUALS'");

    Run good =
        tern(
            "submit",
            "--dry-run",
            "-o",
            "json",
            "--name",
            "p",
            "--team",
            "v",
            "--env",
            "A=1=2",
            "--env",
            "B=",
            "--env",
            "A=3",
            "--",
            "x");
    assertThat(good.exit).as(good.err).isZero();
    JsonNode env = new ObjectMapper().readTree(good.out).get("env");
    assertThat(env.toString()).isEqualTo("{\"A\":\"3\",\"B\":\"\"}");
  }

  @Test
  void unknownKeyExitsTwo() throws Exception {
    Path spec = dir.resolve("typo.yaml");
    Files.writeString(spec, "name: x\nteam: t\ncommand: [run]\npriorty: high\n");

    Run run = tern("submit", "--dry-run", spec.toString());

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("line 4: priorty: unknown key (did you mean 'priority'?)");
  }

  @Test
  void flagsBuildTheSameSpecAsAFile() throws Exception {
    Run run =
        tern(
            "submit",
            "--dry-run",
            "-o",
            "json",
            "--name",
            "probe",
            "--team",
            "vision",
            "--gpus",
            "2",
            "--gpu-model",
            "H100",
            "--checkpoint-grace",
            "30",
            "--env",
            "A=1",
            "--",
            "python3",
            "probe.py",
            "--quick");

    assertThat(run.exit).as(run.err).isZero();
    JsonNode spec = new ObjectMapper().readTree(run.out);
    assertThat(spec.get("command").toString()).isEqualTo("[\"python3\",\"probe.py\",\"--quick\"]");
    assertThat(spec.at("/resources/gpuModels/0").asText()).isEqualTo("H100");
    assertThat(spec.at("/checkpoint/graceSeconds").asInt()).isEqualTo(30);
    assertThat(spec.at("/env/A").asText()).isEqualTo("1");
  }

  @Test
  void checkpointGraceTakesSecondsOrADurationAndNamesTheFlagOtherwise() throws Exception {
    Run minutes =
        tern(
            "submit",
            "--dry-run",
            "-o",
            "json",
            "--name",
            "p",
            "--team",
            "vision",
            "--checkpoint-grace",
            "1m30s",
            "--",
            "x");
    Run nonsense =
        tern(
            "submit",
            "--dry-run",
            "--name",
            "p",
            "--team",
            "vision",
            "--checkpoint-grace",
            "soon",
            "--",
            "x");

    assertThat(minutes.exit).as(minutes.err).isZero();
    assertThat(new ObjectMapper().readTree(minutes.out).at("/checkpoint/graceSeconds").asInt())
        .isEqualTo(90);
    assertThat(nonsense.exit).isEqualTo(2);
    assertThat(nonsense.err).contains("--checkpoint-grace");
    Run negative =
        tern(
            "submit",
            "--dry-run",
            "--name",
            "p",
            "--team",
            "vision",
            "--checkpoint-grace=-3",
            "--",
            "x");
    assertThat(negative.exit).isEqualTo(2);
    assertThat(negative.err)
        .as("a number out of range, not 'not a whole number'")
        .contains("--checkpoint-grace")
        .contains("between 1 and 3600")
        .doesNotContain("whole number");
  }

  @Test
  void badFlagValuesNameTheFlag() {
    Run run =
        tern("submit", "--dry-run", "--name", "p", "--team", "Bad Team", "--gpus", "99", "--", "x");

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .contains("--team: may contain only")
        .contains("--gpus: must be between 0 and 64");
  }

  @Test
  void spotWaitFlagSetsTheSpecKeyAndABadOneNamesTheFlag() {
    Run run =
        tern(
            "submit",
            "--dry-run",
            "-o",
            "yaml",
            "--name",
            "p",
            "--team",
            "t",
            "--spot-wait",
            "30m",
            "--",
            "x");
    assertThat(run.exit).as(run.err).isZero();
    assertThat(run.out).contains("spotWait: 30m");

    Run bad =
        tern(
            "submit",
            "--dry-run",
            "--name",
            "p",
            "--team",
            "t",
            "--capacity",
            "on-demand",
            "--spot-wait",
            "1h",
            "--",
            "x");
    assertThat(bad.exit).isEqualTo(2);
    assertThat(bad.err).contains("--spot-wait").contains("only a spot-ok job waits for spot");
  }

  @Test
  void missingFileExitsTwo() {
    Run run = tern("submit", "--dry-run", dir.resolve("nope.yaml").toString());

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("nope.yaml: no such file");
  }

  @Test
  void unknownOptionExitsTwoWithAHint() {
    Run run = tern("submit", "--dryrun", EXAMPLE);

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("Unknown option: '--dryrun'").contains("tern submit --help");
  }

  @Test
  void aSpecFlagGivenTwiceIsNamed() {
    Run run = tern("submit", "--dry-run", "--name", "a", "--team", "t", "--name=b", "--", "true");

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .contains("option '--name' should be specified only once")
        .doesNotContain("expected only one match");
  }

  @Test
  void helpDescribesTheVerbs() {
    Run run = tern("--help");

    assertThat(run.exit).isZero();
    assertThat(run.out).contains("submit").contains("Exit codes");
  }

  @Test
  void dryRunSaysWhichDirectoryAWorkdirShipsAndRefusesABadOneAsASubmitWould(@TempDir Path tmp)
      throws Exception {
    Path code = Files.createDirectories(tmp.resolve("code"));
    Files.writeString(code.resolve("train.py"), "print(1)\n");
    Path spec = tmp.resolve("job.yaml");
    Files.writeString(spec, "name: p\nteam: vision\ncommand: [python3, train.py]\nworkdir: code\n");
    Files.writeString(
        tmp.resolve("nope.yaml"),
        "name: p\nteam: vision\ncommand: [python3, train.py]\nworkdir: ../nope\n");

    Run shipped = tern("submit", "--dry-run", "-o", "yaml", spec.toString());
    Run missing = tern("submit", "--dry-run", tmp.resolve("nope.yaml").toString());
    Run empty =
        tern("submit", "--dry-run", "--name", "p", "--team", "vision", "--workdir", "", "--", "x");

    assertThat(shipped.exit).as(shipped.err).isZero();
    assertThat(shipped.err)
        .contains("code: would ship " + code.toAbsolutePath() + " (1 files, 0.0 KiB");
    assertThat(missing.exit).isEqualTo(2);
    assertThat(missing.err).contains("workdir: ").contains("nope is not a directory");
    assertThat(empty.exit).isEqualTo(2);
    assertThat(empty.err).contains("--workdir: expected a directory, got nothing");
  }

  @Test
  void aWorkdirLimitBeyondWhatANodeUnpacksIsBadInput() {
    for (String limit : new String[] {"1001", "9999999999999"}) {
      Run run = submitToNowhere("--workdir-limit", limit);

      assertThat(run.exit).as(limit).isEqualTo(2);
      assertThat(run.err)
          .isEqualTo(
              "tern submit: --workdir-limit: at most 1000 MiB, what a node unpacks; got "
                  + limit
                  + "\n");
    }
  }

  @Test
  void anIdempotencyKeyTooLongIsBadInputBeforeAnyCall() {
    Run run = submitToNowhere("--idempotency-key", "k".repeat(257));

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .isEqualTo("tern submit: --idempotency-key: at most 256 characters, got 257\n");
    Run empty = submitToNowhere("--idempotency-key", "");
    assertThat(empty.exit).isEqualTo(2);
    assertThat(empty.err).startsWith("tern submit: --idempotency-key: expected a key, got nothing");
  }

  /**
   * {@code tern submit FLAG VALUE} of a one-line job to an address where nothing listens: what it
   * says is the client's own refusal.
   */
  private static Run submitToNowhere(String flag, String value) {
    return tern(
        "submit",
        "--scheduler",
        "127.0.0.1:1",
        flag,
        value,
        "--name",
        "x",
        "--team",
        "vision",
        "--",
        "true");
  }

  record Run(int exit, String out, String err) {}

  static Run tern(String... args) {
    TernInProcess run = TernInProcess.run(args);
    return new Run(run.exit(), run.out(), run.err());
  }
}
