package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import org.junit.jupiter.api.Test;

/** The rules the scheduler applies to a spec that arrives as a proto message, without YAML. */
class JobSpecValidatorTest {
  private static JobSpec.Builder valid() {
    return JobSpecDefaults.normalize(
        JobSpec.newBuilder()
            .setName("ok")
            .setTeam("vision")
            .addCommand("python3")
            .setResources(Resources.newBuilder().setGpus(1))
            .build())
        .toBuilder();
  }

  @Test
  void aValidSpecHasNoErrors() {
    assertThat(JobSpecValidator.validate(valid().build())).isEmpty();
  }

  @Test
  void errorsHaveNoLineButNameTheField() {
    assertThat(JobSpecValidator.validate(valid().clearCommand().setTeam("").build()))
        .extracting(SpecError::field, SpecError::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("team", 0),
            org.assertj.core.groups.Tuple.tuple("command", 0));
  }

  @Test
  void durationsProtobufDoesNotAllowAreRefusedNamingTheKey() {
    com.google.protobuf.Duration tooManyNanos =
        com.google.protobuf.Duration.newBuilder().setSeconds(5).setNanos(2_000_000_000).build();
    com.google.protobuf.Duration mixedSigns =
        com.google.protobuf.Duration.newBuilder().setSeconds(60).setNanos(-1).build();
    JobSpec spec =
        valid()
            .setMaxRuntime(tooManyNanos)
            .setSpotWait(mixedSigns)
            .setCheckpoint(
                CheckpointPolicy.newBuilder()
                    .setSignal("SIGUSR1")
                    .setGrace(mixedSigns)
                    .setInterval(tooManyNanos))
            .build();

    assertThat(JobSpecValidator.validate(spec))
        .extracting(SpecError::toString)
        .containsExactlyInAnyOrder(
            "checkpoint.graceSeconds: is not a valid duration (seconds 60, nanos -1): nanos must"
                + " lie within one second, with the sign of seconds",
            "checkpoint.intervalMinutes: is not a valid duration (seconds 5, nanos 2000000000):"
                + " nanos must lie within one second, with the sign of seconds",
            "maxRuntime: is not a valid duration (seconds 5, nanos 2000000000): nanos must lie"
                + " within one second, with the sign of seconds",
            "spotWait: is not a valid duration (seconds 60, nanos -1): nanos must lie within one"
                + " second, with the sign of seconds");
  }

  @Test
  void aCheckpointIntervalUnderAMinuteIsRefused() {
    for (long nanos : new long[] {1, 59_000_000_000L}) {
      assertThat(JobSpecValidator.validate(checkpointingEvery(nanos)))
          .extracting(SpecError::toString)
          .singleElement()
          .asString()
          .startsWith("checkpoint.intervalMinutes: must be between 1 and ");
    }
    assertThat(JobSpecValidator.validate(checkpointingEvery(60_000_000_000L))).isEmpty();
  }

  private static JobSpec checkpointingEvery(long nanos) {
    return valid()
        .setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(30))
                .setInterval(
                    com.google.protobuf.Duration.newBuilder()
                        .setSeconds(nanos / 1_000_000_000L)
                        .setNanos((int) (nanos % 1_000_000_000L))))
        .build();
  }

  @Test
  void aSubmittedSpecMayNotSetWhatTheSchedulerSetsOnArrayTasks() {
    JobSpec spec =
        valid()
            .setArray(
                io.tern.api.v1.ArraySpec.newBuilder()
                    .setIndices("0-3")
                    .setTaskIndex(2)
                    .setArrayId("job-000009"))
            .build();
    assertThat(JobSpecValidator.schedulersOwn(spec))
        .extracting(SpecError::toString)
        .containsExactly(
            "array.taskIndex: is set by the scheduler on each task it creates; leave it out",
            "array.arrayId: is set by the scheduler on each task it creates; leave it out");
    assertThat(
            JobSpecValidator.schedulersOwn(
                valid().setArray(io.tern.api.v1.ArraySpec.newBuilder().setIndices("0-3")).build()))
        .isEmpty();
  }

  @Test
  void aDurationBeyondProtobufsRangeIsReportedAsTooLong() {
    com.google.protobuf.Duration huge =
        com.google.protobuf.Duration.newBuilder().setSeconds(1_000_000_000_000L).build();

    assertThat(JobSpecValidator.validate(valid().setMaxRuntime(huge).setSpotWait(huge).build()))
        .extracting(SpecError::toString)
        .containsExactlyInAnyOrder(
            "maxRuntime: must be at most 366 days (8784h), got 1000000000000s",
            "spotWait: is too large: 1000000000000s is beyond the longest duration,"
                + " 315576000000s (10,000 years)");
  }

  @Test
  void teamNamesFollowTheSpecsRule() {
    assertThat(JobSpecValidator.teamProblem("vision-2")).isEmpty();
    assertThat(JobSpecValidator.teamProblem("NO SUCH"))
        .hasValue(
            "may contain only lower-case letters, digits, '_' and '-' (and start with one), got"
                + " \"NO SUCH\"");
  }

  @Test
  void aDeadlineMustLieAfterTheSchedulersNow() {
    java.time.Instant now = java.time.Instant.parse("2026-12-01T00:00:00Z");
    JobSpec epoch = valid().setDeadline(com.google.protobuf.Timestamp.newBuilder()).build();
    JobSpec tomorrow =
        valid()
            .setDeadline(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(now.plusSeconds(86_400).getEpochSecond()))
            .build();

    assertThat(JobSpecValidator.validate(epoch, now))
        .extracting(SpecError::toString)
        .containsExactly(
            "deadline: 1970-01-01T00:00:00Z has passed (it is 2026-12-01T00:00:00Z); a deadline"
                + " is the time the job must finish by");
    assertThat(JobSpecValidator.validate(epoch)).isEmpty();
    assertThat(JobSpecValidator.validate(tomorrow, now)).isEmpty();
  }

  @Test
  void aDeadlineProtobufDoesNotAllowSaysWhichPartIsWrong() {
    JobSpec badNanos =
        valid()
            .setDeadline(
                com.google.protobuf.Timestamp.newBuilder().setSeconds(2_000_000_000L).setNanos(-1))
            .build();
    JobSpec year10000 =
        valid()
            .setDeadline(com.google.protobuf.Timestamp.newBuilder().setSeconds(253_402_300_800L))
            .build();

    assertThat(JobSpecValidator.validate(badNanos))
        .extracting(SpecError::toString)
        .containsExactly(
            "deadline: is not a valid time (nanos -1): nanos must lie between 0 and 999999999");
    assertThat(JobSpecValidator.validate(year10000))
        .extracting(SpecError::toString)
        .containsExactly("deadline: must be a time between 1970 and 9999");
  }

  @Test
  void shareableNeedsExactlyOneGpu() {
    JobSpec spec =
        valid()
            .setShareable(true)
            .setResources(Resources.newBuilder().setGpus(2).setNodes(1))
            .build();
    assertThat(JobSpecValidator.validate(spec))
        .extracting(SpecError::field)
        .containsExactly("shareable");
  }

  @Test
  void longGraceIsFineOnDemandButNotOnSpot() {
    CheckpointPolicy longGrace =
        CheckpointPolicy.newBuilder()
            .setSignal("SIGUSR1")
            .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(300))
            .build();
    assertThat(JobSpecValidator.validate(valid().setCheckpoint(longGrace).build()))
        .extracting(SpecError::field)
        .containsExactly("checkpoint.graceSeconds");
    assertThat(
            JobSpecValidator.validate(
                valid()
                    .setCheckpoint(longGrace)
                    .setCapacity(CapacityPreference.CAPACITY_ON_DEMAND)
                    .build()))
        .isEmpty();
  }

  @Test
  void unknownSignalIsRejected() {
    JobSpec spec =
        valid()
            .setCheckpoint(
                CheckpointPolicy.newBuilder()
                    .setSignal("SIGKILL")
                    .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(10)))
            .build();
    assertThat(JobSpecValidator.validate(spec))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("SIGUSR1").contains("SIGKILL"));
  }

  @Test
  void cpuOnlyJobCannotAskForGpuModels() {
    JobSpec spec =
        valid().setResources(Resources.newBuilder().setNodes(1).addGpuModels("H100")).build();
    assertThat(JobSpecValidator.validate(spec))
        .extracting(SpecError::field)
        .containsExactly("resources.gpus");
  }
}
