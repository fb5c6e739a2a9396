package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.explain.ReasonKind;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a filter refuses a node, typed so that explanations can group and count them.
 *
 * @param kind the reason kind
 * @param reason human text
 */
public record Veto(ReasonKind kind, String reason) {

  public Veto {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  /** A veto whose text is its kind's text, pre-wrapped so the hot path allocates nothing. */
  public static Optional<Veto> of(ReasonKind kind) {
    return Optional.of(new Veto(kind, kind.text()));
  }
}
