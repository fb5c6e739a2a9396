package io.tern.security.pki;

import java.util.Locale;

/**
 * What a Tern certificate identifies, written as the subject's OU: a scheduler replica (a TLS
 * server), a node agent (a client whose CN is its node id), or a user (a client whose CN is the
 * user name, for clusters that prefer client certificates to tokens).
 */
public enum IdentityKind {
  SCHEDULER,
  AGENT,
  USER;

  /** The OU value, e.g. {@code tern-agent}. */
  public String organizationalUnit() {
    return "tern-" + name().toLowerCase(Locale.ROOT);
  }

  /** The kind whose OU this is, or null when it is not a Tern OU. */
  public static IdentityKind fromOrganizationalUnit(String ou) {
    for (IdentityKind kind : values()) {
      if (kind.organizationalUnit().equals(ou)) {
        return kind;
      }
    }
    return null;
  }
}
