package io.tern.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.TernCommand;
import io.tern.scheduler.server.console.ConsoleSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The files in deploy/ against the real command: every {@code tern} invocation they contain
 * (systemd ExecStart, Dockerfile ENTRYPOINT + CMD, compose commands, Helm container args) uses a
 * verb and flags that exist, the YAML parses, and the ports agree with each other and with the
 * commands' defaults.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("../deploy").toAbsolutePath().normalize();
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{.*?}}");

  /** One {@code tern VERB --flag value ...} found in a file. */
  record Invocation(Path file, String verb, List<String> args) {
    String value(String flag) {
      int i = args.indexOf(flag);
      return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    List<String> flags() {
      return args.stream().filter(a -> a.startsWith("--")).toList();
    }
  }

  @Test
  void everyTernInvocationUsesRealVerbsAndFlags() throws IOException {
    List<Invocation> all = new ArrayList<>();
    all.addAll(systemd());
    all.addAll(dockerfiles());
    all.addAll(compose());
    all.addAll(helm());
    assertThat(all).extracting(Invocation::verb).contains("zk", "scheduler", "agent");
    Map<String, CommandLine> verbs = TernCommand.commandLine().getSubcommands();
    for (Invocation call : all) {
      assertThat(verbs).as(call.file() + ": tern " + call.verb()).containsKey(call.verb());
      Set<String> options = verbs.get(call.verb()).getCommandSpec().optionsMap().keySet();
      for (String flag : call.flags()) {
        assertThat(options).as(call.file() + ": tern " + call.verb() + " " + flag).contains(flag);
      }
      for (var required : verbs.get(call.verb()).getCommandSpec().requiredArgs()) {
        if (required instanceof CommandLine.Model.OptionSpec o) {
          assertThat(call.flags())
              .as(call.file() + ": tern " + call.verb() + " needs " + o.longestName())
              .contains(o.longestName());
        }
      }
    }
  }

  @Test
  void portsAgreeWithTheDefaultsAndWithEachOther() throws IOException {
    var scheduler = TernCommand.commandLine().getSubcommands().get("scheduler").getCommandSpec();
    assertThat(scheduler.findOption("--port").defaultValue()).isEqualTo("50051");
    assertThat(scheduler.findOption("--metrics-port").defaultValue()).isEqualTo("9464");

    // systemd: the agent's and scheduler's example configs point at the units' ports.
    Invocation unit = only(systemd(), "scheduler");
    assertThat(unit.value("--port")).isEqualTo("50051");
    assertThat(unit.value("--metrics-port")).isEqualTo("9464");
    assertThat(unit.value("--console-port"))
        .isEqualTo(String.valueOf(ConsoleSettings.DEFAULT_PORT));
    assertThat(only(systemd(), "zk").value("--port")).isEqualTo("2181");
    String agentEnv = Files.readString(DEPLOY.resolve("config/tern-agent.env"));
    assertThat(envValue(agentEnv, "TERN_SCHEDULER").split(",")).allMatch(a -> a.endsWith(":50051"));
    String schedulerEnv = Files.readString(DEPLOY.resolve("config/tern-scheduler.env"));
    assertThat(envValue(schedulerEnv, "TERN_ZK").split(",")).allMatch(a -> a.endsWith(":2181"));

    // Docker: the image exposes the ports its CMD uses.
    for (Invocation cmd : dockerfiles()) {
      String text = Files.readString(cmd.file());
      for (String flag : List.of("--port", "--metrics-port", "--console-port")) {
        if (cmd.value(flag) != null && cmd.verb().equals("scheduler")) {
          assertThat(text)
              .as(cmd.file() + " EXPOSE")
              .containsPattern("EXPOSE .*" + cmd.value(flag));
        }
      }
    }

    // compose: agents name scheduler ports that replicas listen on; replicas name zk's port.
    List<Invocation> compose = compose();
    List<String> schedulerPorts =
        compose.stream()
            .filter(c -> c.verb().equals("scheduler"))
            .map(c -> c.value("--port"))
            .toList();
    assertThat(schedulerPorts).hasSize(2).doesNotHaveDuplicates();
    assertThat(
            compose.stream()
                .filter(c -> c.verb().equals("scheduler"))
                .map(c -> c.value("--console-port")))
        .as("each replica's console on a port of its own (they share the host's network)")
        .doesNotContainNull()
        .doesNotHaveDuplicates();
    String zkPort = only(compose, "zk").value("--port");
    for (Invocation c : compose) {
      if (c.verb().equals("scheduler")) {
        assertThat(c.value("--zk")).endsWith(":" + zkPort);
      }
      if (c.verb().equals("agent")) {
        assertThat(List.of(c.value("--scheduler").split(",")))
            .extracting(a -> a.substring(a.lastIndexOf(':') + 1))
            .containsExactlyInAnyOrderElementsOf(schedulerPorts);
      }
    }

    // Helm: the values the templates use for ports are the defaults.
    Map<String, Object> values = yaml(DEPLOY.resolve("helm/tern/values.yaml"));
    Map<?, ?> sched = (Map<?, ?>) values.get("scheduler");
    assertThat(sched.get("port")).isEqualTo(50051);
    assertThat(sched.get("metricsPort")).isEqualTo(9464);
    assertThat(sched.get("consolePort")).isEqualTo(ConsoleSettings.DEFAULT_PORT);
    assertThat(sched.get("replicas")).isEqualTo(2);
    assertThat(((Map<?, ?>) values.get("zookeeper")).get("clientPort")).isEqualTo(2181);
    String schedulerTemplate =
        Files.readString(DEPLOY.resolve("helm/tern/templates/scheduler.yaml"));
    assertThat(schedulerTemplate)
        .contains("containerPort: {{ .Values.scheduler.port }}")
        .contains("containerPort: {{ .Values.scheduler.metricsPort }}")
        .contains("containerPort: {{ .Values.scheduler.consolePort }}")
        .contains("prometheus.io/port: \"{{ .Values.scheduler.metricsPort }}\"")
        // Readiness follows the gRPC health service (the leader with ZooKeeper), not an open port.
        .contains("grpc: {port: {{ .Values.scheduler.port }}, service: tern.v1.JobService}")
        .doesNotContain("tcpSocket");
    assertThat(yaml(DEPLOY.resolve("helm/tern/Chart.yaml"))).containsEntry("name", "tern");
    assertThat(Files.readString(DEPLOY.resolve("README.md")))
        .contains("9464", "9470", "50051", "2181");
  }

  // --- finding invocations -------------------------------------------------------------------

  private static List<Invocation> systemd() throws IOException {
    List<Invocation> out = new ArrayList<>();
    for (Path unit : files("systemd", ".service")) {
      List<String> exec =
          Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).toList();
      assertThat(exec).as(unit + ": one ExecStart").hasSize(1);
      List<String> words = List.of(exec.getFirst().substring("ExecStart=".length()).split("\\s+"));
      assertThat(words.getFirst()).as(unit + ": runs the tern launcher").endsWith("/tern");
      out.add(new Invocation(unit, words.get(1), words.subList(2, words.size())));
    }
    assertThat(out).hasSize(3);
    return out;
  }

  private static List<Invocation> dockerfiles() throws IOException {
    List<Invocation> out = new ArrayList<>();
    for (Path file : files("docker", "")) {
      if (!file.getFileName().toString().startsWith("Dockerfile")) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      List<String> entrypoint = jsonArray(file, lines, "ENTRYPOINT ");
      List<String> cmd = jsonArray(file, lines, "CMD ");
      assertThat(entrypoint.getLast()).as(file + " ENTRYPOINT").endsWith("tern");
      out.add(new Invocation(file, cmd.getFirst(), cmd.subList(1, cmd.size())));
    }
    assertThat(out).hasSize(2);
    return out;
  }

  private static List<String> jsonArray(Path file, List<String> lines, String instruction) {
    List<String> found = lines.stream().filter(l -> l.startsWith(instruction)).toList();
    assertThat(found).as(file + ": one " + instruction.strip()).hasSize(1);
    Object parsed = new Yaml().load(found.getFirst().substring(instruction.length()));
    assertThat(parsed).as(file + ": " + instruction + "in exec form").isInstanceOf(List.class);
    return ((List<?>) parsed).stream().map(Object::toString).toList();
  }

  private static List<Invocation> compose() throws IOException {
    Path file = DEPLOY.resolve("docker/compose.yaml");
    Map<String, Object> doc = yaml(file);
    List<Invocation> out = new ArrayList<>();
    Map<?, ?> services = (Map<?, ?>) doc.get("services");
    for (Object service : services.values()) {
      List<?> command = (List<?>) ((Map<?, ?>) service).get("command");
      List<String> words = command.stream().map(Object::toString).toList();
      out.add(new Invocation(file, words.getFirst(), words.subList(1, words.size())));
    }
    assertThat(out)
        .extracting(Invocation::verb)
        .containsExactlyInAnyOrder("zk", "scheduler", "scheduler", "agent");
    return out;
  }

  /** Container {@code args:} lists of the chart's templates, read as text (they are templates). */
  private static List<Invocation> helm() throws IOException {
    List<Invocation> out = new ArrayList<>();
    for (Path template : files("helm/tern/templates", ".yaml")) {
      List<String> lines = Files.readAllLines(template);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (!line.strip().equals("args:")) {
          continue;
        }
        int indent = line.indexOf("args:");
        List<String> items = new ArrayList<>();
        for (int j = i + 1; j < lines.size(); j++) {
          String item = lines.get(j);
          if (item.strip().startsWith("{{")) {
            continue; // a range over extra args
          }
          int itemIndent = item.length() - item.stripLeading().length();
          if (!item.strip().startsWith("- ") || itemIndent < indent) {
            break;
          }
          items.add(unquote(item.strip().substring(2).strip()));
        }
        out.add(new Invocation(template, items.getFirst(), items.subList(1, items.size())));
      }
    }
    assertThat(out).extracting(Invocation::verb).containsExactlyInAnyOrder("scheduler", "agent");
    return out;
  }

  private static String unquote(String s) {
    String t = s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    return TEMPLATE.matcher(t).find() ? "TEMPLATE" : t;
  }

  // --- helpers -------------------------------------------------------------------------------

  private static Invocation only(List<Invocation> calls, String verb) {
    List<Invocation> matching = calls.stream().filter(c -> c.verb().equals(verb)).toList();
    assertThat(matching).as("tern " + verb).hasSize(1);
    return matching.getFirst();
  }

  private static List<Path> files(String under, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(DEPLOY.resolve(under))) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  private static String envValue(String env, String key) {
    Matcher m = Pattern.compile("(?m)^" + key + "=(.*)$").matcher(env);
    assertThat(m.find()).as(key).isTrue();
    return m.group(1).strip();
  }
}
