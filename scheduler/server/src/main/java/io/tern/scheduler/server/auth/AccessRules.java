package io.tern.scheduler.server.auth;

import io.grpc.MethodDescriptor;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.JobServiceGrpc;
import java.util.Map;
import java.util.Set;

/**
 * Who may call which rpc, before any team is looked at. Team checks (a user sees only the jobs of
 * the teams in their token) happen in the services, where the job is known. A method not listed
 * here is refused: a new rpc has to be given a rule before anyone can call it.
 */
public final class AccessRules {
  /** What a caller must be for a method. */
  public enum Requirement {
    /** Anyone, authenticated or not: health checks and reflection. */
    PUBLIC,
    /** A user (team checks follow in the service). */
    USER,
    /** A user with the finops or admin role. */
    FINOPS,
    /** A user with the admin role. */
    ADMIN,
    /** A node agent, by its client certificate. */
    AGENT,
    /** Any authenticated caller: a user or an agent. */
    ANYONE_KNOWN
  }

  /** Methods that change something: every call to them is audited. */
  private static final Set<String> MUTATING =
      Set.of(
          name(JobServiceGrpc.getSubmitJobMethod()),
          name(JobServiceGrpc.getCancelJobMethod()),
          name(JobServiceGrpc.getHoldJobMethod()),
          name(JobServiceGrpc.getReleaseJobMethod()),
          name(JobServiceGrpc.getRequeueJobMethod()),
          name(JobServiceGrpc.getUpdateJobMethod()),
          name(ClusterServiceGrpc.getDrainNodeMethod()),
          name(ClusterServiceGrpc.getUndrainNodeMethod()),
          name(FinOpsServiceGrpc.getSetOffPeakWindowMethod()),
          name(FinOpsServiceGrpc.getDeleteOffPeakWindowMethod()),
          name(FinOpsServiceGrpc.getSetBudgetMethod()),
          name(FinOpsServiceGrpc.getDeleteBudgetMethod()),
          name(AdminServiceGrpc.getCreateTokenMethod()),
          name(AdminServiceGrpc.getRevokeTokenMethod()),
          name(AgentServiceGrpc.getConnectMethod()),
          name(io.tern.api.v1.WorkdirServiceGrpc.getUploadWorkdirMethod()));

  private static final Map<String, Requirement> RULES =
      Map.ofEntries(
          Map.entry(name(JobServiceGrpc.getSubmitJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getGetJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getListJobsMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getCancelJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getHoldJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getReleaseJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getRequeueJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getUpdateJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getWatchJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getStreamLogsMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getExplainJobMethod()), Requirement.USER),
          Map.entry(name(JobServiceGrpc.getExportHistoryMethod()), Requirement.USER),
          Map.entry(
              name(io.tern.api.v1.WorkdirServiceGrpc.getHasWorkdirMethod()), Requirement.USER),
          Map.entry(
              name(io.tern.api.v1.WorkdirServiceGrpc.getUploadWorkdirMethod()), Requirement.USER),
          Map.entry(name(ClusterServiceGrpc.getListNodesMethod()), Requirement.USER),
          Map.entry(name(ClusterServiceGrpc.getGetQueueMethod()), Requirement.USER),
          Map.entry(name(ClusterServiceGrpc.getDrainNodeMethod()), Requirement.ADMIN),
          Map.entry(name(ClusterServiceGrpc.getUndrainNodeMethod()), Requirement.ADMIN),
          Map.entry(name(FinOpsServiceGrpc.getSetOffPeakWindowMethod()), Requirement.FINOPS),
          Map.entry(name(FinOpsServiceGrpc.getListOffPeakWindowsMethod()), Requirement.USER),
          Map.entry(name(FinOpsServiceGrpc.getDeleteOffPeakWindowMethod()), Requirement.FINOPS),
          Map.entry(name(FinOpsServiceGrpc.getSetBudgetMethod()), Requirement.FINOPS),
          Map.entry(name(FinOpsServiceGrpc.getDeleteBudgetMethod()), Requirement.FINOPS),
          Map.entry(name(FinOpsServiceGrpc.getListBudgetsMethod()), Requirement.USER),
          Map.entry(name(FinOpsServiceGrpc.getGetCostReportMethod()), Requirement.USER),
          Map.entry(name(AdminServiceGrpc.getCreateTokenMethod()), Requirement.ADMIN),
          Map.entry(name(AdminServiceGrpc.getListTokensMethod()), Requirement.ADMIN),
          Map.entry(name(AdminServiceGrpc.getRevokeTokenMethod()), Requirement.ADMIN),
          Map.entry(name(AdminServiceGrpc.getWhoAmIMethod()), Requirement.ANYONE_KNOWN),
          Map.entry(name(AgentServiceGrpc.getConnectMethod()), Requirement.AGENT),
          Map.entry("grpc.health.v1.Health/Check", Requirement.PUBLIC),
          Map.entry("grpc.health.v1.Health/Watch", Requirement.PUBLIC),
          Map.entry(
              "grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Requirement.PUBLIC));

  private AccessRules() {}

  /** The rule for a method; null when it has none (refuse). */
  public static Requirement requirement(String fullMethodName) {
    return RULES.get(fullMethodName);
  }

  public static boolean mutating(String fullMethodName) {
    return MUTATING.contains(fullMethodName);
  }

  /** Whether {@code caller} meets {@code requirement}. */
  public static boolean allows(Requirement requirement, Principal caller) {
    if (caller.kind() == Principal.Kind.LOCAL) {
      return true;
    }
    return switch (requirement) {
      case PUBLIC, ANYONE_KNOWN -> true;
      case USER -> caller.kind() == Principal.Kind.USER;
      case FINOPS -> caller.kind() == Principal.Kind.USER && caller.isFinOps();
      case ADMIN -> caller.kind() == Principal.Kind.USER && caller.isAdmin();
      case AGENT -> caller.kind() == Principal.Kind.AGENT;
    };
  }

  private static String name(MethodDescriptor<?, ?> method) {
    return method.getFullMethodName();
  }
}
