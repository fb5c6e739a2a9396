package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.cli.client.ClientOptions;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The client root ({@link TernClient}) under the rules of its distribution: every verb runs in a
 * class loader that holds only what cli/pom.xml puts in tern-client.jar (no server, agent,
 * simulator, ZooKeeper, Curator, AWS SDK, Bouncy Castle, JNA, nor Quartz beyond its cron parser),
 * so a client verb that reaches for something else fails here, not in a user's terminal.
 */
class TernClientTest {
  /**
   * The class path entries tern-client.jar is made of: keep in step with the client execution's
   * artifactSet in cli/pom.xml (the Tern modules as reactor class folders or jars, or installed).
   */
  private static final Pattern CLIENT_ARTIFACTS =
      Pattern.compile(
          "(/(cli|proto|scheduler/spec|security)/target/(classes/?|tern-[a-z-]+-[^/]*\\.jar)$)"
              + "|/io/tern/tern-(cli|proto|scheduler-spec|security)/"
              + "|/org/yaml/snakeyaml/|/com/fasterxml/jackson/core/"
              + "|/com/google/protobuf/|/com/google/code/gson/|/com/google/guava/(guava|failureaccess)/"
              + "|/com/google/api/grpc/proto-google-common-protos/"
              + "|/io/grpc/(?!grpc-services/|grpc-netty-shaded/)|/com/squareup/okio/"
              + "|/org/jetbrains/kotlin/kotlin-stdlib/|/io/perfmark/|/org/quartz-scheduler/quartz/");

  /** Classes of the artifacts above that the client jar still leaves out (its filters). */
  private static final List<String> LEFT_OUT =
      List.of(
          "io.tern.cli.server.",
          "io.tern.cli.agent.",
          "io.tern.cli.demo.",
          "io.tern.cli.bench.",
          "io.tern.cli.simulate.",
          "io.tern.cli.history.",
          "io.tern.cli.admin.AdminCommand",
          "io.tern.cli.admin.CertsCommand",
          "io.tern.cli.admin.TokenCommand");

  private static TestingServer zk;
  private static SchedulerServer server;

  @BeforeAll
  static void startScheduler() throws Exception {
    zk = new TestingServer(true);
    server =
        new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
            .start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  record Run(int exit, String out, String err) {}

  /**
   * Runs the client root in a fresh class loader that refuses {@link #LEFT_OUT}, on {@code args} as
   * its {@code main} passes them ({@link TernClient#arguments}).
   */
  static Run client(String... given) throws Exception {
    // Not closed: gRPC's threads started from it outlive the call, and a closed loader
    // fails their next class load (NoClassDefFoundError in whatever test runs next in this JVM).
    ClientOnlyLoader loader = new ClientOnlyLoader();
    Class<?> root = loader.loadClass(TernClient.class.getName());
    String[] args =
        (String[]) root.getMethod("arguments", String[].class).invoke(null, (Object) given);
    Object cli = root.getMethod("commandLine", String[].class).invoke(null, (Object) args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.getClass().getMethod("setOut", PrintWriter.class).invoke(cli, new PrintWriter(out, true));
    cli.getClass().getMethod("setErr", PrintWriter.class).invoke(cli, new PrintWriter(err, true));
    Method execute = cli.getClass().getMethod("execute", String[].class);
    int exit = (int) execute.invoke(cli, (Object) args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void everyClientVerbRunsWithoutTheServerSide() throws Exception {
    assertThat(client("--version").out).startsWith("tern ");
    for (String verb : TernClient.VERBS) {
      if (verb.startsWith("-")) {
        continue;
      }
      Run help = client(verb, "--help");
      assertThat(help.exit).as(verb + ": " + help.err).isZero();
      assertThat(help.out).contains("Usage: tern " + verb);
    }
    Run dryRun = client("submit", "--dry-run", "--name", "p", "--team", "t", "--", "true");
    assertThat(dryRun.exit).as(dryRun.err).isZero();
    Run badCron =
        client(
            "offpeak",
            "set",
            "n",
            "--cron",
            "every night",
            "--duration",
            "10h",
            "--scheduler",
            "127.0.0.1:1",
            "--wait",
            "0");
    assertThat(badCron.exit).isEqualTo(2);
    assertThat(badCron.err).contains("--cron: 'every night' is not a Quartz cron expression");
  }

  @Test
  void submitStatusAndListAgainstARunningScheduler() throws Exception {
    String at = server.address();
    Run submit = client("submit", "--name", "c", "--team", "t", "--scheduler", at, "--", "true");
    assertThat(submit.exit).as(submit.err).isZero();
    String job = submit.out.trim();
    assertThat(job).startsWith("job-");

    Run status = client("status", job, "--scheduler", at);
    Run list = client("list", "-o", "json", "--scheduler", at);

    assertThat(status.exit).as(status.err).isZero();
    assertThat(status.out).contains(job);
    assertThat(list.exit).as(list.err).isZero();
    assertThat(list.out).contains(job);

    // -o yaml is the same document as -o json, in YAML.
    Run json = client("status", job, "-o", "json", "--scheduler", at);
    Run yaml = client("status", job, "-o", "yaml", "--scheduler", at);
    assertThat(yaml.exit).as(yaml.err).isZero();
    Object fromYaml = new org.yaml.snakeyaml.Yaml().load(yaml.out);
    Object fromJson =
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(json.out, Object.class);
    assertThat(fromYaml).isInstanceOf(java.util.Map.class).isEqualTo(fromJson);
    assertThat(((java.util.Map<?, ?>) fromYaml).get("id")).isEqualTo(job);
  }

  @Test
  void clientOptionsBeforeTheVerbWorkAsAfterIt() throws Exception {
    String at = server.address();
    Run submit =
        client("--scheduler", at, "--wait=5", "submit", "--name", "b", "--team", "t", "--", "true");
    assertThat(submit.exit).as(submit.err).isZero();
    String job = submit.out.trim();

    Run list = client("--scheduler=" + at, "-o", "json", "list");
    Run status = client("-oyaml", "--scheduler", at, "status", job);

    assertThat(list.exit).as(list.err).isZero();
    assertThat(list.out).contains("\"" + job + "\"");
    assertThat(status.exit).as(status.err).isZero();
    assertThat(status.out).contains("id: " + job);
  }

  @Test
  void leadingClientOptionsMoveAfterTheVerbAndBeforeItsDoubleDash() {
    assertThat(TernClient.arguments("--scheduler", "h:1", "-o", "json", "list", "--limit", "3"))
        .containsExactly("list", "--limit", "3", "--scheduler", "h:1", "-o", "json");
    assertThat(TernClient.arguments("--wait=0", "-ojson", "submit", "--name", "n", "--", "-o", "x"))
        .containsExactly("submit", "--name", "n", "--wait=0", "-ojson", "--", "-o", "x");
    assertThat(TernClient.arguments("--token-file", "t", "nodes", "drain", "n1"))
        .containsExactly("nodes", "drain", "n1", "--token-file", "t");
    // Left as they are: no leading option, a verb of the full jar, no verb at all.
    for (String[] same :
        List.of(
            new String[] {"--version"},
            new String[] {"--help"},
            new String[] {"status", "j", "--scheduler", "h:1"},
            new String[] {"--scheduler", "h:1", "zk"},
            new String[] {"--scheduler", "h:1"},
            new String[] {"--scheduler"},
            new String[] {})) {
      assertThat(TernClient.arguments(same)).containsExactly(same);
    }
  }

  @Test
  void theFullRootTakesClientOptionsBeforeTheVerbToo() {
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int exit =
        cli.execute(TernClient.arguments("--scheduler", "127.0.0.1:1", "--wait", "0", "list"));
    assertThat(err.toString()).doesNotContain("Unknown option").contains("127.0.0.1:1");
    assertThat(exit).isEqualTo(1);
  }

  @Test
  void aMissingArgumentIsBadInputNamingIt() throws Exception {
    for (List<String> call :
        List.of(
            List.of("status", "JOB"),
            List.of("update", "--priority", "high", "JOB"),
            List.of("nodes", "drain", "NODE"),
            List.of("offpeak", "delete", "NAME"))) {
      String[] args = call.subList(0, call.size() - 1).toArray(String[]::new);
      Run run = client(args);
      assertThat(run.exit).as(run.err).isEqualTo(2);
      assertThat(run.err).contains("Missing required parameter: '" + call.getLast() + "'");
    }
  }

  /**
   * Reading picocli's annotations is what made a client call slow (a dynamic proxy class per
   * annotation type, reflection over every field): no command of a client verb carries one, so a
   * call reads none (CommandModels).
   */
  @Test
  void clientVerbsAreDeclaredInCodeNotWithAnnotations() {
    List<String> annotated = new ArrayList<>();
    List<CommandSpec> specs = new ArrayList<>();
    TernClient.COMMANDS.values().forEach(verb -> specs.add(verb.get()));
    while (!specs.isEmpty()) {
      CommandSpec spec = specs.removeLast();
      spec.subcommands().values().forEach(sub -> specs.add(sub.getCommandSpec()));
      for (Class<?> c = spec.userObject().getClass(); c != Object.class; c = c.getSuperclass()) {
        List<java.lang.reflect.AnnotatedElement> elements = new ArrayList<>();
        elements.add(c);
        elements.addAll(List.of(c.getDeclaredFields()));
        elements.addAll(List.of(c.getDeclaredMethods()));
        for (var element : elements) {
          for (var annotation : element.getAnnotations()) {
            if (annotation.annotationType().getName().startsWith("picocli.")) {
              annotated.add(spec.qualifiedName() + ": " + element + " @" + annotation);
            }
          }
        }
      }
    }
    assertThat(annotated).isEmpty();
    for (Class<?> shared : List.of(ClientOptions.class, OutputOptions.class, SpecFlags.class)) {
      assertThat(shared.getDeclaredFields())
          .allSatisfy(f -> assertThat(f.getAnnotations()).as(f.toString()).isEmpty());
    }
  }

  /** The same, as the JVM sees it: a client call makes no proxy class (annotations need them). */
  @Test
  void aClientCallMakesNoDynamicProxyClass() throws Exception {
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:stdout",
                "-cp",
                System.getProperty("java.class.path"),
                TernClient.class.getName(),
                "submit",
                "--dry-run",
                "--name",
                "p",
                "--team",
                "t",
                "--gpus",
                "1",
                "--gpu-model",
                "a100",
                "--",
                "true")
            .redirectErrorStream(true)
            .start();
    String output = new String(java.getInputStream().readAllBytes());
    assertThat(java.waitFor()).as(output).isZero();
    assertThat(output).contains("io.tern.cli.SubmitCommand").doesNotContain("__dynamic_proxy__");
  }

  @Test
  void theLaunchersSendTheSameVerbsToTheClientJar() throws IOException {
    String verbs = String.join(" ", TernClient.VERBS);
    for (Path launcher : List.of(Path.of("../tern"), Path.of("../deploy/bin/tern"))) {
      Matcher m =
          Pattern.compile("(?m)^client_verbs=\"([^\"]*)\"").matcher(Files.readString(launcher));
      assertThat(m.find()).as(launcher + " names its client verbs").isTrue();
      assertThat(m.group(1)).as(launcher.toString()).isEqualTo(verbs);
    }
  }

  /** The part of this test's class path that tern-client.jar is made of. */
  private static final class ClientOnlyLoader extends URLClassLoader {
    ClientOnlyLoader() throws IOException {
      super(classPath(), ClassLoader.getPlatformClassLoader());
    }

    private static URL[] classPath() throws IOException {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path path = Path.of(entry).toAbsolutePath().normalize();
        if (CLIENT_ARTIFACTS.matcher(path.toString().replace(File.separatorChar, '/')).find()) {
          urls.add(path.toUri().toURL());
        }
      }
      return urls.toArray(URL[]::new);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      for (String prefix : LEFT_OUT) {
        if (name.startsWith(prefix)) {
          throw new ClassNotFoundException(name + " is not in the client distribution");
        }
      }
      if (name.startsWith("org.quartz.")
          && !name.startsWith("org.quartz.CronExpression")
          && !name.equals("org.quartz.ValueSet")) {
        throw new ClassNotFoundException(name + " is not in the client distribution");
      }
      return super.loadClass(name, resolve);
    }
  }
}
