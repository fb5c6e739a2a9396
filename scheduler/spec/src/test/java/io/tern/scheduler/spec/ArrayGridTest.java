package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArrayGridTest {
  private final JobSpecParser parser = new JobSpecParser();

  private static String spec(String array) {
    return "name: sweep\nteam: vision\ncommand: [python3, train.py]\narray:\n" + array;
  }

  @Test
  void aGridExpandsIntoOneTaskPerCombinationLastParameterFastest() throws Exception {
    JobSpec spec =
        parser.parse(spec("  grid:\n    lr: [0.1, 0.01]\n    bs: [32, 64]\n  parallel: 4\n"), "s");

    assertThat(spec.getArray().getIndices()).isEqualTo("0-3");
    assertThat(spec.getArray().getParallel()).isEqualTo(4);
    List<Map<String, String>> tasks = new ArrayList<>();
    for (int i : ArraySyntax.indices(spec.getArray().getIndices()).indices()) {
      tasks.add(ArrayGrid.environment(spec.getArray(), i));
    }
    assertThat(tasks)
        .containsExactly(
            Map.of("TERN_PARAM_LR", "0.1", "TERN_PARAM_BS", "32"),
            Map.of("TERN_PARAM_LR", "0.1", "TERN_PARAM_BS", "64"),
            Map.of("TERN_PARAM_LR", "0.01", "TERN_PARAM_BS", "32"),
            Map.of("TERN_PARAM_LR", "0.01", "TERN_PARAM_BS", "64"));
    assertThat(JobSpecDocument.toYaml(spec))
        .contains("grid:")
        .contains("lr:")
        .contains("parallel: 4");
    assertThat(parser.parse(JobSpecDocument.toYaml(spec), "round trip")).isEqualTo(spec);
  }

  @Test
  void badGridsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    lr: []\n"), "s"))
        .hasMessageContaining("array.grid.lr: needs at least one value");
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    9lr: [1]\n"), "s"))
        .hasMessageContaining("array.grid.9lr: a parameter's name is a letter");
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    lr: [1]\n    LR: [2]\n"), "s"))
        .hasMessageContaining("array.grid.LR: names the same variable");
    assertThatThrownBy(() -> parser.parse(spec("  indices: 0-3\n  grid:\n    lr: [1]\n"), "s"))
        .hasMessageContaining("array.indices: cannot go with array.grid");
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    lr: 0.1\n"), "s"))
        .hasMessageContaining("array.grid.lr");
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    lr: [0.1, 0.10, 0.1]\n"), "s"))
        .hasMessageContaining("array.grid.lr: 0.1 is listed twice");
    assertThatThrownBy(() -> parser.parse(spec("  grid: {}\n"), "s"))
        .hasMessageContaining("array.grid: needs at least one parameter")
        .hasMessageNotContaining("array.indices");
    assertThatThrownBy(() -> parser.parse(spec("  grid:\n    lr: [[1, 2]]\n"), "s"))
        .hasMessageContaining("array.grid.lr[0]")
        .hasMessageNotContaining("needs at least one value");
    String values =
        java.util.stream.IntStream.rangeClosed(0, 40)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    String big = "  grid:\n    a: " + values + "\n    b: " + values + "\n";
    assertThatThrownBy(() -> parser.parse(spec(big), "s"))
        .hasMessageContaining("array.grid: makes 1681 tasks, more than an array may have (1000)");
  }
}
