package io.tern.cli.finops;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.cli.ClientCommand;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.SchedulerClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What every FinOps verb shares: the scheduler connection, {@code -o}, and turning the scheduler's
 * errors into exit codes (INVALID_ARGUMENT is bad input, exit 2; anything else exit 1).
 */
abstract class FinOpsVerb extends ClientCommand {
  FinOpsVerb(String name, String... description) {
    super(name, description);
  }

  static FinOpsServiceGrpc.FinOpsServiceBlockingStub finops(Channel channel) {
    return FinOpsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public Integer call() {
    // Check the input before connecting: a typo should not wait for a scheduler.
    validate();
    try (SchedulerClient scheduler = client.connect()) {
      int exit = run(scheduler);
      out().flush();
      return exit;
    } catch (StatusRuntimeException e) {
      throw CallFailures.failure(e);
    }
  }

  /** Checks the flags; throws {@link io.tern.cli.UserInputException} naming the flag. */
  void validate() {}

  abstract int run(SchedulerClient scheduler);

  /** "field: problem; ..." with each API field replaced by the flag that sets it. */
  static String byFlag(Map<String, String> fieldErrors, Map<String, String> flags) {
    StringBuilder sb = new StringBuilder();
    fieldErrors.forEach(
        (field, problem) ->
            sb.append(sb.isEmpty() ? "" : "; ")
                .append(flags.getOrDefault(field, field))
                .append(": ")
                .append(problem));
    return sb.toString();
  }

  static boolean isNotFound(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.NOT_FOUND;
  }
}
