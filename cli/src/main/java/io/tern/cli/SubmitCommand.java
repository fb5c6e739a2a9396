package io.tern.cli;

import io.grpc.StatusRuntimeException;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.ClientOptions;
import io.tern.cli.client.IdempotencyKeys;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.SchedulerUnavailableException;
import io.tern.scheduler.spec.ArraySyntax;
import io.tern.scheduler.spec.JobSpecDocument;
import io.tern.scheduler.spec.JobSpecException;
import io.tern.scheduler.spec.JobSpecParser;
import io.tern.scheduler.spec.SpecError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern submit}: queue a job from a YAML spec, or from flags and a command. */
@Command(
    name = "submit",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Queue a job and print its id. The job is described by a YAML spec file (see"
          + " examples/specs/) or by flags followed by '--' and the command to run.",
      "",
      "Examples:",
      "  tern submit examples/specs/resnet50-imagenet.yaml",
      "  tern submit --dry-run examples/specs/resnet50-imagenet.yaml",
      "  tern submit --dry-run -o json examples/specs/nightly-eval.yaml",
      "  tern submit --dry-run --name probe --team vision --gpus 1 -- python3 probe.py --quick",
      ""
    })
final class SubmitCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec commandSpec;

  @Parameters(
      paramLabel = "JOB.yaml | -- CMD ARGS",
      arity = "0..*",
      description =
          "A job spec file ('-' reads stdin); or, after spec flags and '--', the command and"
              + " its arguments.")
  List<String> arguments = new ArrayList<>();

  @Option(
      names = "--dry-run",
      description = "Validate and print the normalized spec; submit nothing.")
  boolean dryRun;

  @ArgGroup(exclusive = false, heading = "%nSpec flags (instead of a spec file):%n")
  SpecFlags flags;

  @Mixin OutputOptions output;

  @Mixin ClientOptions client;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description =
          "Makes the submission safe to repeat: a second submit with the same key returns the first"
              + " job. Default: a fresh key per invocation.")
  String idempotencyKey;

  @Option(
      names = "--allow-unfit",
      description =
          "Queue the job even if no node and no pool could ever hold it, or it cannot finish by"
              + " its deadline (both refused otherwise).")
  boolean allowUnfit;

  @Option(
      names = "--array",
      paramLabel = "INDICES[%N]",
      description =
          "Run the job once per index, at most N at once (Slurm's --array): 0-99%%8, 1,3,5-9,"
              + " 0-20:5. Each task gets TERN_ARRAY_INDEX. Replaces the spec's array:.")
  String array;

  private final JobSpecParser parser = new JobSpecParser();

  @Override
  public Integer call() throws JobSpecException, IOException {
    JobSpec spec = withArray(flags == null ? fromFile() : fromFlags());
    var out = commandSpec.commandLine().getOut();
    if (!dryRun) {
      return submit(spec, out);
    }
    switch (output.format()) {
      case json -> out.println(OutputOptions.toJson(JobSpecDocument.toMap(spec)));
      case yaml -> out.print(JobSpecDocument.toYaml(spec));
      case table -> {
        out.println("# " + spec.getName() + ": valid. The spec as the scheduler will store it:");
        out.print(JobSpecDocument.toYaml(spec));
      }
    }
    out.flush();
    return 0;
  }

  private int submit(JobSpec spec, java.io.PrintWriter out) {
    // One key per invocation: the client's own retries (leader changes) cannot create it twice.
    String key = idempotencyKey != null ? idempotencyKey : IdempotencyKeys.fresh();
    SubmitJobRequest request =
        SubmitJobRequest.newBuilder()
            .setSpec(spec)
            .setIdempotencyKey(key)
            .setAllowUnfit(allowUnfit)
            .build();
    try (SchedulerClient scheduler = client.connect()) {
      SubmitJobResponse response =
          scheduler.call(c -> JobServiceGrpc.newBlockingStub(c).submitJob(request));
      if (output.format() == OutputFormat.json) {
        out.println(Protos.json(response));
      } else {
        out.println(
            response.getArrayId().isEmpty() ? response.getJob().getId() : response.getArrayId());
      }
      out.flush();
      return 0;
    } catch (StatusRuntimeException e) {
      // Unreachable or leaderless: the job was not submitted. Otherwise the scheduler answered.
      throw new IllegalStateException(
          e instanceof SchedulerUnavailableException
              ? "the job was not submitted: " + e.getMessage()
              : "the scheduler refused the job: " + CallFailures.describe(e),
          e);
    }
  }

  private JobSpec withArray(JobSpec spec) {
    if (array == null) {
      return spec;
    }
    ArraySyntax.Result parsed = ArraySyntax.parse(array);
    if (parsed.problem() != null) {
      throw new UserInputException("--array: " + parsed.problem());
    }
    return spec.toBuilder().setArray(parsed.spec()).build();
  }

  private JobSpec fromFile() throws JobSpecException, IOException {
    if (arguments.size() != 1) {
      throw new UserInputException(
          arguments.isEmpty()
              ? "give a job spec file (JOB.yaml), or --name, --team and the command after '--'"
              : "expected one spec file, got "
                  + arguments.size()
                  + " arguments: "
                  + arguments
                  + " (to give the command on the line, use --name, --team and '--')");
    }
    String file = arguments.get(0);
    return parser.parse(read(file), file);
  }

  private JobSpec fromFlags() throws JobSpecException {
    if (arguments.isEmpty()) {
      throw new UserInputException("give the command to run after '--', e.g. -- python3 train.py");
    }
    String yaml = flags.toYaml(arguments);
    try {
      return parser.parse(yaml, "flags");
    } catch (JobSpecException e) {
      // The flags were turned into a spec document; name the flags, not that document's keys.
      List<SpecError> renamed =
          e.errors().stream()
              .map(err -> SpecError.of(SpecFlags.flagFor(err.field()), err.message()))
              .toList();
      throw new JobSpecException("tern submit", renamed);
    }
  }

  private static String read(String file) throws IOException {
    if (file.equals("-")) {
      try (InputStream in = System.in) {
        return new String(in.readNBytes(JobSpecParser.MAX_SPEC_BYTES + 1), StandardCharsets.UTF_8);
      }
    }
    Path path = Path.of(file);
    if (Files.isDirectory(path)) {
      throw new UserInputException(file + ": is a directory, not a job spec (a YAML file)");
    }
    try {
      if (Files.size(path) > JobSpecParser.MAX_SPEC_BYTES) {
        throw new UserInputException(file + ": larger than a job spec can be (256 KiB)");
      }
      return Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new UserInputException(file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new UserInputException(
          file + ": not a text file (it is not UTF-8); a job spec is a YAML file");
    } catch (AccessDeniedException e) {
      throw new UserInputException(file + ": permission denied");
    }
  }
}
