package io.tern.scheduler.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one JSON line per call to a mutating rpc, when it ends: when, who (user or agent,
 * and from where), what (the rpc and the ids it named: job, team, node, window, token), and the
 * result (the gRPC status, and the id it made). Lines go to the {@code tern.audit} logger and, when
 * a file is given, are appended to it. Values that could hold secrets (a token's value, a job's
 * command or environment) never appear: only the fields listed in {@link #NAMED} are copied.
 *
 * <p>It must run inside {@link Authenticator} (registered before it), so the caller is known.
 */
public final class AuditLog implements ServerInterceptor, Closeable {
  private static final Logger log = LoggerFactory.getLogger("tern.audit");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fields copied from requests and answers, by name, in nested messages too. */
  private static final Set<String> NAMED =
      Set.of(
          "job_id",
          "id",
          "team",
          "name",
          "node_id",
          "user",
          "roles",
          "teams",
          "checkpoint_jobs",
          "digest");

  /** Nested messages whose named fields are copied. */
  private static final Set<String> NESTED =
      Set.of("spec", "info", "window", "budget", "register", "job");

  private static final Map<Descriptor, List<FieldDescriptor>> COPIED_FIELDS =
      new ConcurrentHashMap<>();

  private final Clock clock;
  private final BufferedWriter file;

  /**
   * @param file where to append the lines, or null for the logger only
   */
  public AuditLog(Clock clock, Path file) throws IOException {
    this.clock = clock;
    this.file =
        file == null
            ? null
            : Files.newBufferedWriter(
                file,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!AccessRules.mutating(method)) {
      return next.startCall(call, headers);
    }
    Principal caller = Principal.current();
    ObjectNode entry =
        entry(call, caller.name(), caller.kind().name().toLowerCase(java.util.Locale.ROOT));
    ObjectNode request = entry.putObject("request");
    ObjectNode answer = JSON.createObjectNode();
    ServerCall<Q, R> recorded =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          private boolean answered;

          @Override
          public void sendMessage(R message) {
            if (!answered && message instanceof Message proto) {
              answered = true;
              copyNamed(proto, answer);
            }
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            write(entry, answer, status);
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<Q> listener = next.startCall(recorded, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      private boolean seen;

      @Override
      public void onMessage(Q message) {
        if (!seen && message instanceof Message proto) {
          seen = true;
          copyNamed(proto, request);
        }
        super.onMessage(message);
      }
    };
  }

  /**
   * Records a call to a mutating rpc that was refused before it started: no credentials, a bad
   * token, or a caller without the role. {@code who} is whoever the caller claimed or proved to be.
   */
  void refused(ServerCall<?, ?> call, String who, String kind, Status status) {
    refused(call, who, kind, null, status);
  }

  /**
   * As {@link #refused(ServerCall, String, String, Status)}, for a call refused on a message it
   * sent (an agent registering a node its certificate does not name): the message's named fields
   * are the line's {@code request}.
   */
  void refused(ServerCall<?, ?> call, String who, String kind, Message request, Status status) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!AccessRules.mutating(method)) {
      return;
    }
    ObjectNode entry = entry(call, who, kind);
    if (request != null) {
      copyNamed(request, entry.putObject("request"));
    }
    write(entry, JSON.createObjectNode(), status);
  }

  /**
   * Records an action the web console takes itself rather than through an rpc (a simulation run),
   * in the same line format: {@code action} in place of the rpc's name, the browser's address as
   * {@code from}, and the status the action ended with, as an rpc's would be.
   */
  public void consoleAction(
      String action, String who, String from, ObjectNode request, Status result) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("rpc", action);
    entry.put("who", who);
    entry.put("kind", "console");
    entry.put("from", from);
    entry.set("request", request);
    write(entry, JSON.createObjectNode(), result);
  }

  private static ObjectNode entry(ServerCall<?, ?> call, String who, String kind) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("rpc", call.getMethodDescriptor().getFullMethodName());
    entry.put("who", who);
    entry.put("kind", kind);
    entry.put("from", String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    return entry;
  }

  private void write(ObjectNode entry, ObjectNode answer, Status status) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", clock.instant().toString());
    line.setAll(entry);
    line.put("result", status.getCode().name());
    if (status.getDescription() != null) {
      String description = status.getDescription();
      line.put(
          "detail", description.length() > 300 ? description.substring(0, 300) + "…" : description);
    }
    if (!answer.isEmpty()) {
      line.set("answer", answer);
    }
    String text = line.toString();
    log.info(text);
    if (file != null) {
      synchronized (file) {
        try {
          file.write(text);
          file.newLine();
          file.flush();
        } catch (IOException e) {
          log.error("cannot append to the audit log file: {}", e.toString());
        }
      }
    }
  }

  static void copyNamed(Message message, ObjectNode into) {
    for (FieldDescriptor field : copiedFields(message.getDescriptorForType())) {
      boolean set =
          field.isRepeated() ? message.getRepeatedFieldCount(field) > 0 : message.hasField(field);
      if (!set) {
        continue;
      }
      String name = field.getName();
      Object value = message.getField(field);
      if (NESTED.contains(name) && value instanceof Message nested) {
        copyNamed(nested, into.putObject(name));
      } else if (NAMED.contains(name)) {
        into.put(name, value instanceof Message ? "…" : String.valueOf(value));
      }
    }
  }

  /**
   * The fields of {@code type} that {@link #copyNamed} may copy, by field number (the order {@link
   * Message#getAllFields} gave). Worked out once per type: reading every set field of each answer
   * (a whole job, for a submit) by reflection only to keep a few cost more than the rest of a
   * submit's audit line.
   */
  private static List<FieldDescriptor> copiedFields(Descriptor type) {
    return COPIED_FIELDS.computeIfAbsent(
        type,
        t ->
            t.getFields().stream()
                .filter(f -> NAMED.contains(f.getName()) || NESTED.contains(f.getName()))
                .sorted(java.util.Comparator.comparingInt(FieldDescriptor::getNumber))
                .toList());
  }

  @Override
  public void close() throws IOException {
    if (file != null) {
      synchronized (file) {
        file.close();
      }
    }
  }
}
