package io.tern.scheduler.core.queue;

import io.tern.scheduler.core.model.Job;
import java.util.List;

/**
 * FIFO order over job indices: submit time, then job id. Sorting is skipped when the indices are
 * already in order (the usual case: callers list jobs by submit time), and otherwise done with a
 * merge sort on the primitive array, so nothing is boxed. Not thread-safe.
 */
final class IndexOrder {
  private final long[] seconds;
  private final int[] nanos;
  private final List<Job> jobs;

  IndexOrder(long[] seconds, int[] nanos, List<Job> jobs) {
    this.seconds = seconds;
    this.nanos = nanos;
    this.jobs = jobs;
  }

  int compare(int a, int b) {
    int c = Long.compare(seconds[a], seconds[b]);
    if (c == 0) {
      c = Integer.compare(nanos[a], nanos[b]);
    }
    return c != 0 ? c : jobs.get(a).id().compareTo(jobs.get(b).id());
  }

  /** Sorts {@code idx[0..size)}. */
  void sort(int[] idx, int size) {
    boolean sorted = true;
    for (int i = 1; i < size && sorted; i++) {
      sorted = compare(idx[i - 1], idx[i]) <= 0;
    }
    if (!sorted) {
      mergeSort(idx, new int[size], 0, size);
    }
  }

  private void mergeSort(int[] a, int[] tmp, int from, int to) {
    if (to - from < 2) {
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid);
    mergeSort(a, tmp, mid, to);
    if (compare(a[mid - 1], a[mid]) <= 0) {
      return;
    }
    System.arraycopy(a, from, tmp, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
        a[k] = tmp[i++];
      } else {
        a[k] = tmp[j++];
      }
    }
  }
}
