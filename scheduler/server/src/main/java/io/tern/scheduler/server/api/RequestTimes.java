package io.tern.scheduler.server.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.spec.ProtoTimes;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses a client's request holding a {@code google.protobuf.Duration} or {@code Timestamp} that
 * protobuf does not allow (nanos outside a second, or of the other sign than the seconds; a time
 * outside 0001-9999), as INVALID_ARGUMENT naming the field by its proto path, e.g. {@code ttl: is
 * not a valid duration (seconds 5, nanos -5): ...} or {@code window.duration: ...}. Such a value
 * would otherwise be read as some other length or time. A job spec is left to its own validation,
 * which names its fields by their spec keys ({@code spec.maxRuntime}).
 *
 * <p>Registered innermost (after authentication and the audit), so a refused call is audited.
 */
public final class RequestTimes implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        Optional<String> problem =
            message instanceof Message proto ? problem(proto, "") : Optional.empty();
        if (problem.isPresent()) {
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(problem.get()), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }
    };
  }

  /** Per request type: whether a Duration or Timestamp can lie in it (outside a job spec). */
  private static final Map<Descriptor, Boolean> HOLDS_TIMES = new ConcurrentHashMap<>();

  /** The first invalid Duration or Timestamp in {@code message}, as {@code path: problem}. */
  static Optional<String> problem(Message message, String prefix) {
    if (!HOLDS_TIMES.computeIfAbsent(
        message.getDescriptorForType(), type -> holdsTimes(type, new HashSet<>()))) {
      return Optional.empty(); // most requests (a submit): no reflection over their fields
    }
    for (var set : message.getAllFields().entrySet()) {
      FieldDescriptor field = set.getKey();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      Descriptor type = field.getMessageType();
      if (type.equals(JobSpec.getDescriptor())) {
        continue;
      }
      String path = prefix + field.getName();
      if (field.isRepeated()) {
        int i = 0;
        for (Object value : (java.util.List<?>) set.getValue()) {
          Optional<String> bad = problemOf((Message) value, path + "[" + i++ + "]");
          if (bad.isPresent()) {
            return bad;
          }
        }
      } else {
        Optional<String> bad = problemOf((Message) set.getValue(), path);
        if (bad.isPresent()) {
          return bad;
        }
      }
    }
    return Optional.empty();
  }

  private static boolean holdsTimes(Descriptor type, Set<Descriptor> seen) {
    if (type.equals(Duration.getDescriptor()) || type.equals(Timestamp.getDescriptor())) {
      return true;
    }
    if (!seen.add(type)) {
      return false;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !field.getMessageType().equals(JobSpec.getDescriptor())
          && holdsTimes(field.getMessageType(), seen)) {
        return true;
      }
    }
    return false;
  }

  private static Optional<String> problemOf(Message value, String path) {
    Optional<String> bad =
        switch (value) {
          case Duration d -> ProtoTimes.durationProblem(d);
          case Timestamp t -> ProtoTimes.timestampProblem(t);
          default -> Optional.<String>empty();
        };
    if (bad.isPresent()) {
      return Optional.of(path + ": " + bad.get());
    }
    if (value instanceof Duration || value instanceof Timestamp) {
      return Optional.empty();
    }
    return problem(value, path + ".");
  }
}
