package io.tern.scheduler.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The natural merge sort gives the FIFO order (time, then id) whatever runs its input holds. */
class IndexOrderTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 7, 16, 17, 100, 1000, 5000})
  void sortsLikeAComparatorSortOverRandomRunsAndTies(int size) {
    SplittableRandom r = new SplittableRandom(size);
    long[] seconds = new long[size];
    int[] nanos = new int[size];
    String[] ids = new String[size];
    for (int i = 0; i < size; i++) {
      // Few distinct times, so ties fall through to nanos and then to ids.
      seconds[i] = r.nextInt(20);
      nanos[i] = r.nextInt(3);
      ids[i] = "j" + r.nextInt(1_000_000) + "-" + i;
    }
    IndexOrder order = new IndexOrder(seconds, nanos, ids);
    Comparator<Integer> expectedOrder =
        Comparator.<Integer>comparingLong(i -> seconds[i])
            .thenComparingInt(i -> nanos[i])
            .thenComparing(i -> ids[i], IndexOrder::compareIds);
    for (int shape = 0; shape < 4; shape++) {
      int[] idx = IntStream.range(0, size).toArray();
      Integer[] expected = IntStream.range(0, size).boxed().toArray(Integer[]::new);
      Arrays.sort(expected, expectedOrder);
      switch (shape) {
        case 0 -> shuffle(idx, r);
        case 1 -> copy(expected, idx); // already sorted
        case 2 -> { // two sorted runs, newer first: the steady state's usual input
          copy(expected, idx);
          rotate(idx, size / 3);
        }
        default -> { // many short runs
          copy(expected, idx);
          for (int i = 0; i + 5 < size; i += 11) {
            int t = idx[i];
            idx[i] = idx[i + 5];
            idx[i + 5] = t;
          }
        }
      }
      order.sort(idx, size);
      assertThat(Arrays.stream(idx).boxed().toArray())
          .as("shape %d", shape)
          .containsExactly(expected);
    }
  }

  @org.junit.jupiter.api.Test
  void idsCompareByTheValueOfTheirNumbers() {
    java.util.List<String> ids =
        new java.util.ArrayList<>(
            java.util.List.of(
                "job-000050-10",
                "job-1000000",
                "job-000050-2",
                "job-000050",
                "job-999999",
                "job-000050-0",
                "job-000051",
                "job-00050-1"));
    ids.sort(IndexOrder::compareIds);

    assertThat(ids)
        .containsExactly(
            "job-000050",
            "job-000050-0",
            "job-00050-1",
            "job-000050-2",
            "job-000050-10",
            "job-000051",
            "job-999999",
            "job-1000000");
    assertThat(IndexOrder.compareIds("job-01", "job-1")).isNotZero();
    assertThat(IndexOrder.compareIds("job-01", "job-1"))
        .isEqualTo(-IndexOrder.compareIds("job-1", "job-01"));
  }

  private static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static void copy(Integer[] from, int[] to) {
    for (int i = 0; i < from.length; i++) {
      to[i] = from[i];
    }
  }

  private static void rotate(int[] a, int by) {
    if (a.length == 0) {
      return;
    }
    int[] c = a.clone();
    for (int i = 0; i < a.length; i++) {
      a[i] = c[(i + by) % a.length];
    }
  }
}
