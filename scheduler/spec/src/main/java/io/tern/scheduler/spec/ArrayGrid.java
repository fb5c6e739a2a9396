package io.tern.scheduler.spec;

import io.tern.api.v1.ArraySpec;
import io.tern.api.v1.GridParam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A parameter grid ({@code array: {grid: {lr: [0.1, 0.01], bs: [32, 64]}, parallel: 4}}): one task
 * per combination of values, indices 0 to N-1 in row-major order over the parameters as the spec
 * lists them (the last varies fastest: index 1 above is lr=0.1, bs=64). Each task gets {@code
 * TERN_PARAM_<NAME>} (the name upper-cased) with its value, as the spec wrote it, beside {@code
 * TERN_ARRAY_INDEX}.
 */
public final class ArrayGrid {
  /** A parameter's name: a letter, then letters, digits and '_' (it becomes part of a variable). */
  public static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

  /** The most values one parameter may list. */
  public static final int MAX_VALUES = ArraySyntax.MAX_TASKS;

  private ArrayGrid() {}

  /** How many tasks the grid makes: the product of its parameters' value counts (0 for none). */
  public static long size(List<GridParam> grid) {
    if (grid.isEmpty()) {
      return 0;
    }
    long n = 1;
    for (GridParam p : grid) {
      n *= Math.max(0, p.getValuesCount());
      if (n > Integer.MAX_VALUE) {
        return n;
      }
    }
    return n;
  }

  /** The indices a grid of {@code size} tasks takes, as {@link ArraySyntax} writes them. */
  public static String indices(long size) {
    return size == 1 ? "0" : "0-" + (size - 1);
  }

  /** The variable a parameter becomes: {@code lr} is {@code TERN_PARAM_LR}. */
  public static String variable(String name) {
    return "TERN_PARAM_" + name.toUpperCase(Locale.ROOT);
  }

  /** The environment of task {@code index}: one variable per parameter; empty without a grid. */
  public static Map<String, String> environment(ArraySpec array, int index) {
    Map<String, String> env = new LinkedHashMap<>();
    List<GridParam> grid = array.getGridList();
    long rest = index;
    String[] values = new String[grid.size()];
    for (int i = grid.size() - 1; i >= 0; i--) {
      int n = grid.get(i).getValuesCount();
      values[i] = grid.get(i).getValues((int) (rest % n));
      rest /= n;
    }
    for (int i = 0; i < grid.size(); i++) {
      env.put(variable(grid.get(i).getName()), values[i]);
    }
    return env;
  }
}
