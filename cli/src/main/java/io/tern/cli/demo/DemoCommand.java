package io.tern.cli.demo;

import io.tern.cli.TernCommand;
import io.tern.scheduler.server.cloud.local.LocalCloudConnector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern demo}: a whole local cluster (ZooKeeper, two scheduler replicas, a spot and an
 * on-demand agent with simulated GPUs), a gang, a preemption, a spot reclaim with checkpoint and
 * resume, a leader failover, an off-peak window and a budget, the cost and waste report and a
 * simulator HTML report, each step checked. Exit 0 only if every step behaved as it should.
 */
@Command(
    name = "demo",
    description = {
      "Run a whole Tern cluster on this machine and show what it does, step by step: ZooKeeper, two"
          + " scheduler replicas, a spot and an on-demand node with simulated GPUs; a training job"
          + " that checkpoints, a gang, a high-priority job preempting a low-priority one, a spot"
          + " reclaim (the job checkpoints and resumes on the on-demand node) and a kill -9 of the"
          + " leader (the standby takes over). It opens an off-peak window and sets a team budget"
          + " first, and ends with the cost and waste report (per team: GPU-hours, spot and"
          + " on-demand dollars, work lost to preemption, idle GPU-hours, on-demand premium) and"
          + " an HTML report of the simulator replaying the demo's jobs under every policy"
          + " (DIR/report.html). Takes about a minute and a half; needs bash.",
      "",
      "Every process it starts is stopped at the end, or on Ctrl-C; their logs and the jobs'"
          + " outputs stay in the demo directory.",
      "",
      "Exit code: 0 if every step behaved as it should, 1 otherwise."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Where logs, job outputs, checkpoints and ZooKeeper data go (default: a new"
              + " temporary directory, kept).")
  Path dir;

  @Option(
      names = {"--keep", "--keep-running"},
      description =
          "Leave the cluster up at the end, to try `tern` commands and the web console against"
              + " it; Ctrl-C stops it.")
  boolean keepRunning;

  @Override
  public Integer call() throws Exception {
    // The agents' launcher runs in this JVM: its per-launch lines belong in the logs, not here.
    System.setProperty(
        "org.slf4j.simpleLogger.log." + LocalCloudConnector.class.getPackageName(), "warn");
    PrintWriter out = spec.commandLine().getOut();
    Path root =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("tern-demo-");
    long started = System.nanoTime();
    out.println("Tern demo: a local cluster in " + root.toAbsolutePath());
    out.println("(logs of every process it starts go to " + root.resolve("logs") + ")");
    out.flush();
    StepPrinter steps = new StepPrinter(out, DemoScenario.STEPS);
    DemoJobs jobs = DemoJobs.locate();
    DemoCluster cluster = new DemoCluster(root.toAbsolutePath());
    Thread hook = new Thread(cluster::close, "tern-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    DemoScenario scenario = new DemoScenario(cluster, steps, jobs);
    boolean passed = false;
    try {
      scenario.run();
      passed = true;
      scenario.figures().printSummary(out, (System.nanoTime() - started) / 1e9);
      out.println();
      out.println("Logs, job outputs and checkpoints: " + root.toAbsolutePath());
      printConsole(
          out,
          scenario.consoles(),
          scenario.tokenFile(),
          cluster.tls().caCertificate(),
          keepRunning);
      out.flush();
      if (keepRunning) {
        printHowToUse(
            out, scenario.schedulers(), cluster.tls().caCertificate(), scenario.tokenFile());
        new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops the cluster
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      steps.fail(message(e));
      out.println();
      out.println("The demo failed. The end of each log:");
      out.println(cluster.logTails(20));
      out.println("Everything is in " + root.toAbsolutePath());
      out.flush();
    } finally {
      scenario.closeClients();
      cluster.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs (and finds the cluster closed)
      }
    }
    return passed ? 0 : TernCommand.EXIT_FAILURE;
  }

  private static void printHowToUse(
      PrintWriter out, String schedulers, java.nio.file.Path ca, java.nio.file.Path token) {
    out.println();
    out.println("The cluster keeps running. In another terminal (as the demo's admin):");
    out.println("  export TERN_SCHEDULER=" + schedulers);
    out.println("  export TERN_TLS_CA=" + ca + " TERN_TOKEN=$(cat " + token + ")");
    out.println("  ./tern nodes");
    out.println("  ./tern list");
    out.println(
        "  ./tern submit --name hello --team me --gpus 1 -- bash -c 'echo hello from GPU"
            + " $CUDA_VISIBLE_DEVICES'");
    out.println("Ctrl-C here stops every process the demo started.");
    out.flush();
  }

  /** Where the web console is and the token to sign in with. */
  private static void printConsole(
      PrintWriter out, List<String> consoles, Path tokenFile, Path ca, boolean keepRunning)
      throws IOException {
    out.println();
    out.println("Web console: " + String.join("  or  ", consoles));
    out.println(
        "  sign in with the demo's admin token: "
            + Files.readString(tokenFile).strip()
            + "  (also in "
            + tokenFile
            + ")");
    out.println(
        "  the browser warns first: the certificate comes from the demo's own CA (" + ca + ")");
    if (!keepRunning) {
      out.println("  run `tern demo --keep` to leave the cluster up and click around");
    }
  }

  private static String message(Exception e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
