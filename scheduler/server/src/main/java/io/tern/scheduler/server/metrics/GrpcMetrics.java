package io.tern.scheduler.server.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * gRPC calls by method and status code ({@code tern_grpc_server_handled_total}) and how long unary
 * calls took ({@code tern_grpc_server_handling_seconds}), refused ones included when it is the
 * outermost interceptor. Streams count when they end; their duration is their lifetime, so only
 * unary calls are timed.
 */
public final class GrpcMetrics implements ServerInterceptor {
  private final Counter handled;
  private final Histogram handling;

  GrpcMetrics(PrometheusRegistry registry) {
    handled =
        Counter.builder()
            .name("tern_grpc_server_handled_total")
            .help("gRPC calls finished, by full method name and status code")
            .labelNames("method", "code")
            .register(registry);
    handling =
        Histogram.builder()
            .name("tern_grpc_server_handling_seconds")
            .help("How long unary gRPC calls took, by full method name")
            .labelNames("method")
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean unary =
        call.getMethodDescriptor().getType().clientSendsOneMessage()
            && call.getMethodDescriptor().getType().serverSendsOneMessage();
    long start = System.nanoTime();
    return next.startCall(
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            handled.labelValues(method, status.getCode().name()).inc();
            if (unary) {
              handling.labelValues(method).observe((System.nanoTime() - start) / 1e9);
            }
            super.close(status, trailers);
          }
        },
        headers);
  }
}
