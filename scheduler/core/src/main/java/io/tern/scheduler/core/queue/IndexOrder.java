package io.tern.scheduler.core.queue;

/**
 * FIFO order over job indices: submit time, then job id (ids are unique, so the order is total).
 * The sort is a natural merge sort on the primitive array: it finds the ascending runs already
 * there and merges them pairwise, so a line that is in order costs one pass, and the usual steady
 * state (a long run of older jobs followed by a run of newer arrivals, or the other way round) a
 * pass or two. Nothing is boxed. Not thread-safe.
 */
final class IndexOrder {
  private final long[] seconds;
  private final int[] nanos;
  private final String[] ids;

  IndexOrder(long[] seconds, int[] nanos, String[] ids) {
    this.seconds = seconds;
    this.nanos = nanos;
    this.ids = ids;
  }

  int compare(int a, int b) {
    int c = Long.compare(seconds[a], seconds[b]);
    if (c == 0) {
      c = Integer.compare(nanos[a], nanos[b]);
    }
    return c != 0 ? c : compareIds(ids[a], ids[b]);
  }

  /**
   * Job ids in natural order: runs of digits compare by value, so an array's task job-000050-2
   * comes before job-000050-10, and job-999999 before job-1000000. Ids are unique, and two ids that
   * differ compare unequal (equal values written with different zeros fall back to text).
   */
  static int compareIds(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (isDigit(x) && isDigit(y)) {
        int iEnd = digitsEnd(a, i);
        int jEnd = digitsEnd(b, j);
        int iStart = skipZeros(a, i, iEnd);
        int jStart = skipZeros(b, j, jEnd);
        int c = Integer.compare(iEnd - iStart, jEnd - jStart);
        for (int k = 0; c == 0 && k < iEnd - iStart; k++) {
          c = Character.compare(a.charAt(iStart + k), b.charAt(jStart + k));
        }
        if (c != 0) {
          return c;
        }
        i = iEnd;
        j = jEnd;
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int digitsEnd(String s, int from) {
    int end = from;
    while (end < s.length() && isDigit(s.charAt(end))) {
      end++;
    }
    return end;
  }

  private static int skipZeros(String s, int from, int end) {
    while (from < end - 1 && s.charAt(from) == '0') {
      from++;
    }
    return from;
  }

  /** Sorts {@code idx[0..size)}. */
  void sort(int[] idx, int size) {
    // Run boundaries: runs[k] is where run k starts; runs[count] == size.
    int[] runs = null;
    int count = 0;
    for (int i = 1; i < size; i++) {
      if (compare(idx[i - 1], idx[i]) > 0) {
        if (runs == null) {
          runs = new int[16];
          runs[count++] = 0;
        } else if (count + 1 == runs.length) {
          runs = java.util.Arrays.copyOf(runs, runs.length * 2);
        }
        runs[count++] = i;
      }
    }
    if (runs == null) {
      return;
    }
    runs[count] = size;
    int[] from = idx;
    int[] to = new int[size];
    while (count > 1) {
      int merged = 0;
      for (int k = 0; k < count; k += 2) {
        int lo = runs[k];
        int mid = runs[Math.min(k + 1, count)];
        int hi = runs[Math.min(k + 2, count)];
        merge(from, to, lo, mid, hi);
        runs[merged++] = lo;
      }
      runs[merged] = size;
      count = merged;
      int[] t = from;
      from = to;
      to = t;
    }
    if (from != idx) {
      System.arraycopy(from, 0, idx, 0, size);
    }
  }

  /** Merges the sorted ranges {@code src[lo..mid)} and {@code src[mid..hi)} into {@code dst}. */
  private void merge(int[] src, int[] dst, int lo, int mid, int hi) {
    int i = lo;
    int j = mid;
    for (int k = lo; k < hi; k++) {
      if (j >= hi || (i < mid && compare(src[i], src[j]) <= 0)) {
        dst[k] = src[i++];
      } else {
        dst[k] = src[j++];
      }
    }
  }
}
