package io.tern.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.HasWorkdirRequest;
import io.tern.api.v1.UploadWorkdirRequest;
import io.tern.api.v1.UploadWorkdirResponse;
import io.tern.api.v1.WorkdirServiceGrpc;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.SchedulerClient;
import io.tern.scheduler.spec.workdir.UnshippableNameException;
import io.tern.scheduler.spec.workdir.WorkdirArchive;
import io.tern.scheduler.spec.workdir.WorkdirTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Ships a job's code with it (README "Code travels with the job"): packs the directory ({@link
 * WorkdirArchive}), asks the scheduler whether its store holds that digest already, uploads it in 1
 * MiB chunks only when not, and returns the digest for the spec's {@code workdir_digest}.
 *
 * @param dir the directory to pack
 * @param explicit whether the user asked for it ({@code --workdir}, a relative {@code workdir:});
 *     the submit directory, shipped by default, is skipped with a note when the scheduler keeps no
 *     code, where an explicit one is an error that says how to proceed
 * @param limitBytes the most the files may add up to ({@code --workdir-limit})
 */
record WorkdirShipping(Path dir, boolean explicit, long limitBytes) {
  private static final int CHUNK = 1 << 20;

  /** Packed code up to this size stays in memory, more goes on to a temporary file. */
  private static final int IN_MEMORY = 16 << 20;

  /**
   * The digest to put in the spec, or null when the scheduler keeps no code and the directory was
   * only the default.
   *
   * @param notes where what happened is said (stderr: stdout carries the job id)
   * @throws UserInputException over the limit, naming {@code workdir}
   */
  String ship(SchedulerClient scheduler, PrintWriter notes) throws IOException {
    SpillingBuffer archive = new SpillingBuffer(IN_MEMORY);
    try {
      WorkdirArchive.Packed packed;
      try {
        packed = pack(archive);
      } catch (UserInputException e) {
        // The submit directory is only shipped to a scheduler that keeps code; to one that keeps
        // none, a directory that cannot be packed is no error.
        if (!explicit && stored(scheduler, "") == null) {
          return notShipped(notes);
        }
        throw e;
      }
      for (String skipped : packed.skipped()) {
        notes.println("note: not shipped (a link or special file): " + skipped);
      }
      String digest = packed.digest();
      // One call asks both whether the scheduler keeps code and whether it holds this digest: a
      // round trip fewer per submit than asking each on its own.
      Boolean present = stored(scheduler, digest);
      if (present == null) {
        return notShipped(notes);
      }
      if (!present) {
        scheduler.call(c -> upload(c, digest, archive));
      }
      notes.printf(
          Locale.ROOT,
          "code: %s (%d files, %s) %s sha256-%s%n",
          dir,
          packed.files(),
          size(packed.archiveBytes()),
          present ? "already stored as" : "uploaded as",
          digest.substring(0, 12));
      notes.flush();
      return digest;
    } finally {
      archive.discard();
    }
  }

  /**
   * What to do when the scheduler keeps no code: an error for a directory the user named, a note
   * for the submit directory.
   *
   * @return null, the digest of nothing shipped
   */
  private String notShipped(PrintWriter notes) {
    if (explicit) {
      throw new IllegalStateException(
          "the job was not submitted: the scheduler keeps no code (it was started without"
              + " --checkpoint-store), so "
              + dir
              + " cannot travel with the job. Start tern scheduler with --checkpoint-store (the"
              + " agents' store), or submit with --no-workdir and an absolute workdir: on storage"
              + " the nodes share.");
    }
    notes.println(
        "note: the scheduler keeps no code (no --checkpoint-store), so "
            + dir
            + " was not shipped; the job runs in its attempt folder on the node (--no-workdir"
            + " silences this)");
    notes.flush();
    return null;
  }

  /**
   * Whether the scheduler's store holds {@code digest} (never for an empty one); null when the
   * scheduler keeps no code or is too old to know the service.
   */
  private static Boolean stored(SchedulerClient scheduler, String digest) {
    try {
      return scheduler.call(
          c ->
              WorkdirServiceGrpc.newBlockingStub(c)
                  .hasWorkdir(HasWorkdirRequest.newBuilder().setDigest(digest).build())
                  .getPresent());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.FAILED_PRECONDITION || code == Status.Code.UNIMPLEMENTED) {
        return null;
      }
      // No scheduler at all reads as it does for the submit itself; anything else names the store.
      throw new IllegalStateException(
          "the job was not submitted: "
              + (code == Status.Code.UNAVAILABLE ? "" : "cannot reach the scheduler's code store: ")
              + CallFailures.describe(e),
          e);
    }
  }

  private static UploadWorkdirResponse upload(
      io.grpc.Channel channel, String digest, SpillingBuffer archive) {
    CompletableFuture<UploadWorkdirResponse> done = new CompletableFuture<>();
    StreamObserver<UploadWorkdirRequest> out =
        WorkdirServiceGrpc.newStub(channel)
            .uploadWorkdir(
                new StreamObserver<>() {
                  @Override
                  public void onNext(UploadWorkdirResponse value) {
                    done.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.completeExceptionally(
                        Status.INTERNAL.withDescription("no answer").asRuntimeException());
                  }
                });
    try (InputStream in = archive.read()) {
      UploadWorkdirRequest.Builder first =
          UploadWorkdirRequest.newBuilder().setDigest(digest).setSize(archive.size());
      byte[] buf = new byte[CHUNK];
      boolean sent = false;
      for (int n; (n = in.readNBytes(buf, 0, CHUNK)) > 0 || !sent; ) {
        UploadWorkdirRequest.Builder message = sent ? UploadWorkdirRequest.newBuilder() : first;
        awaitReady(out, done);
        out.onNext(message.setChunk(ByteString.copyFrom(buf, 0, Math.max(n, 0))).build());
        sent = true;
        if (done.isDone()) {
          break; // refused early
        }
      }
      out.onCompleted();
    } catch (IOException e) {
      out.onError(e);
      throw Status.INTERNAL
          .withDescription("cannot read the packed code: " + e)
          .asRuntimeException();
    }
    try {
      return done.join();
    } catch (CompletionException e) {
      throw Status.fromThrowable(e.getCause()).asRuntimeException();
    }
  }

  /**
   * Sends no faster than the server reads (gRPC flow control), so a large archive is not buffered.
   */
  private static void awaitReady(
      StreamObserver<UploadWorkdirRequest> out, CompletableFuture<UploadWorkdirResponse> done) {
    var call = (io.grpc.stub.ClientCallStreamObserver<UploadWorkdirRequest>) out;
    while (!call.isReady() && !done.isDone()) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  /** What {@link #ship} would pack, for --dry-run: the same checks, nothing written or sent. */
  String preview() throws IOException {
    WorkdirArchive.Packed packed = pack(java.io.OutputStream.nullOutputStream());
    return String.format(
        Locale.ROOT,
        "code: would ship %s (%d files, %s before compression)",
        dir,
        packed.files(),
        size(packed.contentBytes()));
  }

  /** Packs {@link #dir} into {@code out}; a directory too large or a bad name is bad input. */
  private WorkdirArchive.Packed pack(java.io.OutputStream out) throws IOException {
    try {
      return WorkdirArchive.pack(dir, limitBytes, out);
    } catch (WorkdirTooLargeException e) {
      throw new UserInputException(
          "workdir: "
              + e.getMessage()
              + ". Leave files out with a .ternignore (gitignore syntax), raise --workdir-limit,"
              + " or submit with --no-workdir.");
    } catch (UnshippableNameException e) {
      throw new UserInputException("workdir: " + dir + ": " + e.getMessage());
    } catch (java.nio.file.FileSystemException e) {
      // AccessDeniedException, the usual one, carries no reason of its own.
      String reason =
          e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getReason();
      throw new UserInputException(
          "workdir: "
              + dir
              + ": cannot read "
              + e.getFile()
              + (reason == null ? "" : " (" + reason + ")")
              + ". Leave it out with a .ternignore (gitignore syntax), ship another directory,"
              + " or submit with --no-workdir.");
    }
  }

  private static String size(long bytes) {
    return bytes < 1 << 20
        ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
        : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
