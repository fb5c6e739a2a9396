package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tern.api.v1.JobSpec;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The scheduler validates specs that arrive as proto messages, from any client: whatever the
 * message, {@link JobSpecValidator#validate} answers with at most {@link
 * SpecLimits#MAX_REPORTED_ERRORS} short, one-line errors, and a spec it accepts reads back from its
 * YAML form unchanged.
 */
class JobSpecValidatorPropertyTest {
  private final JobSpecParser parser = new JobSpecParser();

  @Property(tries = 3000, seed = "31")
  void anyProtoSpecGetsBoundedFieldErrorsOrRoundTrips(@ForAll("specs") JobSpec spec)
      throws Exception {
    JobSpec normalized = JobSpecDefaults.normalize(spec);
    List<SpecError> errors = JobSpecValidator.validate(normalized);

    assertThat(errors).hasSizeLessThanOrEqualTo(SpecLimits.MAX_REPORTED_ERRORS + 1);
    for (SpecError error : errors) {
      assertThat(error.toString()).hasSizeLessThan(400).doesNotContain("\n", "\u0000");
    }
    if (errors.isEmpty()) {
      assertThat(parser.parse(JobSpecDocument.toYaml(normalized), "accepted"))
          .isEqualTo(
              normalized.toBuilder()
                  .setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
                  .build());
    }
  }

  /** Random bytes read as a JobSpec: unknown fields, odd enums, strings of any content. */
  @Provide
  Arbitrary<JobSpec> specs() {
    Arbitrary<JobSpec> fromBytes =
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMaxSize(300)
            .map(
                bytes -> {
                  try {
                    return JobSpec.parseFrom(bytes);
                  } catch (InvalidProtocolBufferException e) {
                    return JobSpec.getDefaultInstance();
                  }
                });
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(80),
            Arbitraries.strings().alpha().numeric().withChars("._-/").ofMaxLength(70));
    Arbitrary<JobSpec> fromFields =
        net.jqwik.api.Combinators.combine(
                text,
                text,
                text.list().ofMaxSize(5),
                text,
                Arbitraries.maps(text, text).ofMaxSize(4),
                Arbitraries.integers().between(-2, 70),
                Arbitraries.doubles(),
                Arbitraries.integers().between(-1, 200))
            .as(
                (name, team, command, workdir, env, gpus, cost, retries) -> {
                  JobSpec.Builder b =
                      JobSpec.newBuilder()
                          .setName(name)
                          .setTeam(team)
                          .addAllCommand(command)
                          .setWorkdir(workdir)
                          .putAllEnv(env)
                          .setMaxCostUsd(cost)
                          .setRetries(retries);
                  b.getResourcesBuilder().setGpus(gpus);
                  return b.build();
                });
    // Valid names, any argument and variable text: the YAML form must carry it back unchanged.
    Arbitrary<JobSpec> plausible =
        net.jqwik.api.Combinators.combine(
                Arbitraries.of("ok", "a.b-c_1", "x"),
                Arbitraries.of("/data", "/data/v", "", "/a/./b", "/d\u00e9j\u00e0 vu/#x: y"),
                Arbitraries.strings().all().ofMaxLength(30).list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.strings().all().ofMaxLength(30))
            .as(
                (name, workdir, command, value) ->
                    JobSpec.newBuilder()
                        .setName(name)
                        .setTeam("vision")
                        .addAllCommand(command)
                        .setWorkdir(workdir)
                        .putEnv("WANDB_MODE", value)
                        .build());
    return Arbitraries.oneOf(fromBytes, fromFields, plausible);
  }
}
