package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.explain.ReasonKind;
import java.util.Arrays;
import java.util.List;
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

  private static final List<Optional<Veto>> BY_KIND =
      Arrays.stream(ReasonKind.values()).map(k -> Optional.of(new Veto(k, k.text()))).toList();

  /** The shared veto whose text is its kind's text: the hot path allocates nothing. */
  public static Optional<Veto> of(ReasonKind kind) {
    return BY_KIND.get(kind.ordinal());
  }
}
