package io.tern.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: hex digests and copies that hash what they copy. */
public final class Sha256 {

  static final int BUFFER_SIZE = 1 << 20;

  private Sha256() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  public static String of(byte[] data) {
    return hex(newDigest().digest(data));
  }

  public static boolean isHex(String s) {
    return s != null
        && s.length() == 64
        && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** Size and SHA-256 of a stream's content. */
  public record Digest(long size, String sha256) {}

  /**
   * Copies at most {@code maxBytes + 1} bytes of {@code in} to {@code out} (which may be null, to
   * only hash), hashing them; reading one byte past the limit lets the caller see "too big" without
   * reading an unbounded stream.
   */
  public static Digest copy(InputStream in, OutputStream out, long maxBytes) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = 0;
    while (total <= maxBytes) {
      int want = (int) Math.min(buffer.length, maxBytes + 1 - total);
      int n = in.read(buffer, 0, want);
      if (n < 0) {
        break;
      }
      digest.update(buffer, 0, n);
      if (out != null) {
        out.write(buffer, 0, n);
      }
      total += n;
    }
    return new Digest(total, hex(digest.digest()));
  }
}
