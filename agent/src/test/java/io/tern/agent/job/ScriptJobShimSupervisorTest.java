package io.tern.agent.job;

/** {@link JobSupervisorTest}'s cases under job-shim.sh, where the native shim is not used. */
class ScriptJobShimSupervisorTest extends JobSupervisorTest {
  @Override
  JobShim shim() {
    return JobShim.BASH;
  }
}
