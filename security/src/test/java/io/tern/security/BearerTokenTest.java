package io.tern.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.security.token.BearerToken;
import org.junit.jupiter.api.Test;

class BearerTokenTest {
  @Test
  void aGeneratedTokenParsesBackAndMatchesOnlyItsOwnHash() {
    BearerToken token = BearerToken.generate();
    BearerToken other = BearerToken.generate();

    assertThat(BearerToken.parse(token.value())).contains(token);
    assertThat(token.matches(token.hash())).isTrue();
    assertThat(token.matches(other.hash())).isFalse();
    assertThat(token.hash()).hasSize(64).doesNotContain(token.secret());
    assertThat(token.id()).isNotEqualTo(other.id());
  }

  @Test
  void malformedTokensDoNotParse() {
    String good = BearerToken.generate().value();

    assertThat(BearerToken.parse(null)).isEmpty();
    assertThat(BearerToken.parse("")).isEmpty();
    assertThat(BearerToken.parse(good.substring(0, good.length() - 1))).isEmpty();
    assertThat(BearerToken.parse(good + "x")).isEmpty();
    assertThat(BearerToken.parse(good.replace("tern_", "tarn_"))).isEmpty();
    assertThat(BearerToken.parse("tern_ABCDEF012345_" + "a".repeat(43))).isEmpty();
  }

  @Test
  void theSecretNeverAppearsInToString() {
    BearerToken token = BearerToken.generate();

    assertThat(token.toString()).contains(token.id()).doesNotContain(token.secret());
  }
}
