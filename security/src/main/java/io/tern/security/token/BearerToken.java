package io.tern.security.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's bearer token: {@code tern_<id>_<secret>}. The id (12 hex digits) names the token in
 * listings and revocations; the secret (32 random bytes, base64url) is shown once, when the token
 * is made. Only {@link #hash()} is stored: a SHA-256 of the whole token, which is enough for a
 * secret with 256 bits of entropy (nobody can guess their way to a preimage), and cheap to check on
 * every call.
 */
public record BearerToken(String id, String secret) {
  private static final Pattern FORMAT = Pattern.compile("tern_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
  private static final SecureRandom RANDOM = new SecureRandom();

  public static BearerToken generate() {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new BearerToken(
        HexFormat.of().formatHex(id),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** The token a string holds, or empty when it does not have the token's form. */
  public static Optional<BearerToken> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher matcher = FORMAT.matcher(text.strip());
    return matcher.matches()
        ? Optional.of(new BearerToken(matcher.group(1), matcher.group(2)))
        : Optional.empty();
  }

  /** The token as the user keeps it. */
  public String value() {
    return "tern_" + id + "_" + secret;
  }

  /** SHA-256 of {@link #value()}, hex: what the scheduler stores. */
  public String hash() {
    return hash(value());
  }

  /** Whether this token is the one whose stored hash is {@code storedHash}, in constant time. */
  public boolean matches(String storedHash) {
    return MessageDigest.isEqual(
        hash().getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(value.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Never the secret: a token must not end up in a log by accident. */
  @Override
  public String toString() {
    return "tern_" + id + "_…";
  }
}
