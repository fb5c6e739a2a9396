package io.tern.cli;

import static io.tern.cli.CommandModels.option;
import static io.tern.cli.CommandModels.positional;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.IdempotencyKeys;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.SchedulerUnavailableException;
import io.tern.cli.jobs.JobCommands;
import io.tern.scheduler.spec.ArraySyntax;
import io.tern.scheduler.spec.DeadlineFit;
import io.tern.scheduler.spec.JobSpecDocument;
import io.tern.scheduler.spec.JobSpecException;
import io.tern.scheduler.spec.JobSpecParser;
import io.tern.scheduler.spec.JobSpecValidator;
import io.tern.scheduler.spec.SpecError;
import io.tern.scheduler.spec.SpecLimits;
import io.tern.scheduler.spec.workdir.WorkdirArchive;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** {@code tern submit}: queue a job from a YAML spec, or from flags and a command. */
final class SubmitCommand extends ClientCommand {
  List<String> arguments = new ArrayList<>();
  boolean dryRun;
  final SpecFlags flags = new SpecFlags();
  String idempotencyKey;
  boolean allowUnfit;
  String array;
  boolean noWorkdir;
  long workdirLimitMib;

  SubmitCommand() {
    super(
        "submit",
        "Queue a job and print its id. The job is described by a YAML spec file (see"
            + " examples/specs/) or by flags followed by '--' and the command to run.",
        "",
        "Examples:",
        "  tern submit examples/specs/resnet50-imagenet.yaml",
        "  tern submit --dry-run examples/specs/resnet50-imagenet.yaml",
        "  tern submit --dry-run -o json examples/specs/nightly-eval.yaml",
        "  tern submit --dry-run --name probe --team vision --gpus 1 -- python3 probe.py --quick",
        "",
        "The directory you submit from travels with the job (packed, without what .gitignore and"
            + " .ternignore leave out) when the scheduler has a --checkpoint-store; the job starts"
            + " in it on the node. A relative --workdir (or workdir: in a spec, from the spec's"
            + " directory) ships that directory instead; an absolute one is where the job runs on"
            + " the node and ships nothing, as --no-workdir does.",
        "");
  }

  @Override
  protected void declare(CommandSpec model) {
    model.usageMessage().sortOptions(false).autoWidth(true);
    model.addPositional(
        positional(List.class, () -> arguments, v -> arguments = v)
            .auxiliaryTypes(String.class)
            .arity("0..*")
            .required(false)
            .paramLabel("JOB.yaml | -- CMD ARGS")
            .description(
                "A job spec file ('-' reads stdin); or, after spec flags and '--', the command and"
                    + " its arguments.")
            .build());
    model.addOption(
        option(Boolean.class, () -> dryRun, v -> dryRun = v, "--dry-run")
            .description("Validate and print the normalized spec; submit nothing.")
            .build());
    ArgGroupSpec.Builder group =
        ArgGroupSpec.builder()
            .exclusive(false)
            .multiplicity("0..1")
            .heading("%nSpec flags (instead of a spec file):%n");
    flags.declare(group);
    model.addArgGroup(group.build());
    model.addOption(
        option(String.class, () -> idempotencyKey, v -> idempotencyKey = v, "--idempotency-key")
            .paramLabel("KEY")
            .description(
                "Makes the submission safe to repeat: a second submit with the same key returns"
                    + " the first job. Default: a fresh key per invocation.")
            .build());
    model.addOption(
        option(Boolean.class, () -> allowUnfit, v -> allowUnfit = v, "--allow-unfit")
            .description(
                "Queue the job even if no node and no pool could ever hold it, or it cannot finish"
                    + " by its deadline (both refused otherwise).")
            .build());
    model.addOption(
        option(String.class, () -> array, v -> array = v, "--array")
            .paramLabel("INDICES[%N]")
            .description(
                "Run the job once per index, at most N at once (Slurm's --array): 0-99%%8,"
                    + " 1,3,5-9, 0-20:5. Each task gets TERN_ARRAY_INDEX. Replaces the spec's"
                    + " array:.")
            .build());
    model.addOption(
        option(Boolean.class, () -> noWorkdir, v -> noWorkdir = v, "--no-workdir")
            .description(
                "Ship no code: the job runs in its attempt folder on the node, or in the spec's"
                    + " absolute workdir:.")
            .build());
    model.addOption(
        option(Long.class, () -> workdirLimitMib, v -> workdirLimitMib = v, "--workdir-limit")
            .paramLabel("MiB")
            .defaultValue("100")
            .description("The most the shipped files may add up to (default ${DEFAULT-VALUE} MiB).")
            .build());
  }

  /** Whether any spec flag was given (then there is no spec file). */
  private boolean specFlagsGiven() {
    ParseResult parsed = model().commandLine().getParseResult();
    return model().argGroups().getFirst().allOptionsNested().stream()
        .anyMatch(parsed::hasMatchedOption);
  }

  private final JobSpecParser parser = new JobSpecParser();

  /**
   * The directory to ship, from a relative {@code workdir:} or {@code --workdir}; null for none.
   */
  private Path shippedWorkdir;

  /** What names it in errors: {@code workdir} or {@code --workdir}. */
  private String shippedField = "workdir";

  /** Whether the spec came from flags: the scheduler's refusals then name flags, not fields. */
  private boolean fromFlags;

  @Override
  public Integer call() throws JobSpecException, IOException {
    if (dryRun) {
      return dryRun(spec());
    }
    if (idempotencyKey != null && idempotencyKey.isBlank()) {
      throw new UserInputException(
          "--idempotency-key: expected a key, got nothing (leave the flag out for a key of its"
              + " own)");
    }
    if (idempotencyKey != null && idempotencyKey.length() > SpecLimits.MAX_IDEMPOTENCY_KEY) {
      throw new UserInputException(
          "--idempotency-key: at most "
              + SpecLimits.MAX_IDEMPOTENCY_KEY
              + " characters, got "
              + idempotencyKey.length());
    }
    try (SchedulerClient scheduler = client.connect()) {
      // A fresh JVM takes some tens of milliseconds to connect: done while the spec is read and the
      // code packed.
      scheduler.connectAhead();
      return submit(scheduler, spec(), out());
    }
  }

  private JobSpec spec() throws JobSpecException, IOException {
    fromFlags = specFlagsGiven();
    return withArray(fromFlags ? fromFlags() : fromFile());
  }

  private int dryRun(JobSpec spec) throws IOException {
    // The scheduler's checks of a deadline, which need no scheduler: that it has not passed, and
    // (unless --allow-unfit) that maxRuntime fits before it.
    java.time.Instant now = java.time.Instant.now();
    String deadlineField = fromFlags ? "--deadline" : "deadline";
    var passed = JobSpecValidator.deadlinePassed(spec, now);
    if (passed.isPresent()) {
      throw new UserInputException(deadlineField + ": " + passed.get().message());
    }
    if (!allowUnfit) {
      var unfit = DeadlineFit.problem(spec, now);
      if (unfit.isPresent()) {
        throw new UserInputException(
            deadlineField + ": " + unfit.get() + " (--allow-unfit queues it anyway)");
      }
    }
    var out = out();
    // A submit's checks, and the directory a relative workdir would ship (stderr: stdout carries
    // the spec). The submit directory, shipped by default, is not measured.
    WorkdirShipping shipping = shipping(spec);
    if (shipping != null && shipping.explicit()) {
      var err = err();
      err.println(shipping.preview());
      err.flush();
    }
    switch (output.format()) {
      case json -> out.println(OutputOptions.toJson(JobSpecDocument.toMap(spec)));
      case yaml -> out.print(JobSpecDocument.toYaml(spec));
      case table -> {
        out.println(
            "# "
                + spec.getName()
                + ": a valid spec (whether a node or pool of the cluster fits it is checked when"
                + " it is submitted). As the scheduler will store it:");
        out.print(JobSpecDocument.toYaml(spec));
      }
    }
    out.flush();
    return 0;
  }

  /**
   * What a replica answers when it stops or gives up in the middle of a call: the submit may have
   * been committed before it did.
   */
  private static final java.util.Set<Status.Code> UNKNOWN_OUTCOME =
      java.util.EnumSet.of(
          Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED, Status.Code.UNKNOWN);

  private int submit(SchedulerClient scheduler, JobSpec spec, java.io.PrintWriter out)
      throws IOException {
    // One key per invocation: the client's own retries (leader changes) cannot create it twice.
    String key = idempotencyKey != null ? idempotencyKey : IdempotencyKeys.fresh();
    WorkdirShipping shipping = shipping(spec);
    try {
      if (shipping != null) {
        // The scheduler refuses a job whose parent does not exist: ask first, rather than pack and
        // upload the code for a submission that cannot succeed.
        checkParents(scheduler, spec);
        String digest;
        try {
          digest = shipping.ship(scheduler, err());
        } catch (StatusRuntimeException e) {
          // No submit was sent yet, whatever became of the upload: the job does not exist.
          throw new IllegalStateException(
              "the job was not submitted: its code's upload failed ("
                  + CallFailures.describe(e).replaceFirst("\\.$", "")
                  + "); run the same submit again",
              e);
        }
        if (digest != null) {
          spec = spec.toBuilder().setWorkdirDigest(digest).build();
        }
      }
      SubmitJobRequest request =
          SubmitJobRequest.newBuilder()
              .setSpec(spec)
              .setIdempotencyKey(key)
              .setAllowUnfit(allowUnfit)
              .build();
      SubmitJobResponse response;
      try {
        response = scheduler.call(c -> JobServiceGrpc.newBlockingStub(c).submitJob(request));
      } catch (UserInputException refused) {
        throw new UserInputException(flagsNamed(refused.getMessage()));
      } catch (StatusRuntimeException e) {
        String why = e.getStatus().getDescription();
        if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS
            && why != null
            && why.startsWith("idempotency_key: ")) {
          // The key, as given, names another submission: bad input, like any other field's.
          throw new UserInputException(
              "--idempotency-key: " + why.substring("idempotency_key: ".length()));
        }
        throw e;
      }
      if (output.structured()) {
        out.println(output.render(Protos.json(response)));
      } else {
        out.println(
            response.getArrayId().isEmpty() ? response.getJob().getId() : response.getArrayId());
      }
      out.flush();
      if (response.getDeduplicated()) {
        err()
            .println(
                "tern submit: already submitted with this --idempotency-key: that job, nothing new");
        err().flush();
      }
      return 0;
    } catch (StatusRuntimeException e) {
      if (e instanceof SchedulerUnavailableException gone
          ? gone.mayHaveArrived()
          : UNKNOWN_OUTCOME.contains(e.getStatus().getCode())) {
        // A replica may have committed the job and then gone away before it answered.
        throw new IllegalStateException(
            "the submit's outcome is unknown: the scheduler stopped answering after it may have"
                + " received it ("
                + CallFailures.describe(e).replaceFirst("\\.$", "")
                + "). Look for the job with 'tern list', or run the same submit again with"
                + " --idempotency-key "
                + key
                + ": the scheduler creates one job per key.",
            e);
      }
      // Unreachable or leaderless: the job was not submitted. Otherwise the scheduler answered.
      throw e instanceof SchedulerUnavailableException
          ? new IllegalStateException("the job was not submitted: " + e.getMessage(), e)
          : CallFailures.failure("the scheduler refused the job: ", e);
    }
  }

  /**
   * Refuses {@code spec} as the scheduler would if a job it depends on does not exist (neither a
   * job nor an array by that id). Any other answer leaves the decision to the submission.
   */
  private void checkParents(SchedulerClient scheduler, JobSpec spec) {
    for (int i = 0; i < spec.getDependsOnCount(); i++) {
      String id = spec.getDependsOn(i).getJobId();
      if (!exists(scheduler, id)) {
        throw new UserInputException(dependsOnName(i) + ": no job " + id);
      }
    }
  }

  private static boolean exists(SchedulerClient scheduler, String id) {
    try {
      scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
      return true;
    } catch (UserInputException e) {
      return true; // the submission names what is wrong with the id
    } catch (StatusRuntimeException e) {
      if (e instanceof SchedulerUnavailableException
          || e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        return true;
      }
    }
    return JobCommands.isArray(scheduler, id);
  }

  private String dependsOnName(int index) {
    return fromFlags ? "--after" : "spec.dependsOn[" + index + "]";
  }

  /**
   * The scheduler's refusal of a spec field ({@code spec.dependsOn[0]: no job ...}), naming the
   * flag that set it instead ({@code --after: no job ...}) when the spec came from flags.
   */
  private String flagsNamed(String refusal) {
    Matcher m = SPEC_FIELD.matcher(refusal);
    if (!fromFlags || !m.lookingAt()) {
      return refusal;
    }
    String flag = SpecFlags.flagFor(m.group(1));
    return flag.equals(m.group(1)) ? refusal : flag + refusal.substring(m.end(1));
  }

  /** A spec field as the scheduler names it at the start of a refusal: {@code spec.FIELD: }. */
  private static final Pattern SPEC_FIELD = Pattern.compile("spec\\.([A-Za-z.]+(\\[\\d+])?): ");

  /**
   * What to ship: a relative {@code --workdir} or {@code workdir:}, else the submit directory; none
   * with {@code --no-workdir}, an absolute workdir or a {@code workdirDigest:}.
   */
  private WorkdirShipping shipping(JobSpec spec) {
    if (workdirLimitMib < 1) {
      throw new UserInputException(
          "--workdir-limit: must be at least 1 MiB, got " + workdirLimitMib);
    }
    long most = WorkdirArchive.Limits.DEFAULT.maxBytes() >> 20;
    if (workdirLimitMib > most) {
      throw new UserInputException(
          "--workdir-limit: at most " + most + " MiB, what a node unpacks; got " + workdirLimitMib);
    }
    if (noWorkdir) {
      if (shippedWorkdir != null) {
        throw new UserInputException(shippedField + ": cannot go with --no-workdir");
      }
      return null;
    }
    if (!spec.getWorkdirDigest().isEmpty() || !spec.getWorkdir().isEmpty()) {
      return null; // the digest is given, or the job runs in a directory on the node
    }
    Path dir = shippedWorkdir != null ? shippedWorkdir : Path.of("").toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(shippedField + ": " + dir + " is not a directory");
    }
    return new WorkdirShipping(dir.normalize(), shippedWorkdir != null, workdirLimitMib << 20);
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
    Path base = file.equals("-") ? Path.of("") : Path.of(file).toAbsolutePath().getParent();
    return shipping(parser.parseForSubmit(read(file), file), base, "workdir");
  }

  private JobSpec fromFlags() throws JobSpecException {
    if (arguments.isEmpty()) {
      throw new UserInputException("give the command to run after '--', e.g. -- python3 train.py");
    }
    String first = arguments.getFirst();
    if (arguments.size() == 1
        && (first.endsWith(".yaml") || first.endsWith(".yml"))
        && Files.isRegularFile(Path.of(first))) {
      // A spec file is not a command: spec flags and a spec file do not mix.
      throw new UserInputException(
          first
              + ": a job spec file given with spec flags; give the spec file alone (tern submit "
              + first
              + "), or the command to run after '--'");
    }
    if (flags.workdir != null && flags.workdir.isBlank()) {
      throw new UserInputException(
          "--workdir: expected a directory, got nothing (--no-workdir ships none)");
    }
    String yaml = flags.toYaml(arguments);
    try {
      return shipping(parser.parseForSubmit(yaml, "flags"), Path.of(""), "--workdir");
    } catch (JobSpecException e) {
      // The flags were turned into a spec document; name the flags, not that document's keys.
      List<SpecError> renamed =
          e.errors().stream()
              .map(err -> SpecError.of(SpecFlags.flagFor(err.field()), err.message()))
              .toList();
      throw new JobSpecException("tern submit", renamed);
    }
  }

  /** The spec; a relative workdir it had, taken from {@code base}, is the directory to ship. */
  private JobSpec shipping(JobSpecParser.ForSubmit parsed, Path base, String field) {
    parsed
        .shippedWorkdir()
        .ifPresent(
            rel -> {
              shippedWorkdir = base.toAbsolutePath().resolve(rel).normalize();
              shippedField = field;
            });
    return parsed.spec();
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
