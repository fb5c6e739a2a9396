package io.tern.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.ClientTls;
import io.tern.security.tls.PeerIdentity;
import io.tern.security.tls.ServerTls;
import io.tern.security.token.BearerToken;
import io.tern.security.token.TokenCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS over loopback: a gRPC server with a certificate from {@link LocalCa}, and clients that
 * trust it, present agent certificates, present nothing, or speak plaintext.
 */
class TlsLoopbackTest {
  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };
  private static final MethodDescriptor<String, String> WHO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Who/Am")
          .setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT)
          .build();
  private static final Context.Key<String> PEER = Context.key("peer");
  private static final Context.Key<String> AUTH = Context.key("auth");

  @TempDir Path dir;
  private TlsLayout layout;
  private LocalCa ca;
  private Server server;

  @BeforeEach
  void start() throws Exception {
    layout = new TlsLayout(dir);
    ca = LocalCa.init(layout, List.of(), Duration.ofDays(1), Clock.systemUTC());
    ServerServiceDefinition who =
        ServerServiceDefinition.builder("test.Who")
            .addMethod(
                WHO,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      response.onNext(PEER.get() + "|" + AUTH.get());
                      response.onCompleted();
                    }))
            .build();
    ServerInterceptor identify =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String peer =
                PeerIdentity.of(call.getAttributes())
                    .map(id -> id.kind() + ":" + id.name())
                    .orElse("none");
            String auth = headers.get(TokenCredentials.AUTHORIZATION);
            return Contexts.interceptCall(
                Context.current().withValues(PEER, peer, AUTH, String.valueOf(auth)),
                call,
                headers,
                next);
          }
        };
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), ServerTls.of(layout).credentials())
            .addService(ServerInterceptors.intercept(who, identify))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String call(ChannelCredentials credentials, CallOptions options) {
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + server.getPort(), credentials).build();
    try {
      return ClientCalls.blockingUnaryCall(channel, WHO, options, "hi");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void anAgentCertificateNamesItsNode() throws Exception {
    LocalCa.write(
        ca.issue(IdentityKind.AGENT, "node-7", List.of(), Duration.ofDays(1)),
        layout.agentCertificate("node-7"),
        layout.agentKey("node-7"));
    ClientTls tls =
        new ClientTls(
            layout.caCertificate(), layout.agentCertificate("node-7"), layout.agentKey("node-7"));

    assertThat(call(tls.credentials(), CallOptions.DEFAULT)).isEqualTo("AGENT:node-7|null");
  }

  @Test
  void aClientWithoutCertificateIsAnonymousAndItsTokenArrives() throws Exception {
    BearerToken token = BearerToken.generate();
    String answer =
        call(
            ClientTls.trusting(layout.caCertificate()).credentials(),
            CallOptions.DEFAULT.withCallCredentials(new TokenCredentials(token)));

    assertThat(answer).isEqualTo("none|Bearer " + token.value());
  }

  @Test
  void plaintextToTheTlsPortFails() {
    assertThatThrownBy(() -> call(InsecureChannelCredentials.create(), CallOptions.DEFAULT))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aTokenIsNeverSentOverPlaintext() throws Exception {
    Server plain =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerServiceDefinition.builder("test.Who")
                    .addMethod(
                        WHO,
                        ServerCalls.asyncUnaryCall(
                            (request, response) -> {
                              response.onNext("reached");
                              response.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + plain.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      assertThatThrownBy(
              () ->
                  ClientCalls.blockingUnaryCall(
                      channel,
                      WHO,
                      CallOptions.DEFAULT.withCallCredentials(
                          new TokenCredentials(BearerToken.generate())),
                      "hi"))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("over plaintext");
    } finally {
      channel.shutdownNow();
      plain.shutdownNow();
    }
  }

  @Test
  void aServerFromAnotherCaIsRefused(@TempDir Path other) throws Exception {
    LocalCa.create(new TlsLayout(other), Duration.ofDays(1), Clock.systemUTC());

    assertThatThrownBy(
            () ->
                call(
                    ClientTls.trusting(new TlsLayout(other).caCertificate()).credentials(),
                    CallOptions.DEFAULT))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void anAgentCertificateFromAnotherCaIsNotAnIdentity(@TempDir Path other) throws Exception {
    TlsLayout foreign = new TlsLayout(other);
    LocalCa stranger = LocalCa.create(foreign, Duration.ofDays(1), Clock.systemUTC());
    LocalCa.write(
        stranger.issue(IdentityKind.AGENT, "node-7", List.of(), Duration.ofDays(1)),
        foreign.agentCertificate("node-7"),
        foreign.agentKey("node-7"));
    ClientTls tls =
        new ClientTls(
            layout.caCertificate(), foreign.agentCertificate("node-7"), foreign.agentKey("node-7"));

    // The TLS handshake refuses a client certificate the server's CA did not sign.
    assertThatThrownBy(() -> call(tls.credentials(), CallOptions.DEFAULT))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }
}
