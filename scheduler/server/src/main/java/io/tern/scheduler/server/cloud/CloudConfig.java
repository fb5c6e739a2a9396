package io.tern.scheduler.server.cloud;

import io.tern.scheduler.server.cloud.ec2.Ec2Setup;
import io.tern.scheduler.server.cloud.local.AgentLaunchCommand;
import io.tern.scheduler.server.cloud.local.LocalCloudConnector;
import io.tern.scheduler.server.cloud.local.LocalPool;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Where a scheduler replica launches nodes, as its operator writes it; {@link #setup} turns it into
 * the {@link CloudSetup} the replica runs with.
 *
 * @param cloud {@code none} (only agents started by hand), {@code local} ({@code tern agent}
 *     processes with simulated GPUs on this machine) or {@code ec2}
 * @param poolsFile the YAML file of pools; required with {@code local} and {@code ec2}, refused
 *     with {@code none}
 * @param localDir with {@code local}: where launched agents keep their work and logs; null for a
 *     new temporary directory
 * @param tlsDir the replica's TLS directory; with {@code local}, its CA key issues each launched
 *     agent's certificate. Null without TLS or with TLS files given one by one
 * @param tls whether the replica serves TLS (launched local agents then need certificates)
 */
public record CloudConfig(String cloud, Path poolsFile, Path localDir, Path tlsDir, boolean tls) {

  /** A setting that cannot be used; {@link #field()} names it as {@link CloudConfig} does. */
  public static final class InvalidCloudConfigException extends IllegalArgumentException {
    private final String field;

    InvalidCloudConfigException(String field, String message) {
      super(field + ": " + message);
      this.field = field;
    }

    /** {@code cloud}, {@code poolsFile}, {@code localDir} or {@code tlsDir}. */
    public String field() {
      return field;
    }

    /** The message without the field's name. */
    public String problem() {
      return getMessage().substring(field.length() + 2);
    }
  }

  /** No cloud. */
  public static CloudConfig none() {
    return new CloudConfig("none", null, null, null, false);
  }

  /**
   * Reads and checks the pools file, and for {@code local} makes the agents' directory. The
   * connector itself opens when the replica starts.
   *
   * @param clock the connector's clock
   * @param out where a line saying what the cloud is goes
   * @throws InvalidCloudConfigException naming the setting that is wrong
   * @throws IOException when the local agents' directory cannot be made
   */
  public CloudSetup setup(Clock clock, PrintStream out) throws IOException {
    String kind = cloud.trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "none" -> {
        if (poolsFile != null) {
          throw new InvalidCloudConfigException("poolsFile", "only with cloud local or ec2");
        }
        return CloudSetup.none();
      }
      case "local", "ec2" -> {}
      default ->
          throw new InvalidCloudConfigException(
              "cloud", "expected none, local or ec2, got \"" + cloud + "\"");
    }
    if (poolsFile == null) {
      throw new InvalidCloudConfigException("poolsFile", "required with cloud " + kind);
    }
    String text;
    try {
      text = Files.readString(poolsFile);
    } catch (IOException e) {
      throw new InvalidCloudConfigException(
          "poolsFile", "cannot read " + poolsFile + ": " + e.getMessage());
    }
    try {
      return kind.equals("ec2") ? ec2(text, clock, out) : local(text, clock, out);
    } catch (PoolsFile.InvalidPoolsException e) {
      throw new InvalidCloudConfigException("poolsFile", poolsFile + ": " + e.getMessage());
    }
  }

  /**
   * EC2: the pools file's ec2 section says where; credentials come from the AWS SDK's default chain
   * (environment, profile, instance role), resolved on the first call.
   */
  private CloudSetup ec2(String text, Clock clock, PrintStream out) {
    PoolsFile pools = PoolsFile.parseEc2(text);
    Path dir = poolsFile.toAbsolutePath().getParent();
    CloudSetup setup =
        Ec2Setup.cloudSetup(pools, dir, DefaultCredentialsProvider.builder().build(), clock);
    out.println(
        "ec2 cloud: "
            + pools.ec2Pools().size()
            + " pool(s) in "
            + pools.ec2().region()
            + (pools.ec2().endpoint() != null ? " via " + pools.ec2().endpoint() : "")
            + ", instances tagged tern:node="
            + pools.ec2().cluster());
    return setup;
  }

  /** Local: {@code tern agent} processes of this JVM's class path, sized to this host. */
  private CloudSetup local(String text, Clock clock, PrintStream out) throws IOException {
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    PoolsFile pools =
        PoolsFile.parse(
            text,
            true,
            Runtime.getRuntime().availableProcessors(),
            os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
    Path root = localDir != null ? localDir : Files.createTempDirectory("tern-local-cloud");
    Files.createDirectories(root);
    Path java =
        ProcessHandle.current()
            .info()
            .command()
            .map(Path::of)
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
    String classpath = System.getProperty("java.class.path");
    List<LocalPool> localPools = pools.localPools();
    out.println(
        "local cloud: "
            + localPools.size()
            + " pool(s), agents work in "
            + root.resolve("agents")
            + ", logs in "
            + root.resolve("logs"));
    LocalCa ca = agentCa(clock);
    return new CloudSetup(
        pools.pools(),
        pools.settings(),
        address -> {
          AgentLaunchCommand command =
              AgentLaunchCommand.ternAgent(java, classpath, address, root.resolve("agents"));
          return new LocalCloudConnector(
              localPools,
              ca == null ? command : AgentLaunchCommand.withTls(command, ca, new TlsLayout(tlsDir)),
              root.resolve("logs"),
              clock,
              Duration.ofSeconds(10));
        });
  }

  /**
   * With TLS on, launched agents need certificates for their nodes: issued from the CA key in the
   * TLS directory as each one starts. Null without TLS.
   */
  private LocalCa agentCa(Clock clock) {
    if (tlsDir == null) {
      if (tls) {
        throw new InvalidCloudConfigException(
            "tlsDir",
            "cloud local: with TLS, give the directory with the CA key (ca.key) so launched"
                + " agents get certificates");
      }
      return null;
    }
    try {
      return LocalCa.open(new TlsLayout(tlsDir), clock);
    } catch (IOException e) {
      throw new InvalidCloudConfigException(
          "tlsDir", "cloud local issues agents' certificates: " + e.getMessage());
    }
  }
}
