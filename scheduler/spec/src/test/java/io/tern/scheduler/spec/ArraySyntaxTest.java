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
  void listsAndStepsAreSorted() {
    ArraySyntax.Result r = ArraySyntax.parse("7,1-3,4-20:6");

    assertThat(r.indices()).containsExactly(1, 2, 3, 4, 7, 10, 16);
    assertThat(r.spec().getParallel()).isZero();
    assertThat(ArraySyntax.format(r.spec())).isEqualTo("7,1-3,4-20:6");
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
        "0-1000|more than 1000 tasks",
        "1,1,2|index 1 is listed more than once ('1' repeats it)",
        "0-5,3-8|index 3 is listed more than once ('3-8' repeats it)"
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
