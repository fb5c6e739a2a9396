package io.tern.scheduler.server.api;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Budget;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.DeleteBudgetRequest;
import io.tern.api.v1.DeleteBudgetResponse;
import io.tern.api.v1.DeleteOffPeakWindowRequest;
import io.tern.api.v1.DeleteOffPeakWindowResponse;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.api.v1.ListBudgetsRequest;
import io.tern.api.v1.ListBudgetsResponse;
import io.tern.api.v1.ListOffPeakWindowsRequest;
import io.tern.api.v1.ListOffPeakWindowsResponse;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.SetOffPeakWindowRequest;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.server.auth.Principal;
import io.tern.scheduler.server.auth.TeamAccess;
import io.tern.scheduler.server.loop.FinOpsRequests;
import io.tern.scheduler.server.offpeak.WindowValidation;
import io.tern.scheduler.spec.finops.BudgetValidation;
import io.tern.scheduler.spec.finops.InvalidBudgetException;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import java.time.Clock;
import java.time.Instant;

/**
 * FinOpsService over gRPC: validates requests here (INVALID_ARGUMENT naming every bad field, e.g.
 * {@code window.cron: ...}), then hands them to the scheduler loop.
 */
public final class FinOpsServiceImpl extends FinOpsServiceGrpc.FinOpsServiceImplBase {
  private final FinOpsRequests finops;
  private final Clock clock;

  public FinOpsServiceImpl(FinOpsRequests finops, Clock clock) {
    this.finops = finops;
    this.clock = clock;
  }

  @Override
  public void setOffPeakWindow(
      SetOffPeakWindowRequest request, StreamObserver<OffPeakWindow> observer) {
    WindowSpec spec;
    try {
      spec = WindowValidation.fromProto(request.getWindow());
      WindowValidation.checkOpenings(spec, clock.instant());
    } catch (InvalidWindowException e) {
      observer.onError(invalid("window.", e.fieldErrors()));
      return;
    }
    GrpcErrors.reply(finops.setWindow(spec), observer);
  }

  @Override
  public void listOffPeakWindows(
      ListOffPeakWindowsRequest request, StreamObserver<ListOffPeakWindowsResponse> observer) {
    GrpcErrors.reply(finops.listWindows(), observer);
  }

  @Override
  public void deleteOffPeakWindow(
      DeleteOffPeakWindowRequest request, StreamObserver<DeleteOffPeakWindowResponse> observer) {
    if (request.getName().isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("name: is required").asRuntimeException());
      return;
    }
    GrpcErrors.reply(
        finops
            .deleteWindow(request.getName())
            .thenApply(v -> DeleteOffPeakWindowResponse.getDefaultInstance()),
        observer);
  }

  @Override
  public void deleteBudget(
      DeleteBudgetRequest request, StreamObserver<DeleteBudgetResponse> observer) {
    if (request.getTeam().isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("team: is required").asRuntimeException());
      return;
    }
    GrpcErrors.reply(
        finops
            .deleteBudget(request.getTeam())
            .thenApply(v -> DeleteBudgetResponse.getDefaultInstance()),
        observer);
  }

  @Override
  public void setBudget(SetBudgetRequest request, StreamObserver<Budget> observer) {
    Budget budget;
    try {
      budget = BudgetValidation.validate(request.getBudget());
    } catch (InvalidBudgetException e) {
      observer.onError(invalid("budget.", e.fieldErrors()));
      return;
    }
    GrpcErrors.reply(finops.setBudget(budget), observer);
  }

  @Override
  public void listBudgets(
      ListBudgetsRequest request, StreamObserver<ListBudgetsResponse> observer) {
    Principal caller = Principal.current();
    GrpcErrors.reply(
        finops
            .listBudgets()
            .thenApply(
                all ->
                    caller.isFinOps()
                        ? all
                        : ListBudgetsResponse.newBuilder()
                            .addAllBudgets(
                                all.getBudgetsList().stream()
                                    .filter(b -> caller.actsFor(b.getTeam()))
                                    .toList())
                            .build()),
        observer);
  }

  @Override
  public void getCostReport(GetCostReportRequest request, StreamObserver<CostReport> observer) {
    Principal caller = Principal.current();
    if (GrpcErrors.refusedTeam(request.getTeam(), observer)) {
      return;
    }
    String team;
    try {
      team = TeamAccess.costTeam(caller, request.getTeam());
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    GrpcErrors.reply(
        finops.costReport(
            request.hasSince() ? instant(request.getSince()) : null,
            request.hasUntil() ? instant(request.getUntil()) : null,
            team),
        observer);
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static io.grpc.StatusRuntimeException invalid(
      String prefix, java.util.Map<String, String> errors) {
    StringBuilder sb = new StringBuilder();
    errors.forEach(
        (field, problem) ->
            sb.append(sb.isEmpty() ? "" : "; ")
                .append(prefix)
                .append(field)
                .append(": ")
                .append(problem));
    return Status.INVALID_ARGUMENT.withDescription(sb.toString()).asRuntimeException();
  }
}
