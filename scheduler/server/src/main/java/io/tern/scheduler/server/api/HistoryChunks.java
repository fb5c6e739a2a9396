package io.tern.scheduler.server.api;

import io.grpc.stub.StreamObserver;
import io.tern.api.v1.HistoryChunk;

/**
 * Splits an ExportHistory answer into {@link HistoryChunk}s of about {@code maxBytes} each: a chunk
 * is sent before the next entry would take it past the limit, so every chunk but one holding a
 * single larger entry stays under it. Not thread-safe; one per call.
 */
final class HistoryChunks {
  /** The size chunks are kept under: far below gRPC's default 4 MB message limit. */
  static final int MAX_BYTES = 1 << 20;

  private final StreamObserver<HistoryChunk> observer;
  private final long maxBytes;
  private HistoryChunk.Builder chunk = HistoryChunk.newBuilder();
  private long bytes;
  private boolean empty = true;

  HistoryChunks(StreamObserver<HistoryChunk> observer, long maxBytes) {
    this.observer = observer;
    this.maxBytes = maxBytes;
  }

  /** The chunk being filled, for fields that are not entries. */
  HistoryChunk.Builder builder() {
    return chunk;
  }

  /** The chunk to add an entry of {@code size} bytes to; sends the current one first when full. */
  HistoryChunk.Builder make(int size) {
    // A repeated message field costs a tag and a length prefix (at most 6 bytes) on top.
    long entry = size + 6L;
    if (!empty && bytes + entry > maxBytes) {
      flush();
    }
    bytes += entry;
    empty = false;
    return chunk;
  }

  /** Sends the chunk being filled (also when empty: the answer has at least one chunk). */
  void flush() {
    observer.onNext(chunk.build());
    chunk = HistoryChunk.newBuilder();
    bytes = 0;
    empty = true;
  }
}
