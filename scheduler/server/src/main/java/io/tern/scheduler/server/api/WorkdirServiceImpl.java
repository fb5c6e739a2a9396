package io.tern.scheduler.server.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.HasWorkdirRequest;
import io.tern.api.v1.HasWorkdirResponse;
import io.tern.api.v1.UploadWorkdirRequest;
import io.tern.api.v1.UploadWorkdirResponse;
import io.tern.api.v1.WorkdirServiceGrpc;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.spec.workdir.WorkdirArchive;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the packed working directories {@code tern submit} uploads and keeps them in the checkpoint
 * store, where agents fetch them (proto {@code WorkdirService}). An upload is spooled to a local
 * temporary file while its SHA-256 is computed, and reaches the store only when size and digest
 * match what the first message announced. Serves on gRPC's threads; holds no scheduler state.
 */
public final class WorkdirServiceImpl extends WorkdirServiceGrpc.WorkdirServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(WorkdirServiceImpl.class);

  /** The largest archive taken: ten times what a client ships by default. */
  public static final long MAX_ARCHIVE_BYTES = 1L << 30;

  static final int MAX_CHUNK_BYTES = 1 << 20;

  private final Optional<WorkdirStore> store;
  private final AtomicLong stored = new AtomicLong();

  /**
   * @param store where archives go; empty for a scheduler without a checkpoint store, which refuses
   *     every call
   */
  public WorkdirServiceImpl(Optional<WorkdirStore> store) {
    this.store = store;
  }

  /** How many uploads this replica wrote into the store (not counting ones it held already). */
  public long stored() {
    return stored.get();
  }

  @Override
  public void hasWorkdir(HasWorkdirRequest request, StreamObserver<HasWorkdirResponse> response) {
    try {
      WorkdirStore s = requireStore();
      String digest = request.getDigest();
      // Marked used: a prune of unused code that listed it before now keeps it for this submit.
      boolean present = !digest.isEmpty() && s.keep(requireDigest(digest));
      response.onNext(HasWorkdirResponse.newBuilder().setPresent(present).build());
      response.onCompleted();
    } catch (IOException e) {
      log.warn("cannot look up workdir {}: {}", request.getDigest(), e.toString());
      response.onError(
          Status.UNAVAILABLE
              .withDescription("the checkpoint store: " + e.getMessage())
              .asException());
    } catch (io.grpc.StatusRuntimeException e) {
      response.onError(e);
    }
  }

  @Override
  public StreamObserver<UploadWorkdirRequest> uploadWorkdir(
      StreamObserver<UploadWorkdirResponse> response) {
    return new Upload(response);
  }

  private WorkdirStore requireStore() {
    return store.orElseThrow(
        () ->
            Status.FAILED_PRECONDITION
                .withDescription(
                    "this scheduler has no checkpoint store (tern scheduler --checkpoint-store), so"
                        + " it cannot keep the code of jobs")
                .asRuntimeException());
  }

  private static String requireDigest(String digest) {
    if (!WorkdirArchive.isDigest(digest)) {
      throw Status.INVALID_ARGUMENT
          .withDescription("digest: must be a SHA-256 in 64 lowercase hex digits")
          .asRuntimeException();
    }
    return digest;
  }

  /** One upload: spooled, hashed, checked, stored. */
  private final class Upload implements StreamObserver<UploadWorkdirRequest> {
    private final StreamObserver<UploadWorkdirResponse> response;
    private final MessageDigest sha;
    private String digest;
    private long size;
    private long received;
    private Path spool;
    private OutputStream out;
    private boolean failed;

    Upload(StreamObserver<UploadWorkdirResponse> response) {
      this.response = response;
      try {
        this.sha = MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void onNext(UploadWorkdirRequest message) {
      if (failed) {
        return;
      }
      try {
        if (digest != null && !message.getDigest().isEmpty()) {
          throw Status.INVALID_ARGUMENT
              .withDescription("digest: only in the upload's first message")
              .asRuntimeException();
        }
        if (digest == null) {
          requireStore();
          digest = requireDigest(message.getDigest());
          size = message.getSize();
          if (size < 0) {
            throw Status.INVALID_ARGUMENT
                .withDescription("size: must not be negative")
                .asRuntimeException();
          }
          if (size > MAX_ARCHIVE_BYTES) {
            throw Status.RESOURCE_EXHAUSTED
                .withDescription(
                    "size: "
                        + size
                        + " bytes is over this scheduler's limit of "
                        + MAX_ARCHIVE_BYTES)
                .asRuntimeException();
          }
          spool = Files.createTempFile("tern-workdir-", ".zip");
          out = Files.newOutputStream(spool);
        }
        byte[] chunk = message.getChunk().toByteArray();
        if (chunk.length > MAX_CHUNK_BYTES) {
          throw Status.INVALID_ARGUMENT
              .withDescription("chunk: at most " + MAX_CHUNK_BYTES + " bytes")
              .asRuntimeException();
        }
        received += chunk.length;
        if (received > size) {
          throw Status.INVALID_ARGUMENT
              .withDescription("size: the upload is longer than the " + size + " bytes announced")
              .asRuntimeException();
        }
        sha.update(chunk);
        out.write(chunk);
      } catch (io.grpc.StatusRuntimeException e) {
        fail(e);
      } catch (IOException e) {
        fail(
            Status.UNAVAILABLE
                .withDescription("cannot spool the upload: " + e)
                .asRuntimeException());
      }
    }

    @Override
    public void onError(Throwable t) {
      failed = true;
      cleanUp();
    }

    @Override
    public void onCompleted() {
      if (failed) {
        return;
      }
      try {
        if (digest == null) {
          throw Status.INVALID_ARGUMENT
              .withDescription("digest: the upload sent no message")
              .asRuntimeException();
        }
        out.close();
        if (received != size) {
          throw Status.INVALID_ARGUMENT
              .withDescription("size: " + size + " bytes announced, " + received + " received")
              .asRuntimeException();
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(digest)) {
          throw Status.INVALID_ARGUMENT
              .withDescription("digest: the bytes received hash to " + actual)
              .asRuntimeException();
        }
        try {
          WorkdirArchive.check(spool, WorkdirArchive.Limits.DEFAULT);
        } catch (io.tern.scheduler.spec.workdir.InvalidWorkdirException e) {
          // Refused now: stored, it would only fail each job that names it, on its node.
          throw Status.INVALID_ARGUMENT
              .withDescription("chunk: not code a job can run: " + e.getMessage())
              .asRuntimeException();
        }
        boolean wrote = requireStore().put(digest, spool);
        if (wrote) {
          stored.incrementAndGet();
          log.info("stored workdir sha256-{} ({} bytes)", digest, size);
        }
        response.onNext(
            UploadWorkdirResponse.newBuilder().setDigest(digest).setStored(wrote).build());
        response.onCompleted();
      } catch (io.grpc.StatusRuntimeException e) {
        response.onError(e);
      } catch (IOException e) {
        log.warn("cannot store workdir {}: {}", digest, e.toString());
        response.onError(
            Status.UNAVAILABLE
                .withDescription("the checkpoint store: " + e.getMessage())
                .asRuntimeException());
      } finally {
        cleanUp();
      }
    }

    private void fail(io.grpc.StatusRuntimeException e) {
      failed = true;
      cleanUp();
      response.onError(e);
    }

    private void cleanUp() {
      try {
        if (out != null) {
          out.close();
        }
        if (spool != null) {
          Files.deleteIfExists(spool);
        }
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", spool, e.toString());
      }
    }
  }
}
