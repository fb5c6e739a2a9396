package io.tern.scheduler.core.model;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An immutable sorted set of GPU model names with a cached hash code. Job shapes are hashed for
 * every queued job in every plan, and a {@code TreeSet}'s hash walks the tree each time; this one
 * is computed once. It equals any other {@code Set} with the same names.
 */
final class ModelSet extends AbstractSet<String> implements SortedSet<String> {
  static final ModelSet EMPTY = new ModelSet(new String[0]);

  private final String[] names;
  private final int hash;

  private ModelSet(String[] sortedDistinct) {
    this.names = sortedDistinct;
    int h = 0;
    for (String n : sortedDistinct) {
      h += n.hashCode();
    }
    this.hash = h;
  }

  static ModelSet of(Collection<String> names) {
    if (names instanceof ModelSet m) {
      return m;
    }
    if (names.isEmpty()) {
      return EMPTY;
    }
    TreeSet<String> sorted = new TreeSet<>(names);
    return new ModelSet(sorted.toArray(String[]::new));
  }

  @Override
  public boolean contains(Object o) {
    for (String n : names) {
      if (n.equals(o)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Iterator<String> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < names.length;
      }

      @Override
      public String next() {
        if (next >= names.length) {
          throw new NoSuchElementException();
        }
        return names[next++];
      }
    };
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public boolean isEmpty() {
    return names.length == 0;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (o instanceof ModelSet m) {
      return hash == m.hash && Arrays.equals(names, m.names);
    }
    return super.equals(o);
  }

  @Override
  public Comparator<? super String> comparator() {
    return null;
  }

  @Override
  public SortedSet<String> subSet(String fromElement, String toElement) {
    return range(fromElement, toElement);
  }

  @Override
  public SortedSet<String> headSet(String toElement) {
    return range(null, toElement);
  }

  @Override
  public SortedSet<String> tailSet(String fromElement) {
    return range(fromElement, null);
  }

  private SortedSet<String> range(String from, String to) {
    int lo = from == null ? 0 : insertionPoint(from);
    int hi = to == null ? names.length : insertionPoint(to);
    return new ModelSet(Arrays.copyOfRange(names, lo, Math.max(lo, hi)));
  }

  private int insertionPoint(String key) {
    int i = Arrays.binarySearch(names, key);
    return i >= 0 ? i : -i - 1;
  }

  @Override
  public String first() {
    if (names.length == 0) {
      throw new NoSuchElementException();
    }
    return names[0];
  }

  @Override
  public String last() {
    if (names.length == 0) {
      throw new NoSuchElementException();
    }
    return names[names.length - 1];
  }
}
