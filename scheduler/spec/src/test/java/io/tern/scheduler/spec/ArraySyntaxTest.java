package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArraySyntaxTest {
  @Test
  void aRangeWithALimit() {
    ArraySyntax.Result r = ArraySyntax.parse("0-99%8");

    assertThat(r.problem()).isNull();
    assertThat(r.indices()).isEqualTo(IntStream.rangeClosed(0, 99).boxed().toList());
    assertThat(r.spec().getIndices()).isEqualTo("0-99");
    assertThat(r.spec().getParallel()).isEqualTo(8);
    assertThat(ArraySyntax.format(r.spec())).isEqualTo("0-99%8");
  }

  @Test
  void listsStepsAndRepeatsAreSortedOnce() {
    ArraySyntax.Result r = ArraySyntax.parse("7,1-3,0-20:10,2");

    assertThat(r.indices()).containsExactly(0, 1, 2, 3, 7, 10, 20);
    assertThat(r.spec().getParallel()).isZero();
    assertThat(ArraySyntax.format(r.spec())).isEqualTo("7,1-3,0-20:10,2");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|got nothing",
        "5-1|ends before it starts",
        "0-9%0|positive number of tasks at once",
        "0-9%x|positive number of tasks at once",
        "0-9%|positive number of tasks at once",
        "a-b|is not an index",
        "-3|is not an index",
        "1,,2|is not an index",
        "0-9:0|step after ':' must be a positive",
        "0-1000000|is not an index",
        "0-1000|more than 1000 tasks"
      })
  void badTextSaysWhatIsWrong(String text, String problem) {
    ArraySyntax.Result r = ArraySyntax.parse(text);

    assertThat(r.problem()).contains(problem);
    assertThat(r.spec()).isNull();
    assertThat(r.indices()).isEqualTo(List.of());
  }

  @Test
  void theLargestArrayIsAccepted() {
    assertThat(ArraySyntax.parse("0-999").indices()).hasSize(ArraySyntax.MAX_TASKS);
  }
}
