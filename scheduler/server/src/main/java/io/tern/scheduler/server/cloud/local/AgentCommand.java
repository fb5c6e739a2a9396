package io.tern.scheduler.server.cloud.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The command line that starts one local instance; tests swap in a trivial process. */
@FunctionalInterface
public interface AgentCommand {
  /** The argv for a new instance {@code nodeId} of {@code pool}. */
  List<String> argv(String nodeId, LocalPool pool);

  /**
   * {@code java -cp CLASSPATH io.tern.cli.TernCommand agent --scheduler ... --node-id ID --capacity
   * ... --gpus sim:... --pool ... --price ... --work-dir WORK/ID}.
   *
   * @param java the java binary (e.g. the running JVM's, from {@code ProcessHandle})
   * @param classpath the shaded jar, or the current class path
   * @param scheduler the replicas, {@code host:port[,...]}
   * @param workRoot where each agent gets its work directory
   */
  static AgentCommand ternAgent(Path java, String classpath, String scheduler, Path workRoot) {
    return (nodeId, pool) ->
        List.of(
            java.toString(),
            "-cp",
            classpath,
            "io.tern.cli.TernCommand",
            "agent",
            "--scheduler",
            scheduler,
            "--node-id",
            nodeId,
            "--capacity",
            pool.capacityType().label(),
            "--gpus",
            pool.gpus(),
            "--pool",
            pool.id(),
            "--price",
            String.format(Locale.ROOT, "%.4f", pool.pricePerHourUsd()),
            "--work-dir",
            workRoot.resolve(nodeId).toString());
  }
}
