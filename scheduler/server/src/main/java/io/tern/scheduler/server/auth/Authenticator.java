package io.tern.scheduler.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.AgentMessage;
import io.tern.security.pki.IdentityKind;
import io.tern.security.tls.PeerIdentity;
import io.tern.security.token.BearerToken;
import io.tern.security.token.TokenCredentials;
import java.util.Locale;
import java.util.Optional;

/**
 * Works out who is calling and whether they may call this rpc at all, then puts the {@link
 * Principal} in the call's context for the services' team checks.
 *
 * <p>With authentication on (the scheduler serves TLS): a bearer token makes a user; otherwise a
 * verified agent certificate makes an agent; otherwise the call is refused. An agent's stream may
 * register only the node its certificate names. Users are rate-limited per name. With
 * authentication off (plaintext, local use): everyone is a {@link Principal.Kind#LOCAL} caller
 * named by the {@code tern-user} header, as before.
 */
public final class Authenticator implements ServerInterceptor {
  /** The OS user name the CLI sends; a job's owner when authentication is off. */
  public static final Metadata.Key<String> USER_HEADER =
      Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenStore tokens;
  private final RateLimiter limiter;
  private final AuditLog audit;

  private Authenticator(TokenStore tokens, RateLimiter limiter, AuditLog audit) {
    this.tokens = tokens;
    this.limiter = limiter;
    this.audit = audit;
  }

  /**
   * Authentication off: every caller is local and may do anything, under the name it gives (its
   * {@code tern-user}); a name that cannot be a user's is refused, unaudited.
   */
  public static Authenticator off() {
    return new Authenticator(null, RateLimiter.unlimited(), null);
  }

  /**
   * Authentication on: tokens from {@code tokens}, agents by certificate, users rate-limited;
   * refused calls to mutating rpcs go to {@code audit}.
   */
  public static Authenticator on(TokenStore tokens, RateLimiter limiter, AuditLog audit) {
    return new Authenticator(tokens, limiter, audit);
  }

  public boolean enabled() {
    return tokens != null;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal caller;
    try {
      caller = identify(call, headers, method);
    } catch (Refused refused) {
      if (audit != null) {
        audit.refused(call, refused.who, refused.kind, refused.status);
      }
      call.close(refused.status, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValue(Principal.CURRENT, caller);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, call, headers, next);
    if (caller.kind() == Principal.Kind.AGENT) {
      return new NodeBoundListener<>(listener, call, caller.name(), audit);
    }
    return listener;
  }

  private Principal identify(ServerCall<?, ?> call, Metadata headers, String method) {
    AccessRules.Requirement requirement = AccessRules.requirement(method);
    if (!enabled()) {
      return Principal.local(localName(headers));
    }
    if (requirement == null) {
      throw new Refused(
          "unknown",
          "unknown",
          Status.PERMISSION_DENIED.withDescription(
              method + " has no access rule; nobody may call it"));
    }
    Principal caller;
    try {
      caller = authenticate(call, headers, requirement);
    } catch (StatusRuntimeException e) {
      throw new Refused(claimed(headers), "unauthenticated", e.getStatus());
    }
    String kind = caller.kind().name().toLowerCase(Locale.ROOT);
    if (!AccessRules.allows(requirement, caller)) {
      throw new Refused(
          caller.name(),
          kind,
          Status.PERMISSION_DENIED.withDescription(
              describe(caller) + " may not call " + method + ": " + needs(requirement)));
    }
    if (caller.kind() == Principal.Kind.USER && !limiter.tryAcquire(caller.name())) {
      throw new Refused(
          caller.name(),
          kind,
          Status.RESOURCE_EXHAUSTED.withDescription(
              "rate limit: "
                  + caller.name()
                  + " is over "
                  + (long) limiter.perSecond()
                  + " calls a second; retry shortly"));
    }
    return caller;
  }

  /**
   * The name a caller gives on a scheduler without authentication: its {@code tern-user}, which
   * becomes its jobs' owner, checked as a token's user name is; {@code unknown} when it gives none.
   */
  private static String localName(Metadata headers) {
    String name = onlyOne(headers, USER_HEADER);
    if (name == null || name.isEmpty()) {
      return "unknown";
    }
    if (!TokenStore.USER.matcher(name).matches()) {
      throw new Refused(
          "unknown",
          "unknown",
          Status.INVALID_ARGUMENT.withDescription(
              "tern-user: 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter"
                  + " or digit, got \""
                  + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                  + "\""));
    }
    return name;
  }

  /**
   * The header's value, or null without one; a header given twice is refused: which of two
   * credentials counts must not depend on who reads them.
   */
  private static String onlyOne(Metadata headers, Metadata.Key<String> key) {
    Iterable<String> all = headers.getAll(key);
    if (all == null) {
      return null;
    }
    java.util.Iterator<String> values = all.iterator();
    String value = values.next();
    if (values.hasNext()) {
      throw new Refused(
          "unknown",
          "unauthenticated",
          Status.UNAUTHENTICATED.withDescription(
              key.name() + ": given more than once; give it once"));
    }
    return value;
  }

  /** Who a refused caller claimed to be, for the audit log: never a token's secret. */
  private static String claimed(Metadata headers) {
    String authorization = headers.get(TokenCredentials.AUTHORIZATION);
    if (authorization == null) {
      return "anonymous";
    }
    return BearerToken.parse(authorization.replaceFirst("(?i)^bearer ", ""))
        .map(token -> "token " + token.id())
        .orElse("malformed token");
  }

  private Principal authenticate(
      ServerCall<?, ?> call, Metadata headers, AccessRules.Requirement requirement) {
    String authorization = onlyOne(headers, TokenCredentials.AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw Denials.unauthenticated("authorization: expected 'Bearer tern_...'");
      }
      BearerToken token =
          BearerToken.parse(authorization.substring(7))
              .orElseThrow(
                  () ->
                      Denials.unauthenticated(
                          "authorization: not a Tern token (tern_<id>_<secret>)"));
      return tokens.authenticate(token);
    }
    Optional<PeerIdentity> peer = PeerIdentity.of(call.getAttributes());
    if (peer.isPresent() && peer.get().kind() == IdentityKind.AGENT) {
      return Principal.agent(peer.get().name());
    }
    if (requirement == AccessRules.Requirement.PUBLIC) {
      return Principal.anonymous();
    }
    throw Denials.unauthenticated(
        "no credentials: users give a token (--token-file, TERN_TOKEN or token: in ~/.tern/config.yaml;"
            + " an admin makes one with 'tern admin token create'), agents a client certificate");
  }

  private static String describe(Principal caller) {
    return (caller.kind() == Principal.Kind.AGENT ? "agent " : "user ") + caller.name();
  }

  private static String needs(AccessRules.Requirement requirement) {
    return switch (requirement) {
      case USER -> "it is for users, not agents";
      case FINOPS -> "it needs the finops or admin role";
      case ADMIN -> "it needs the admin role";
      case AGENT -> "it is for node agents, which present a certificate naming their node";
      case PUBLIC, ANYONE_KNOWN -> "";
    };
  }

  /** A call refused before it starts: who it claimed to be, and the status it gets. */
  private static final class Refused extends RuntimeException {
    final String who;
    final String kind;
    final Status status;

    Refused(String who, String kind, Status status) {
      super(status.getDescription(), null, false, false);
      this.who = who;
      this.kind = kind;
      this.status = status;
    }
  }

  /** Ends an agent's stream when it tries to register a node other than its certificate's. */
  private static final class NodeBoundListener<Q>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, ?> call;
    private final String nodeId;
    private final AuditLog audit;
    private boolean closed;

    NodeBoundListener(
        ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, String nodeId, AuditLog audit) {
      super(delegate);
      this.call = call;
      this.nodeId = nodeId;
      this.audit = audit;
    }

    @Override
    public void onMessage(Q message) {
      if (closed) {
        return;
      }
      if (message instanceof AgentMessage agent
          && agent.hasRegister()
          && !agent.getRegister().getNodeId().equals(nodeId)) {
        closed = true;
        Status refused =
            Status.PERMISSION_DENIED.withDescription(
                "agent "
                    + nodeId
                    + " may not register node '"
                    + agent.getRegister().getNodeId()
                    + "': its certificate names "
                    + nodeId);
        // Closed here, past the audit's view of the call: recorded as a refusal instead.
        audit.refused(call, nodeId, "agent", agent, refused);
        call.close(refused, new Metadata());
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!closed) {
        super.onHalfClose();
      }
    }
  }
}
