package io.tern.cli.admin;

import io.tern.cli.UserInputException;
import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.PemFiles;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern admin certs}: a local CA and the certificates schedulers and agents present. */
@Command(
    name = "certs",
    description =
        "A local certificate authority for clusters without their own: the schedulers' server"
            + " certificate and one client certificate per agent, naming its node.",
    subcommands = {CertsCommand.Init.class, CertsCommand.Agent.class})
public final class CertsCommand {
  private CertsCommand() {}

  static Duration days(int days, String flag) {
    if (days < 1 || days > 3650) {
      throw new UserInputException(flag + ": between 1 and 3650 days, got " + days);
    }
    return Duration.ofDays(days);
  }

  /** {@code tern admin certs init}. */
  @Command(
      name = "init",
      description =
          "Make a CA and the schedulers' certificate in DIR: ca.pem, ca.key, scheduler.pem,"
              + " scheduler.key. Refuses to replace an existing CA.")
  public static final class Init implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write.")
    Path dir;

    @Option(
        names = "--hosts",
        split = ",",
        paramLabel = "HOST",
        description =
            "Names and addresses clients reach the schedulers at (localhost and 127.0.0.1 are"
                + " always added).")
    List<String> hosts = new ArrayList<>();

    @Option(
        names = "--days",
        defaultValue = "365",
        description =
            "Validity of the certificates (CA: ten times that) (default ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws IOException {
      Duration validity = days(days, "--days");
      TlsLayout layout = new TlsLayout(dir);
      if (Files.exists(layout.caCertificate())) {
        throw new UserInputException("--dir: " + layout.caCertificate() + " exists already");
      }
      try {
        LocalCa.init(layout, hosts, validity, Clock.systemUTC());
      } catch (IllegalArgumentException e) {
        throw new UserInputException("--hosts: " + e.getMessage());
      }
      var out = spec.commandLine().getOut();
      out.println("CA           " + layout.caCertificate() + " (key " + layout.caKey() + ")");
      out.println(
          "scheduler    "
              + layout.schedulerCertificate()
              + " for "
              + hostsOf(PemFiles.readCertificates(layout.schedulerCertificate()).getFirst()));
      out.println(
          "next: tern scheduler --tls-dir "
              + dir
              + " ...; tern admin certs agent NODE --dir "
              + dir);
      out.flush();
      return 0;
    }
  }

  private static String hostsOf(java.security.cert.X509Certificate certificate) {
    try {
      return certificate.getSubjectAlternativeNames().stream()
          .map(name -> String.valueOf(name.get(1)))
          .collect(java.util.stream.Collectors.joining(", "));
    } catch (java.security.cert.CertificateParsingException e) {
      return "?";
    }
  }

  /** {@code tern admin certs agent NODE}. */
  @Command(
      name = "agent",
      description =
          "Issue the client certificate of the agent of NODE: DIR/agents/NODE.pem and .key. The"
              + " scheduler accepts that agent for NODE only.")
  public static final class Agent implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NODE", description = "The node id (what tern agent --node-id says).")
    String nodeId;

    @Option(
        names = "--dir",
        required = true,
        paramLabel = "DIR",
        description = "The directory of 'tern admin certs init' (ca.pem and ca.key).")
    Path dir;

    @Option(
        names = "--days",
        defaultValue = "365",
        description = "Validity (default ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws IOException {
      Duration validity = days(days, "--days");
      TlsLayout layout = new TlsLayout(dir);
      if (!Files.exists(layout.caKey())) {
        throw new UserInputException("--dir: no CA key at " + layout.caKey());
      }
      LocalCa ca = LocalCa.open(layout, Clock.systemUTC());
      try {
        LocalCa.write(
            ca.issue(IdentityKind.AGENT, nodeId, List.of(), validity),
            layout.agentCertificate(nodeId),
            layout.agentKey(nodeId));
      } catch (IllegalArgumentException e) {
        throw new UserInputException("NODE: " + e.getMessage().replaceFirst("^name: ", ""));
      }
      var out = spec.commandLine().getOut();
      out.println(
          "agent "
              + nodeId
              + "  "
              + layout.agentCertificate(nodeId)
              + " (key "
              + layout.agentKey(nodeId)
              + ")");
      out.println("next: tern agent --node-id " + nodeId + " --tls-dir " + dir + " ...");
      out.flush();
      return 0;
    }
  }
}
