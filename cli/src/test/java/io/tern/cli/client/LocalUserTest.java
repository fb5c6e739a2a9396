package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalUserTest {
  @Test
  void anOsUserNameIsSentAsASchedulerWithoutAuthenticationTakesIt() {
    assertThat(SchedulerClient.localUser("alice")).isEqualTo("alice");
    assertThat(SchedulerClient.localUser("alice@corp.example")).isEqualTo("alice@corp.example");
    assertThat(SchedulerClient.localUser("John Doe")).isEqualTo("John_Doe");
    assertThat(SchedulerClient.localUser("josé")).isEqualTo("jos_");
    assertThat(SchedulerClient.localUser("_svc")).isEqualTo("u_svc");
    assertThat(SchedulerClient.localUser("")).isEqualTo("unknown");
    assertThat(SchedulerClient.localUser("x".repeat(80))).hasSize(64);
  }
}
