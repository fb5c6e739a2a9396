package io.tern.scheduler.server.cloud.local;

import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The command line that starts one local instance; tests swap in a trivial process. */
@FunctionalInterface
public interface AgentLaunchCommand {
  /** The argv for a new instance {@code nodeId} of {@code pool}. */
  List<String> argv(String nodeId, LocalPool pool);

  /**
   * {@code java -cp CLASSPATH io.tern.cli.TernCommand agent ...}: {@link #ternAgent(List, String,
   * Path)} run by the given JVM from the given class path.
   *
   * @param java the java binary (e.g. the running JVM's, from {@code ProcessHandle})
   * @param classpath the shaded jar, or the current class path
   */
  static AgentLaunchCommand ternAgent(
      Path java, String classpath, String scheduler, Path workRoot) {
    return ternAgent(
        List.of(java.toString(), "-cp", classpath, "io.tern.cli.TernCommand"), scheduler, workRoot);
  }

  /**
   * {@code TERN agent --scheduler ... --node-id ID --capacity ... --gpus sim:... --pool ... --price
   * ... --work-dir WORK/ID}.
   *
   * @param tern the argv that runs the {@code tern} command (a JVM, its options and the main class)
   * @param scheduler the replicas, {@code host:port[,...]}
   * @param workRoot where each agent gets its work directory
   */
  static AgentLaunchCommand ternAgent(List<String> tern, String scheduler, Path workRoot) {
    List<String> prefix = List.copyOf(tern);
    return (nodeId, pool) -> {
      List<String> argv = new ArrayList<>(prefix);
      argv.addAll(
          List.of(
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
              workRoot.resolve(nodeId).toString()));
      return argv;
    };
  }

  /**
   * This command plus {@code --tls-dir}, after issuing the new node's agent certificate from {@code
   * ca} into {@code layout}: a launched agent speaks TLS to a scheduler that requires it, as its
   * own node and no other.
   */
  static AgentLaunchCommand withTls(AgentLaunchCommand command, LocalCa ca, TlsLayout layout) {
    return (nodeId, pool) -> {
      try {
        LocalCa.write(
            ca.issue(IdentityKind.AGENT, nodeId, List.of(), Duration.ofDays(30)),
            layout.agentCertificate(nodeId),
            layout.agentKey(nodeId));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot issue the certificate of " + nodeId, e);
      }
      List<String> argv = new ArrayList<>(command.argv(nodeId, pool));
      argv.addAll(List.of("--tls-dir", layout.dir().toString()));
      return argv;
    };
  }
}
