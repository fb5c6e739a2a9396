package io.tern.scheduler.server.api;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks a repeated enum filter (ListJobs {@code states}, ListNodes {@code states}): a value the
 * enum does not define, or its UNSPECIFIED zero, matches nothing, so it is a mistake to report
 * rather than an empty answer to give.
 */
final class EnumFilter {
  private EnumFilter() {}

  /**
   * INVALID_ARGUMENT naming the first bad value, e.g. {@code states[1]: 42 is not a JobState; use
   * one of JOB_STATE_PENDING, ...}; empty when every value is one of {@code type}'s.
   */
  static Optional<StatusRuntimeException> check(
      String field, List<Integer> values, EnumDescriptor type) {
    for (int i = 0; i < values.size(); i++) {
      int value = values.get(i);
      EnumValueDescriptor known = type.findValueByNumber(value);
      if (known == null || value == 0) {
        String what =
            known == null
                ? value + " is not a " + type.getName()
                : known.getName() + " matches nothing";
        return Optional.of(
            Status.INVALID_ARGUMENT
                .withDescription(
                    field
                        + "["
                        + i
                        + "]: "
                        + what
                        + "; use one of "
                        + type.getValues().stream()
                            .filter(v -> v.getNumber() != 0)
                            .map(EnumValueDescriptor::getName)
                            .collect(Collectors.joining(", ")))
                .asRuntimeException());
      }
    }
    return Optional.empty();
  }
}
