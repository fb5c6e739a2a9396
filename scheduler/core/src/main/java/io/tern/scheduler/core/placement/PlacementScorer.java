package io.tern.scheduler.core.placement;

/**
 * A soft placement preference. Scores of all scorers are combined with the weights in {@code
 * EngineConfig.scorerWeights} (by {@link #name()}); the highest total wins, ties go to the node
 * that sorts first by id.
 *
 * <p>Contract: returns a value in [0, 1], higher is better; pure and deterministic; planning thread
 * only; never called for a node a filter vetoed.
 */
public interface PlacementScorer {

  /** The key of this scorer's weight in the configuration. */
  String name();

  /**
   * Scores placing one member of the request on {@code node} using {@code gpus} (a mask of the GPU
   * indices that would be taken).
   */
  double score(PlacementRequest request, NodeView node, long gpus);
}
