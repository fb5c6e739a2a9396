package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.Resources;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A snapshot's allocations as flat rows, one per allocation in snapshot (job id) order: the node
 * positions and GPU masks it holds, what it counts against its node and team, and its flags. Each
 * row is a pure function of its (immutable) allocation and the {@link NodeTable}, so rows of the
 * allocations a previous plan call saw, which usually are almost all of them, are copied from that
 * call's table instead of being read again from the allocation objects: the allocations are
 * recognised by identity, walking both lists (both sorted by job id) side by side. Immutable and
 * thread-safe after construction.
 */
public final class AllocationTable {
  /** How far ahead in the previous list an allocation is looked for before it counts as new. */
  private static final int LOOKAHEAD = 64;

  private static final PriorityClass[] CLASSES = PriorityClass.values();

  private final NodeTable nodes;
  private final Allocation[] allocations;

  /** Members of allocation k are {@code memberStart[k] .. memberStart[k + 1] - 1}. */
  final int[] memberStart;

  int[] memberPosition;
  long[] memberGpus;
  final boolean[] shareable;
  final boolean[] stopping;
  private final boolean[] hasDeadline;
  final byte[] priority;
  final int[] cpu;
  final long[] memoryMiB;
  private final String[] team;
  private final long[] teamGpus;
  private final long[] teamCpu;
  private final long[] teamMemoryMiB;
  private final List<Allocation> withDeadline = new ArrayList<>();
  private int members;

  private AllocationTable(List<Allocation> list, NodeTable nodes, AllocationTable previous) {
    this.nodes = nodes;
    int n = list.size();
    allocations = list.toArray(new Allocation[0]);
    memberStart = new int[n + 1];
    memberPosition = new int[Math.max(16, n)];
    memberGpus = new long[memberPosition.length];
    shareable = new boolean[n];
    stopping = new boolean[n];
    hasDeadline = new boolean[n];
    priority = new byte[n];
    cpu = new int[n];
    memoryMiB = new long[n];
    team = new String[n];
    teamGpus = new long[n];
    teamCpu = new long[n];
    teamMemoryMiB = new long[n];
    int[] remap = null;
    if (previous != null && previous.nodes != nodes) {
      remap = nodes.positionsOf(previous.nodes);
    }
    int j = 0;
    for (int k = 0; k < n; k++) {
      Allocation a = allocations[k];
      memberStart[k] = members;
      int found = -1;
      if (previous != null) {
        Allocation[] old = previous.allocations;
        for (int s = j, end = Math.min(old.length, j + LOOKAHEAD); s < end; s++) {
          if (old[s] == a) {
            found = s;
            break;
          }
        }
      }
      if (found >= 0 && copyRow(k, previous, found, remap)) {
        j = found + 1;
      } else {
        members = memberStart[k];
        readRow(k, a);
      }
      if (hasDeadline[k]) {
        withDeadline.add(a);
      }
    }
    memberStart[n] = members;
  }

  /**
   * The table of {@code allocations} on {@code nodes}, reusing the rows of {@code previous} (which
   * may be null) for allocations it saw.
   */
  public static AllocationTable of(
      List<Allocation> allocations, NodeTable nodes, AllocationTable previous) {
    return new AllocationTable(allocations, nodes, previous);
  }

  private boolean copyRow(int k, AllocationTable from, int row, int[] remap) {
    for (int m = from.memberStart[row]; m < from.memberStart[row + 1]; m++) {
      int position = from.memberPosition[m];
      if (remap != null) {
        position = remap[position];
        if (position < 0) {
          return false;
        }
      }
      addMember(position, from.memberGpus[m]);
    }
    shareable[k] = from.shareable[row];
    stopping[k] = from.stopping[row];
    hasDeadline[k] = from.hasDeadline[row];
    priority[k] = from.priority[row];
    cpu[k] = from.cpu[row];
    memoryMiB[k] = from.memoryMiB[row];
    team[k] = from.team[row];
    teamGpus[k] = from.teamGpus[row];
    teamCpu[k] = from.teamCpu[row];
    teamMemoryMiB[k] = from.teamMemoryMiB[row];
    return true;
  }

  private void readRow(int k, Allocation a) {
    List<NodeAssignment> assignments = a.assignments();
    for (int m = 0, size = assignments.size(); m < size; m++) {
      NodeAssignment na = assignments.get(m);
      List<Integer> gpus = na.gpuIndices();
      long mask = 0;
      // Indexed, not for-each: the iterator of an immutable list did not stay on the stack here.
      for (int g = 0, count = gpus.size(); g < count; g++) {
        mask |= 1L << gpus.get(g);
      }
      int position = nodes.position(na.nodeId());
      if (position < 0) {
        throw new IllegalArgumentException(
            "allocation of " + a.jobId() + " names unknown node " + na.nodeId());
      }
      addMember(position, mask);
    }
    Job job = a.job();
    Resources r = job.resources();
    shareable[k] = job.shareable();
    stopping[k] = a.stopping();
    hasDeadline[k] = job.deadline() != null;
    priority[k] = (byte) job.priority().ordinal();
    cpu[k] = r.cpu();
    memoryMiB[k] = r.memoryMiB();
    team[k] = job.team();
    teamGpus[k] = r.totalGpus();
    teamCpu[k] = (long) r.cpu() * r.nodes();
    teamMemoryMiB[k] = r.memoryMiB() * r.nodes();
  }

  private void addMember(int position, long gpus) {
    if (members == memberPosition.length) {
      memberPosition = Arrays.copyOf(memberPosition, members * 2);
      memberGpus = Arrays.copyOf(memberGpus, members * 2);
    }
    memberPosition[members] = position;
    memberGpus[members] = gpus;
    members++;
  }

  public int size() {
    return allocations.length;
  }

  /** Allocation {@code k} itself. */
  public Allocation allocation(int k) {
    return allocations[k];
  }

  /** True when allocation {@code k} is already stopping. */
  public boolean stopping(int k) {
    return stopping[k];
  }

  /** The class of allocation {@code k}'s job. */
  public PriorityClass priority(int k) {
    return CLASSES[priority[k]];
  }

  /** The team allocation {@code k} counts against. */
  public String team(int k) {
    return team[k];
  }

  /** GPUs of the whole gang of allocation {@code k}. */
  public long teamGpus(int k) {
    return teamGpus[k];
  }

  /** Cores of the whole gang of allocation {@code k}. */
  public long teamCpu(int k) {
    return teamCpu[k];
  }

  /** Host memory of the whole gang of allocation {@code k}. */
  public long teamMemoryMiB(int k) {
    return teamMemoryMiB[k];
  }

  /** The allocations whose job has a deadline, in snapshot order. */
  public List<Allocation> withDeadline() {
    return withDeadline;
  }
}
