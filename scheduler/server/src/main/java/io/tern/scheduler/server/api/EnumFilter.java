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
      if (known == null) {
        return unknown(field + "[" + i + "]", value, type);
      }
      if (value == 0) {
        return Optional.of(
            refusal(field + "[" + i + "]", known.getName() + " matches nothing", type));
      }
    }
    return Optional.empty();
  }

  /**
   * INVALID_ARGUMENT when a single enum field holds a number {@code type} does not define, e.g.
   * UpdateJob's {@code priority: 55 is not a Priority; use one of PRIORITY_HIGH, ...}; empty for
   * any defined value. Protobuf keeps an undefined number as it came, and reading it as the enum
   * later fails with "Can't get the number of an unknown enum value.", naming no field.
   */
  static Optional<StatusRuntimeException> unknown(String field, int value, EnumDescriptor type) {
    return type.findValueByNumber(value) != null
        ? Optional.empty()
        : Optional.of(refusal(field, value + " is not a " + type.getName(), type));
  }

  private static StatusRuntimeException refusal(String field, String what, EnumDescriptor type) {
    return Status.INVALID_ARGUMENT
        .withDescription(
            field
                + ": "
                + what
                + "; use one of "
                + type.getValues().stream()
                    .filter(v -> v.getNumber() != 0)
                    .map(EnumValueDescriptor::getName)
                    .collect(Collectors.joining(", ")))
        .asRuntimeException();
  }
}
