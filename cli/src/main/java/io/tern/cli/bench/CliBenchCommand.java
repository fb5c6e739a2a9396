package io.tern.cli.bench;

import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.ClientOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern bench cli}: what a person or a script pays per {@code tern} call. Runs the launcher
 * as a child process, one call at a time, and measures each call's wall time and the CPU time it
 * and its children used (read from this process's {@code cutime + cstime} in /proc, which the
 * kernel adds a child's times to when it is reaped; 10 ms resolution).
 */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "cli",
    description = {
      "Wall and CPU time per tern call (median of --calls) for --version, submit, status and list"
          + " against a running scheduler, then --submits sequential submits end to end."
    })
final class CliBenchCommand implements Callable<Integer> {
  /** USER_HZ: the unit of the /proc CPU times on every Linux that Tern runs on. */
  private static final double TICKS_PER_SECOND = 100;

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final ClientOptions client = new ClientOptions();
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--tern",
      paramLabel = "PATH",
      description =
          "The launcher to measure (default: $TERN_LAUNCHER, which ./tern and the installed"
              + " command set, else 'tern' on the PATH).")
  String launcher;

  @Option(
      names = "--calls",
      defaultValue = "20",
      description = "Calls per command; the median is reported (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(
      names = "--submits",
      defaultValue = "100",
      description = "Sequential submits timed end to end; 0 skips them (default ${DEFAULT-VALUE}).")
  int submits;

  /** One command's figures: medians and the worst call. */
  record Call(
      String command, int calls, double wall_ms_p50, double cpu_ms_p50, double wall_ms_max) {}

  /** The figures, named for scripts. */
  record Figures(
      String launcher, List<Call> calls, int sequential_submits, double submits_seconds) {}

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (calls < 1 || submits < 0) {
      throw new UserInputException("--calls must be >= 1 and --submits >= 0");
    }
    String tern =
        launcher != null ? launcher : System.getenv().getOrDefault("TERN_LAUNCHER", "tern");
    String at = String.join(",", client.config().addresses());
    List<String> submit =
        List.of(
            "submit",
            "--scheduler",
            at,
            "--name",
            "bench-cli",
            "--team",
            "bench",
            "--gpus",
            "0",
            "--",
            "true");
    PrintWriter err = spec.commandLine().getErr();
    project = Files.createTempDirectory("tern-bench-cli");
    try {
      Files.writeString(project.resolve("train.py"), "print('step')\n");
      measureAll(tern, submit, at, err);
    } finally {
      Files.deleteIfExists(project.resolve("train.py"));
      Files.deleteIfExists(project);
    }
    return 0;
  }

  private void measureAll(String tern, List<String> submit, String at, PrintWriter err)
      throws IOException, InterruptedException {
    String job = run(tern, submit).out().trim();
    List<Call> figures = new ArrayList<>();
    figures.add(measure(tern, List.of("--version"), err));
    figures.add(measure(tern, submit, err));
    figures.add(measure(tern, List.of("status", job, "--scheduler", at), err));
    figures.add(measure(tern, List.of("list", "--scheduler", at), err));
    double submitsSeconds = 0;
    if (submits > 0) {
      err.printf("%d sequential submits%n", submits);
      err.flush();
      long start = System.nanoTime();
      for (int i = 0; i < submits; i++) {
        run(tern, submit);
      }
      submitsSeconds = (System.nanoTime() - start) / 1e9;
    }
    Figures result = new Figures(tern, figures, submits, submitsSeconds);
    PrintWriter out = spec.commandLine().getOut();
    if (output.format() == OutputFormat.json) {
      out.println(OutputOptions.toJson(result));
    } else {
      out.printf(
          "%-10s %8s %12s %12s %12s%n",
          "COMMAND", "CALLS", "WALL P50 MS", "CPU P50 MS", "WALL MAX MS");
      for (Call c : figures) {
        out.printf(
            "%-10s %8d %12.0f %12.0f %12.0f%n",
            c.command(), c.calls(), c.wall_ms_p50(), c.cpu_ms_p50(), c.wall_ms_max());
      }
      if (submits > 0) {
        out.printf("%d sequential submits: %.1f s%n", submits, submitsSeconds);
      }
    }
    out.flush();
  }

  /** The directory every call runs in, made by {@link #call}: a project holding one script. */
  private Path project;

  private Call measure(String tern, List<String> args, PrintWriter err)
      throws IOException, InterruptedException {
    err.printf("tern %s x%d%n", args.getFirst(), calls);
    err.flush();
    double[] wall = new double[calls];
    double[] cpu = new double[calls];
    for (int i = 0; i < calls; i++) {
      Timed t = run(tern, args);
      wall[i] = t.wallMs();
      cpu[i] = t.cpuMs();
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new Call(args.getFirst(), calls, median(wall), median(cpu), wall[calls - 1]);
  }

  record Timed(double wallMs, double cpuMs, String out) {}

  /**
   * One call; fails unless it exits 0. Calls run in an empty directory of their own, so a submit
   * ships a project of one small file whatever directory the bench was started from (from a
   * repository's root it would pack and hash the whole tree on every call).
   */
  private Timed run(String tern, List<String> args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(tern.contains("/") ? Path.of(tern).toAbsolutePath().toString() : tern);
    argv.addAll(args);
    Path errors = Files.createTempFile("tern-bench-cli", ".err");
    try {
      long cpuBefore = childrenCpuTicks();
      long start = System.nanoTime();
      Process p =
          new ProcessBuilder(argv)
              .directory(project.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectError(errors.toFile())
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = p.waitFor();
      double wallMs = (System.nanoTime() - start) / 1e6;
      double cpuMs = (childrenCpuTicks() - cpuBefore) * 1000 / TICKS_PER_SECOND;
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", argv) + " exited " + exit + ": " + Files.readString(errors).strip());
      }
      return new Timed(wallMs, cpuMs, out);
    } finally {
      Files.deleteIfExists(errors);
    }
  }

  /** User plus system time of this process's reaped children, in clock ticks. */
  static long childrenCpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    // Fields after the command name, which is in parentheses and may hold spaces: field 3 first.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3]);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
