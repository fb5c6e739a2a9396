package io.tern.scheduler.server.testing;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC client that knows nothing of Tern, as a platform team's own tooling would be: it learns
 * the services from server reflection, builds requests as {@link DynamicMessage}s by field name,
 * and can send hand-made bytes. Uses only grpc-java and protobuf-java; no Tern class, no generated
 * stub, no leader redirect.
 */
public final class ForeignClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final io.grpc.Channel calls;
  private final Map<String, FileDescriptorProto> protos = new HashMap<>();
  private final Map<String, FileDescriptor> files = new HashMap<>();

  /**
   * @param headers sent with every call (e.g. {@code authorization: Bearer ...}); may be empty
   */
  public ForeignClient(ManagedChannel channel, Metadata headers) {
    this.channel = channel;
    this.calls =
        io.grpc.ClientInterceptors.intercept(
            channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The service names reflection lists. */
  public List<String> services() throws Exception {
    List<String> out = new ArrayList<>();
    for (var service :
        reflect(ServerReflectionRequest.newBuilder().setListServices("").build())
            .getListServicesResponse()
            .getServiceList()) {
      out.add(service.getName());
    }
    return out;
  }

  /** The service {@code name}, described by the server's own reflection. */
  public ServiceDescriptor service(String name) throws Exception {
    ServerReflectionResponse response =
        reflect(ServerReflectionRequest.newBuilder().setFileContainingSymbol(name).build());
    for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto proto = FileDescriptorProto.parseFrom(bytes);
      protos.put(proto.getName(), proto);
    }
    for (String file : List.copyOf(protos.keySet())) {
      ServiceDescriptor found =
          build(file).findServiceByName(name.substring(name.lastIndexOf('.') + 1));
      if (found != null && found.getFullName().equals(name)) {
        return found;
      }
    }
    throw new IllegalArgumentException("reflection does not describe " + name);
  }

  private FileDescriptor build(String name) throws DescriptorValidationException {
    FileDescriptor built = files.get(name);
    if (built != null) {
      return built;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new IllegalStateException("reflection left out " + name);
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency));
    }
    built = FileDescriptor.buildFrom(proto, dependencies.toArray(new FileDescriptor[0]));
    files.put(name, built);
    return built;
  }

  private ServerReflectionResponse reflect(ServerReflectionRequest request) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(calls)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(request);
    requests.onCompleted();
    return answer.get(10, TimeUnit.SECONDS);
  }

  /**
   * A one-GPU job spec of team vision running {@code train}, built by field name from the reflected
   * JobSpec type (the {@code spec} field of {@code submitRequest}).
   */
  public static DynamicMessage jobSpec(Descriptor submitRequest, String name) {
    Descriptor spec = submitRequest.findFieldByName("spec").getMessageType();
    Descriptor resources = spec.findFieldByName("resources").getMessageType();
    return DynamicMessage.newBuilder(spec)
        .setField(spec.findFieldByName("name"), name)
        .setField(spec.findFieldByName("team"), "vision")
        .addRepeatedField(spec.findFieldByName("command"), "train")
        .setField(
            spec.findFieldByName("resources"),
            DynamicMessage.newBuilder(resources)
                .setField(resources.findFieldByName("gpus"), 1)
                .setField(resources.findFieldByName("nodes"), 1)
                .build())
        .build();
  }

  /** An empty request message of {@code method}, to fill in by field name. */
  public static DynamicMessage.Builder request(MethodDescriptor method) {
    return DynamicMessage.newBuilder(method.getInputType());
  }

  /** Calls a unary method. */
  public DynamicMessage unary(
      MethodDescriptor method, DynamicMessage request, long deadlineMillis) {
    return ClientCalls.blockingUnaryCall(calls, grpc(method), options(deadlineMillis), request);
  }

  /** Calls a server-streaming method; the answers arrive as the iterator is read. */
  public Iterator<DynamicMessage> stream(
      MethodDescriptor method, DynamicMessage request, long deadlineMillis) {
    return ClientCalls.blockingServerStreamingCall(
        calls, grpc(method), options(deadlineMillis), request);
  }

  /** Calls a client-streaming method with {@code requests}, in order; returns its one answer. */
  public DynamicMessage clientStream(
      MethodDescriptor method, List<DynamicMessage> requests, long deadlineMillis) {
    java.util.concurrent.CompletableFuture<DynamicMessage> answer =
        new java.util.concurrent.CompletableFuture<>();
    io.grpc.stub.StreamObserver<DynamicMessage> out =
        ClientCalls.asyncClientStreamingCall(
            calls.newCall(grpc(method), options(deadlineMillis)),
            new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(DynamicMessage value) {
                answer.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    requests.forEach(out::onNext);
    out.onCompleted();
    try {
      return answer.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw io.grpc.Status.fromThrowable(e.getCause()).asRuntimeException();
    }
  }

  /** Sends {@code bytes} as the request of {@code fullMethodName}, whatever they are. */
  public byte[] unaryBytes(String fullMethodName, byte[] bytes, long deadlineMillis) {
    return unaryBytes(fullMethodName, bytes, deadlineMillis, null);
  }

  /**
   * As {@link #unaryBytes(String, byte[], long)}, the request compressed with {@code compression}
   * (a compressor the channel knows, e.g. {@code gzip}), or not when null.
   */
  public byte[] unaryBytes(
      String fullMethodName, byte[] bytes, long deadlineMillis, String compression) {
    io.grpc.MethodDescriptor<byte[], byte[]> method =
        io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(fullMethodName)
            .setRequestMarshaller(RAW)
            .setResponseMarshaller(RAW)
            .build();
    CallOptions options = options(deadlineMillis);
    return ClientCalls.blockingUnaryCall(
        calls, method, compression == null ? options : options.withCompression(compression), bytes);
  }

  private CallOptions options(long deadlineMillis) {
    return CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  private io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpc(MethodDescriptor method) {
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(
            method.isServerStreaming()
                ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
                : method.isClientStreaming()
                    ? io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING
                    : io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(
            io.grpc.MethodDescriptor.generateFullMethodName(
                method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(empty(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(empty(method.getOutputType())))
        .build();
  }

  private static DynamicMessage empty(Descriptor type) {
    return DynamicMessage.getDefaultInstance(type);
  }

  private static final io.grpc.MethodDescriptor.Marshaller<byte[]> RAW =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
