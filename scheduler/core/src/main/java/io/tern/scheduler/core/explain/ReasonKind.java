package io.tern.scheduler.core.explain;

/**
 * Every reason a job can be left pending. Node-level kinds are counted over nodes ("31 nodes: not
 * enough free GPU memory"); job-level kinds stand alone ("quota: team vision at 96 of 96 GPUs").
 */
public enum ReasonKind {
  NODE_DRAINING(true, "draining"),
  NODE_LOST(true, "lost"),
  NODE_CORDONED(true, "cordoned"),
  NODE_UNREACHABLE(true, "agent not connected"),
  NODE_RESTING(true, "resting after a fault (tern nodes says why)"),
  CAPACITY_TYPE(true, "capacity type not allowed"),
  GPU_MODEL(true, "GPU model not allowed"),
  NOT_ENOUGH_GPUS(true, "not enough free GPUs"),
  GPU_UNHEALTHY(true, "GPU unhealthy (XID/ECC)"),
  GPU_MEMORY(true, "not enough free GPU memory"),
  GPU_BUSY(true, "GPUs too busy to share"),
  CPU(true, "not enough free CPU"),
  MEMORY(true, "not enough free memory"),
  COST_CAP(true, "too expensive for the job's cost cap"),
  RESERVED(true, "reserved for another job"),
  NOT_EXAMINED(true, "not examined"),
  NO_NODES(false, "no nodes in the cluster"),
  GANG_INCOMPLETE(false, "gang incomplete"),
  QUOTA(false, "quota"),
  BUDGET_HARD(false, "budget"),
  /** Past the team's soft budget: spot only, and the job asks for on-demand. */
  BUDGET_SOFT(false, "budget"),
  HELD_OFF_PEAK(false, "held for off-peak"),
  WAITING_FOR_SPOT(false, "waiting for spot"),
  RESERVATION_HOLDER(false, "waiting on its reservation"),
  WAITING_FOR_PREEMPTION(false, "waiting for preempted jobs to stop"),
  WAITING_FOR_CAPACITY(false, "waiting for new capacity");

  private final boolean perNode;
  private final String text;

  ReasonKind(boolean perNode, String text) {
    this.perNode = perNode;
    this.text = text;
  }

  /** True for kinds that are counted over nodes. */
  public boolean perNode() {
    return perNode;
  }

  /** Short human text for the kind. */
  public String text() {
    return text;
  }

  /** True when the job is deliberately held (the state machine moves it to HELD). */
  public boolean isHold() {
    return this == HELD_OFF_PEAK || this == BUDGET_HARD || this == BUDGET_SOFT;
  }
}
