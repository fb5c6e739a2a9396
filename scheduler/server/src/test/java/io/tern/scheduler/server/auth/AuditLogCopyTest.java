package io.tern.scheduler.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Resources;
import io.tern.api.v1.Role;
import io.tern.api.v1.SubmitJobResponse;
import org.junit.jupiter.api.Test;

/** What the audit log copies of requests and answers: the named fields only, secrets never. */
class AuditLogCopyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String copied(com.google.protobuf.Message message) {
    ObjectNode into = JSON.createObjectNode();
    AuditLog.copyNamed(message, into);
    return into.toString();
  }

  @Test
  void aSubmitAnswerKeepsIdsNameAndTeamButNotTheCommandOrEnvironment() {
    Job job =
        Job.newBuilder()
            .setId("job-000042")
            .setSpec(
                JobSpec.newBuilder()
                    .setName("train")
                    .setTeam("vision")
                    .addCommand("python3")
                    .addCommand("--token=secret")
                    .putEnv("WANDB_API_KEY", "secret")
                    .setResources(Resources.newBuilder().setGpus(4)))
            .setState(JobState.JOB_STATE_PENDING)
            .addAttempts(Attempt.newBuilder().setNumber(1).addNodeIds("gpu-1"))
            .setOwner("alice")
            .build();

    String line = copied(SubmitJobResponse.newBuilder().setJob(job).build());

    assertThat(line)
        .isEqualTo(
            "{\"job\":{\"id\":\"job-000042\",\"spec\":{\"name\":\"train\",\"team\":\"vision\"}}}")
        .doesNotContain("secret");
  }

  @Test
  void repeatedAndEnumFieldsAreCopiedInFieldOrderAndUnsetOnesLeftOut() {
    assertThat(
            copied(
                CreateTokenRequest.newBuilder()
                    .setUser("bob")
                    .addTeams("vision")
                    .addTeams("nlp")
                    .addRoles(Role.ROLE_ADMIN)
                    .setDescription("laptop")
                    .build()))
        .isEqualTo("{\"user\":\"bob\",\"teams\":\"[vision, nlp]\",\"roles\":\"[ROLE_ADMIN]\"}");
    assertThat(copied(CreateTokenRequest.newBuilder().setUser("bob").build()))
        .isEqualTo("{\"user\":\"bob\"}");
    // A proto3 bool at its default is not set, as getAllFields had it.
    assertThat(copied(DrainNodeRequest.newBuilder().setNodeId("gpu-2").build()))
        .isEqualTo("{\"node_id\":\"gpu-2\"}");
    assertThat(
            copied(
                DrainNodeRequest.newBuilder().setNodeId("gpu-2").setCheckpointJobs(true).build()))
        .isEqualTo("{\"node_id\":\"gpu-2\",\"checkpoint_jobs\":\"true\"}");
  }
}
