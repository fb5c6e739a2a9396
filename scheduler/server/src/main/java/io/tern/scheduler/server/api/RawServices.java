package io.tern.scheduler.server.api;

import io.grpc.Attributes;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves a service's methods as bytes on the wire and parses requests itself, so that:
 *
 * <ul>
 *   <li>a request that is not a valid protobuf message of the method's type (malformed bytes,
 *       invalid UTF-8 in a string field) ends the call with INVALID_ARGUMENT naming the message
 *       type, instead of gRPC's UNKNOWN "Application error processing RPC" and a SEVERE stack trace
 *       in the log per request;
 *   <li>a standby can relay a call to the leader byte for byte ({@link LeaderForwarding}) without
 *       parsing it, and serve it here otherwise.
 * </ul>
 *
 * The wrapped service keeps its schema descriptor, so server reflection still describes it.
 */
public final class RawServices {
  /** Messages as their bytes on the wire. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new WireBytes(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return read(stream);
          } catch (StatusRuntimeException e) {
            // Decompressed past the size limit: gRPC's RESOURCE_EXHAUSTED, as for a frame sent
            // too large, which an exception thrown from here would turn into UNKNOWN.
            WHY_UNREADABLE.set(e.getStatus());
            return UNREADABLE;
          } catch (UncheckedIOException e) {
            // A compressed frame that does not decompress (e.g. not gzip at all).
            WHY_UNREADABLE.set(
                Status.INVALID_ARGUMENT.withDescription(
                    "request: cannot be read (" + e.getCause().getMessage() + ")"));
            return UNREADABLE;
          }
        }

        private static byte[] read(InputStream stream) {
          try (stream) {
            if (stream instanceof KnownLength) {
              // gRPC's message streams (a request's frame, a serialized answer) know their size:
              // one array of that size, not readAllBytes' 16 KiB buffers copied per message.
              byte[] bytes = new byte[stream.available()];
              int read = stream.readNBytes(bytes, 0, bytes.length);
              if (read == bytes.length && stream.read() < 0) {
                return bytes;
              }
              throw new IOException(
                  "a message stream said it held " + bytes.length + " bytes but did not");
            }
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /**
   * Bytes to send, with their length known and drained in one write, so that gRPC's framer neither
   * buffers them again nor copies them through a fresh 8 KiB buffer.
   */
  private static final class WireBytes extends ByteArrayInputStream
      implements KnownLength, Drainable {
    WireBytes(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  /**
   * What {@link #BYTES} gives for a message it could not read: gRPC hands it on as a message (on
   * the thread that parsed it), and the call's listener ends the call with {@link #unreadable}.
   */
  private static final byte[] UNREADABLE = new byte[0];

  private static final ThreadLocal<Status> WHY_UNREADABLE = new ThreadLocal<>();

  private RawServices() {}

  /**
   * gRPC's codecs, with gzip read lazily: gRPC's own opens the gzip stream, and reads its header,
   * before any message is parsed, so a frame marked gzip that is not gzip ends the call UNKNOWN
   * with a SEVERE log; here its first read fails in {@link #BYTES}, and the call ends
   * INVALID_ARGUMENT.
   */
  public static io.grpc.DecompressorRegistry decompressors() {
    return io.grpc.DecompressorRegistry.emptyInstance()
        .with(io.grpc.Codec.Identity.NONE, false)
        .with(
            new io.grpc.Decompressor() {
              @Override
              public String getMessageEncoding() {
                return "gzip";
              }

              @Override
              public InputStream decompress(InputStream compressed) {
                return new LazyGzip(compressed);
              }
            },
            true);
  }

  /** A gzip stream opened on its first read. */
  private static final class LazyGzip extends InputStream {
    private final InputStream compressed;
    private InputStream gzip;

    LazyGzip(InputStream compressed) {
      this.compressed = compressed;
    }

    private InputStream gzip() throws IOException {
      if (gzip == null) {
        gzip = new java.util.zip.GZIPInputStream(compressed);
      }
      return gzip;
    }

    @Override
    public int read() throws IOException {
      return gzip().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return gzip().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      (gzip != null ? gzip : compressed).close();
    }
  }

  /**
   * Why {@code message} could not be read, or null when it is a message: call it from the listener
   * {@code message} was handed to, before anything else is parsed on that thread.
   */
  static Status unreadable(byte[] message) {
    if (message != UNREADABLE) {
      return null;
    }
    Status why = WHY_UNREADABLE.get();
    WHY_UNREADABLE.remove();
    return why != null ? why : Status.INVALID_ARGUMENT.withDescription("request: cannot be read");
  }

  /** {@code service} with requests parsed here: a malformed one is INVALID_ARGUMENT. */
  public static ServerServiceDefinition parsedHere(ServerServiceDefinition service) {
    return wrap(service, null);
  }

  /**
   * {@code service} relayed to the leader while {@code forwarding} says so, and served here (with
   * requests parsed as in {@link #parsedHere}) otherwise.
   */
  public static ServerServiceDefinition forwardedToLeader(
      ServerServiceDefinition service, LeaderForwarding forwarding) {
    return wrap(service, forwarding);
  }

  private static ServerServiceDefinition wrap(
      ServerServiceDefinition service, LeaderForwarding forwarding) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<byte[], byte[]>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      methods.add(raw(method, forwarding));
    }
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(out::addMethod);
    return out.build();
  }

  private static <Q, R> ServerMethodDefinition<byte[], byte[]> raw(
      ServerMethodDefinition<Q, R> typed, LeaderForwarding forwarding) {
    MethodDescriptor<byte[], byte[]> method =
        typed.getMethodDescriptor().toBuilder(BYTES, BYTES).build();
    ServerCallHandler<byte[], byte[]> handler =
        (call, headers) -> {
          String leader =
              forwarding == null ? null : forwarding.leaderFor(call, headers).orElse(null);
          return leader != null
              ? forwarding.forward(call, headers, leader)
              : parse(typed, call, headers);
        };
    return ServerMethodDefinition.create(method, handler);
  }

  private static <Q, R> ServerCall.Listener<byte[]> parse(
      ServerMethodDefinition<Q, R> typed, ServerCall<byte[], byte[]> call, Metadata headers) {
    MethodDescriptor<Q, R> method = typed.getMethodDescriptor();
    ServerCall.Listener<Q> listener =
        typed.getServerCallHandler().startCall(new TypedCall<>(call, method), headers);
    return new ServerCall.Listener<>() {
      private boolean refused;

      @Override
      public void onMessage(byte[] bytes) {
        if (refused) {
          return;
        }
        Status unreadable = unreadable(bytes);
        if (unreadable != null) {
          refused = true;
          call.close(unreadable, new Metadata());
          return;
        }
        Q request;
        try {
          request = method.parseRequest(new ByteArrayInputStream(bytes));
        } catch (RuntimeException e) {
          refused = true;
          call.close(malformed(method, e), new Metadata());
          return;
        }
        listener.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          listener.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        listener.onCancel();
      }

      @Override
      public void onComplete() {
        listener.onComplete();
      }

      @Override
      public void onReady() {
        if (!refused) {
          listener.onReady();
        }
      }
    };
  }

  /**
   * INVALID_ARGUMENT naming the request type and what protobuf found wrong, e.g. {@code request:
   * not a valid tern.v1.SubmitJobRequest message (Protocol message had invalid UTF-8.)}.
   */
  static Status malformed(MethodDescriptor<?, ?> method, RuntimeException e) {
    Throwable cause =
        e instanceof StatusRuntimeException && e.getCause() != null ? e.getCause() : e;
    String type =
        method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> proto
                && proto.getMessagePrototype() instanceof com.google.protobuf.Message message
            ? message.getDescriptorForType().getFullName()
            : "request";
    return Status.INVALID_ARGUMENT.withDescription(
        "request: not a valid " + type + " message (" + cause.getMessage() + ")");
  }

  /** The service's typed view of a byte-level call: answers are serialized on their way out. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<byte[], byte[]> call;
    private final MethodDescriptor<Q, R> method;

    TypedCall(ServerCall<byte[], byte[]> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(BYTES.parse(method.streamResponse(message)));
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }
  }
}
