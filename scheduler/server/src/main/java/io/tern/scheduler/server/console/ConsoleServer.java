package io.tern.scheduler.server.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.scheduler.server.auth.AuditLog;
import io.tern.scheduler.server.loop.ClusterRequests;
import io.tern.security.tls.ServerTls;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * The web console of one scheduler replica: HTML pages, their JSON, server-sent events that keep
 * them live, and the actions they offer (cancel, drain, undrain). Everything goes through this
 * replica's own gRPC API as the signed-in user ({@link ConsoleViews}), so a page sees and does
 * exactly what that user's CLI would, audited the same way, and a standby's console reads through
 * the leader as its gRPC does. HTTPS with the scheduler's certificate when the scheduler has TLS.
 * Starts once, closes once.
 */
public final class ConsoleServer implements AutoCloseable {
  static final String COOKIE = "tern_console";
  static final String CSRF_HEADER = "X-Tern-Csrf";

  /** The largest job trace a user may upload to the Simulations page. */
  static final long MAX_UPLOAD_MIB = 32;

  private final ManagedChannel channel;
  private final boolean authenticates;
  private final ServerTls tls;
  private final Clock clock;
  private final ConsoleSessions sessions;
  private final GpuHistory history = new GpuHistory();
  private final ConsoleViews views;
  private final LiveFeeds feeds;
  private final TelemetrySampler sampler;
  private final SimulationRuns simulations;
  private final AuditLog audit;
  private final AtomicBoolean closed = new AtomicBoolean();
  private Javalin app;

  /**
   * @param schedulerTarget this replica's gRPC address, as its certificate names it
   * @param credentials how to reach it (the cluster's CA under TLS)
   * @param authenticates whether users sign in with a token (TLS) or just a name (plaintext)
   * @param tls the scheduler's certificate to serve HTTPS with, or null for plain HTTP
   * @param cluster this replica's in-process node view, sampled while it leads
   * @param simulations what the Simulations page runs, or null for none
   * @param audit where the console records the actions it takes without an rpc (a simulation)
   */
  public ConsoleServer(
      String schedulerTarget,
      ChannelCredentials credentials,
      boolean authenticates,
      ServerTls tls,
      ClusterRequests cluster,
      ConsoleSimulations simulations,
      AuditLog audit,
      Clock clock) {
    this.channel = Grpc.newChannelBuilder(schedulerTarget, credentials).build();
    this.authenticates = authenticates;
    this.tls = tls;
    this.clock = clock;
    this.sessions = new ConsoleSessions(clock);
    this.views = new ConsoleViews(channel, history, clock);
    this.feeds = new LiveFeeds();
    this.sampler = new TelemetrySampler(cluster, history, clock);
    this.simulations = new SimulationRuns(simulations, clock);
    this.audit = audit;
  }

  /** Listens on {@code host:port} (0: a free port) and returns the port; fails if it is taken. */
  public synchronized int start(String host, int port) throws IOException {
    if (app != null || closed.get()) {
      throw new IllegalStateException("a ConsoleServer starts once");
    }
    var ssl = tls == null ? null : ConsoleTls.of(tls);
    app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jetty.multipartConfig.maxFileSize(MAX_UPLOAD_MIB, SizeUnit.MB);
              config.jetty.multipartConfig.maxTotalRequestSize(MAX_UPLOAD_MIB + 1, SizeUnit.MB);
              config.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
              config.jetty.addConnector(
                  (server, http) -> {
                    ServerConnector connector;
                    if (ssl == null) {
                      connector = new ServerConnector(server, new HttpConnectionFactory(http));
                    } else {
                      SecureRequestCustomizer secure = new SecureRequestCustomizer();
                      secure.setSniHostCheck(false);
                      http.addCustomizer(secure);
                      connector =
                          new ServerConnector(
                              server,
                              new SslConnectionFactory(ssl, "http/1.1"),
                              new HttpConnectionFactory(http));
                    }
                    connector.setHost(host);
                    connector.setPort(port);
                    return connector;
                  });
              config.staticFiles.add(
                  files -> {
                    files.hostedPath = "/assets";
                    files.directory = "/io/tern/scheduler/server/console/assets";
                    files.location = Location.CLASSPATH;
                  });
              config.staticFiles.enableWebjars();
              config.routes.exception(ConsoleError.class, this::failed);
              config.routes.exception(
                  StatusRuntimeException.class, (e, ctx) -> failed(ConsoleError.of(e), ctx));
              config.routes.before(this::securityHeaders);
              routes(config.routes);
            });
    try {
      app.start();
    } catch (RuntimeException e) {
      app = null;
      if (causedBy(e, BindException.class)) {
        throw new BindException("console port " + port + " on " + host + " is taken");
      }
      throw e;
    }
    sampler.start();
    return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  private void routes(io.javalin.config.RoutesConfig routes) {
    ConsolePages pages = new ConsolePages(authenticates);
    routes.get("/", ctx -> ctx.redirect("/jobs", HttpStatus.SEE_OTHER));
    routes.get("/favicon.ico", ctx -> ctx.status(HttpStatus.NO_CONTENT));
    routes.get("/login", ctx -> ctx.html(pages.login(ctx.queryParam("next"), null)));
    routes.post("/login", this::signIn);
    routes.post("/logout", this::signOut);
    routes.get("/jobs", page(s -> pages.shell("Jobs", "jobs", s, Map.of())));
    routes.get("/jobs/{id}", this::jobPage);
    routes.get("/queue", page(s -> pages.shell("Queue", "queue", s, Map.of())));
    routes.get("/nodes", page(s -> pages.shell("Nodes", "nodes", s, Map.of())));
    routes.get("/cost", page(s -> pages.shell("Cost", "cost", s, Map.of())));
    routes.get("/offpeak", page(s -> pages.shell("Off-peak", "offpeak", s, Map.of())));
    routes.get("/simulations", page(s -> pages.shell("Simulations", "simulations", s, Map.of())));
    routes.get("/simulations/{id}", this::simulationPage);
    routes.get("/simulations/{id}/report", this::simulationReport);

    routes.get("/api/me", ctx -> json(ctx, ConsolePages.me(session(ctx))));
    routes.get("/api/jobs", ctx -> json(ctx, views.jobs(session(ctx).caller(), query(ctx))));
    routes.get(
        "/api/jobs/{id}", ctx -> json(ctx, views.job(session(ctx).caller(), ctx.pathParam("id"))));
    routes.get("/api/queue", ctx -> json(ctx, views.queue(session(ctx).caller(), query(ctx))));
    routes.get("/api/nodes", ctx -> json(ctx, views.nodes(session(ctx).caller())));
    routes.get("/api/cost", ctx -> json(ctx, views.cost(session(ctx).caller(), query(ctx))));
    routes.get("/api/offpeak", ctx -> json(ctx, views.offPeak(session(ctx).caller())));
    routes.get(
        "/api/cost.csv",
        ctx -> {
          String csv = views.costCsv(session(ctx).caller(), query(ctx));
          ctx.header("Content-Disposition", "attachment; filename=\"tern-cost.csv\"");
          ctx.contentType("text/csv; charset=utf-8").result(csv);
        });
    routes.get("/api/simulations", ctx -> json(ctx, simulations.list(session(ctx))));
    routes.get(
        "/api/simulations/{id}",
        ctx -> json(ctx, simulations.one(session(ctx), ctx.pathParam("id"))));
    routes.post("/api/simulations", this::simulate);
    routes.post("/api/jobs/{id}/cancel", this::cancel);
    routes.post("/api/nodes/{id}/drain", this::drain);
    routes.post("/api/nodes/{id}/undrain", this::undrain);

    routes.sse(
        "/events/{view}",
        client -> {
          Context ctx = client.ctx();
          ConsoleSession session = sessions.find(ctx.cookie(COOKIE)).orElse(null);
          String view = ctx.pathParam("view");
          Map<String, String> query = query(ctx);
          if (session == null) {
            feeds.refuse(client, 401, "signed out: sign in again");
          } else if (!feeds.admit(session.id())) {
            feeds.refuse(
                client,
                429,
                "this session has "
                    + LiveFeeds.MAX_PER_SESSION
                    + " live views open already: close some of its pages");
          } else if (view.equals("logs")) {
            feeds.logs(
                client,
                channel,
                session.caller(),
                query.getOrDefault("id", ""),
                () -> feeds.release(session.id()));
          } else {
            LiveFeeds.View supplier = view(view, session, query);
            if (supplier == null) {
              feeds.release(session.id());
              feeds.refuse(client, 404, "no live view named " + view);
            } else {
              feeds.follow(
                  client,
                  supplier,
                  view.equals("cost") || view.equals("offpeak"),
                  () -> feeds.release(session.id()));
            }
          }
        });
  }

  private LiveFeeds.View view(String name, ConsoleSession session, Map<String, String> query) {
    Caller caller = session.caller();
    return switch (name) {
      case "jobs" -> () -> views.jobs(caller, query);
      case "job" -> () -> views.job(caller, query.getOrDefault("id", ""));
      case "queue" -> () -> views.queue(caller, query);
      case "nodes" -> () -> views.nodes(caller);
      case "cost" -> () -> views.cost(caller, query);
      case "offpeak" -> () -> views.offPeak(caller);
      case "simulations" -> () -> simulations.list(session);
      case "simulation" -> () -> simulations.one(session, query.getOrDefault("id", ""));
      default -> null;
    };
  }

  private void jobPage(Context ctx) {
    // The scheduler says whether this user may see the job: another team's is NOT_FOUND.
    itemPage(
        ctx,
        "job",
        (session, id) -> {
          try {
            session
                .caller()
                .on(JobServiceGrpc.newBlockingStub(channel))
                .getJob(GetJobRequest.newBuilder().setJobId(id).build());
          } catch (StatusRuntimeException e) {
            throw ConsoleError.of(e);
          }
        });
  }

  private void simulationPage(Context ctx) {
    itemPage(ctx, "simulation", simulations::find);
  }

  /**
   * The page of one item ({@code /VIEW/{id}}), or the problem page when {@code check} says the user
   * may not see it (or it does not exist).
   */
  private void itemPage(
      Context ctx, String view, java.util.function.BiConsumer<ConsoleSession, String> check) {
    ConsoleSession session = pageSession(ctx);
    if (session == null) {
      return;
    }
    String id = ctx.pathParam("id");
    ConsolePages pages = new ConsolePages(authenticates);
    try {
      check.accept(session, id);
    } catch (ConsoleError e) {
      ctx.status(e.httpStatus()).html(pages.problem(session, e.getMessage()));
      return;
    }
    ctx.html(pages.shell(id, view, session, Map.of("id", id)));
  }

  /**
   * A run's self-contained HTML report (no script in it), framed by its simulation page: its own
   * policy lets nothing run or load and lets only this console frame it.
   */
  private void simulationReport(Context ctx) {
    String html = simulations.report(session(ctx), ctx.pathParam("id"));
    ctx.header(
        "Content-Security-Policy",
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
            + " frame-ancestors 'self'");
    ctx.html(html);
  }

  /**
   * Starts a simulation from the page's form (multipart: {@code trace} or an uploaded {@code file},
   * {@code spot}, {@code policies}, {@code seed}) and answers its id. Audited as the rpcs are.
   */
  private void simulate(Context ctx) throws IOException {
    ConsoleSession session = action(ctx);
    ObjectNode asked = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    io.grpc.Status outcome = io.grpc.Status.UNKNOWN;
    try {
      startSimulation(ctx, session, asked);
      outcome = io.grpc.Status.OK;
    } catch (ConsoleError e) {
      outcome = e.grpcStatus();
      throw e;
    } catch (RuntimeException | IOException e) {
      outcome = io.grpc.Status.INTERNAL.withDescription(e.toString());
      throw e;
    } finally {
      if (audit != null) {
        audit.consoleAction("console.RunSimulation", session.user(), ctx.ip(), asked, outcome);
      }
    }
  }

  private void startSimulation(Context ctx, ConsoleSession session, ObjectNode asked)
      throws IOException {
    ConsoleSimulations.Catalog catalog = simulations.catalog();
    io.javalin.http.UploadedFile file;
    try {
      file = ctx.uploadedFile("file");
    } catch (Exception e) { // Jetty's multipart parser throws checked exceptions through Kotlin
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (String.valueOf(t.getMessage()).contains("size exceeded")) {
          throw new ConsoleError(
              413, "file: larger than " + MAX_UPLOAD_MIB + " MiB, the most a trace upload may be");
        }
      }
      throw new ConsoleError(400, "file: not a form upload the console can read (" + e + ")");
    }
    boolean upload = file != null && file.size() > 0;
    String trace = blankToNull(ctx.formParam("trace"));
    if (upload) {
      asked.put("trace", "uploaded: " + file.filename() + " (" + file.size() + " bytes)");
    } else if (trace == null) {
      throw new ConsoleError(400, "trace: pick a trace or upload one");
    } else {
      asked.put("trace", label(catalog.traces(), trace, "trace"));
    }
    String spot = blankToNull(ctx.formParam("spot"));
    if (spot == null) {
      throw new ConsoleError(400, "spot: pick a spot set");
    }
    asked.put("spot", label(catalog.spotSets(), spot, "spot"));
    java.util.List<String> policies = ctx.formParams("policies");
    for (String policy : policies) {
      label(catalog.policies(), policy, "policies");
    }
    policies.forEach(asked.putArray("policies")::add);
    long seed = seed(ctx.formParam("seed"));
    asked.put("seed", seed);
    java.nio.file.Path uploaded = null;
    if (upload) {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tern-console-trace");
      uploaded = dir.resolve("uploaded-trace.csv");
      try (var in = file.content()) {
        java.nio.file.Files.copy(in, uploaded);
      }
      trace = null;
    }
    SimulationRuns.Run run =
        simulations.start(
            session,
            new ConsoleSimulations.Request(
                trace, uploaded, upload ? file.filename() : null, spot, policies, seed),
            asked);
    asked.put("id", run.id);
    json(ctx, "{\"id\":" + TextNode.valueOf(run.id) + "}");
  }

  private static String label(
      java.util.List<ConsoleSimulations.Choice> choices, String id, String field) {
    return choices.stream()
        .filter(c -> c.id().equals(id))
        .findFirst()
        .map(ConsoleSimulations.Choice::label)
        .orElseThrow(() -> new ConsoleError(400, field + ": no choice named " + id));
  }

  private static long seed(String text) {
    if (text == null || text.isBlank()) {
      return 1;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ConsoleError(400, "seed: a whole number, got \"" + text.trim() + "\"");
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }

  private void signIn(Context ctx) {
    sameOrigin(ctx);
    ConsolePages pages = new ConsolePages(authenticates);
    String next = ctx.formParam("next");
    try {
      ConsoleSession session =
          SignIn.verify(
              authenticates, ctx.formParam("token"), ctx.formParam("user"), channel, sessions);
      ctx.header(
          "Set-Cookie",
          COOKIE
              + "="
              + session.id()
              + "; Path=/; HttpOnly; SameSite=Strict"
              + (tls != null ? "; Secure" : ""));
      ctx.redirect(ConsolePages.safeNext(next), HttpStatus.SEE_OTHER);
    } catch (ConsoleError e) {
      ctx.status(e.httpStatus()).html(pages.login(next, e.getMessage()));
    }
  }

  private void signOut(Context ctx) {
    sameOrigin(ctx);
    ConsoleSession session = session(ctx);
    if (!session.csrf().equals(ctx.formParam("csrf"))) {
      throw new ConsoleError(403, "csrf: missing or wrong; reload the page and try again");
    }
    sessions.close(session.id());
    ctx.header(
        "Set-Cookie",
        COOKIE
            + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
            + (tls != null ? "; Secure" : ""));
    ctx.redirect("/login", HttpStatus.SEE_OTHER);
  }

  private void cancel(Context ctx) {
    ConsoleSession session = action(ctx);
    json(
        ctx,
        ConsoleViews.print(
            session
                .caller()
                .on(JobServiceGrpc.newBlockingStub(channel))
                .cancelJob(
                    CancelJobRequest.newBuilder()
                        .setJobId(ctx.pathParam("id"))
                        .setReason("cancelled in the web console")
                        .build())));
  }

  private void drain(Context ctx) {
    ConsoleSession session = action(ctx);
    json(
        ctx,
        ConsoleViews.print(
            session
                .caller()
                .on(ClusterServiceGrpc.newBlockingStub(channel))
                .drainNode(
                    DrainNodeRequest.newBuilder()
                        .setNodeId(ctx.pathParam("id"))
                        .setCheckpointJobs("true".equals(ctx.queryParam("checkpoint")))
                        .setReason("drained in the web console")
                        .build())));
  }

  private void undrain(Context ctx) {
    ConsoleSession session = action(ctx);
    json(
        ctx,
        ConsoleViews.print(
            session
                .caller()
                .on(ClusterServiceGrpc.newBlockingStub(channel))
                .undrainNode(
                    UndrainNodeRequest.newBuilder()
                        .setNodeId(ctx.pathParam("id"))
                        .setReason("undrained in the web console")
                        .build())));
  }

  /** The session of a state-changing request, which must come from a console page itself. */
  private ConsoleSession action(Context ctx) {
    ConsoleSession session = session(ctx);
    if (ctx.header("Origin") == null) {
      // Browsers send Origin with every POST, a page's own fetch included.
      throw new ConsoleError(403, "Origin: missing; actions come from the console's own pages");
    }
    sameOrigin(ctx);
    if (!session.csrf().equals(ctx.header(CSRF_HEADER))) {
      throw new ConsoleError(
          403, CSRF_HEADER + ": missing or wrong; reload the page and try again");
    }
    return session;
  }

  /** Refuses a POST whose Origin (sent by every browser on a POST) is another site. */
  private static void sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null) {
      return;
    }
    String expected = ctx.scheme() + "://" + ctx.host();
    if (!origin.equals(expected)) {
      throw new ConsoleError(403, "Origin: " + origin + " is not this console (" + expected + ")");
    }
  }

  private ConsoleSession session(Context ctx) {
    return sessions
        .find(ctx.cookie(COOKIE))
        .orElseThrow(() -> new ConsoleError(401, "signed out: sign in at /login"));
  }

  /** The session of a page request, or null after redirecting to the sign-in page. */
  private ConsoleSession pageSession(Context ctx) {
    ConsoleSession session = sessions.find(ctx.cookie(COOKIE)).orElse(null);
    if (session == null) {
      ctx.redirect(
          "/login?next="
              + java.net.URLEncoder.encode(ctx.path(), java.nio.charset.StandardCharsets.UTF_8),
          HttpStatus.SEE_OTHER);
    }
    return session;
  }

  private Handler page(java.util.function.Function<ConsoleSession, String> render) {
    return ctx -> {
      ConsoleSession session = pageSession(ctx);
      if (session != null) {
        ctx.html(render.apply(session));
      }
    };
  }

  private void securityHeaders(Context ctx) {
    ctx.header(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
  }

  private void failed(ConsoleError error, Context ctx) {
    ctx.status(error.httpStatus())
        .contentType("application/json")
        .result("{\"error\":" + TextNode.valueOf(error.getMessage()) + "}");
  }

  private static void json(Context ctx, String json) {
    ctx.contentType("application/json").result(json);
  }

  private static Map<String, String> query(Context ctx) {
    Map<String, String> out = new HashMap<>();
    ctx.queryParamMap().forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(0)));
    return out;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sampler.close();
    feeds.close();
    simulations.close();
    synchronized (this) {
      if (app != null) {
        app.stop();
      }
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
