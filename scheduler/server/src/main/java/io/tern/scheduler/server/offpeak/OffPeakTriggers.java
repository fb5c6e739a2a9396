package io.tern.scheduler.server.offpeak;

import io.tern.offpeak.OffPeakCalendar;
import io.tern.offpeak.WindowSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz cron triggers for the off-peak windows; a fire only calls the {@link OffPeakListener}.
 * Only the leader runs them: a new leader calls {@link #arm} with the windows it loaded from
 * ZooKeeper, a change to a window calls {@link #arm} again, and losing leadership calls {@link
 * #disarm}.
 *
 * <p>Each window is one durable job (a {@link WindowJob}, {@code @DisallowConcurrentExecution}, so
 * a window's opening and closing never run at once) with a cron trigger in the window's zone for
 * its openings and, after each opening, a one-shot trigger for its closing. Every fire re-checks
 * the window with {@link OffPeakCalendar} at the injected clock's now, so a late fire reports the
 * truth: an opening whose window has already closed reports nothing; a closing while an overlapping
 * opening still holds the window open reports nothing (that opening scheduled its own closing).
 *
 * <p>Misfires (the JVM paused, or the one Quartz thread was busy past the 5 s misfire threshold):
 * openings use {@code MISFIRE_INSTRUCTION_FIRE_ONCE_NOW} — one late fire that, thanks to the
 * re-check, opens the window for what is left of it, rather than {@code DO_NOTHING}, which would
 * silently skip a whole night; closings use {@code MISFIRE_INSTRUCTION_FIRE_NOW}, so a window is
 * never left open past its time for longer than the pause.
 *
 * <p>Thread-safe. Quartz keeps everything in memory (RAMJobStore): the windows are durable in
 * ZooKeeper, and {@link #arm} rebuilds the triggers from them.
 */
public final class OffPeakTriggers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OffPeakTriggers.class);
  private static final String GROUP = "tern-offpeak";
  private static final String SELF = "tern.offpeak.triggers";
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Lifecycle: started once, closed once. */
  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final OffPeakListener listener;
  private final Clock clock;
  private final Scheduler scheduler;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final Map<String, WindowSpec> windows = new HashMap<>();

  public OffPeakTriggers(OffPeakListener listener, Clock clock) {
    this.listener = listener;
    this.clock = clock;
    Properties p = new Properties();
    p.setProperty(
        "org.quartz.scheduler.instanceName", "tern-offpeak-" + INSTANCES.incrementAndGet());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "1");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
    try {
      this.scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.getContext().put(SELF, this);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the Quartz scheduler", e);
    }
  }

  /** Starts the Quartz thread. Call once. */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("off-peak triggers already " + state.get());
    }
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the Quartz scheduler", e);
    }
  }

  /**
   * Replaces all triggers with the given windows. Windows open right now are reported opened at
   * once (on the caller's thread), with their closing scheduled; a new leader thereby learns the
   * current state without waiting for the next fire. May be called before {@link #start}: the
   * triggers then fire (or misfire) from the start.
   */
  public synchronized void arm(Collection<WindowSpec> specs) {
    if (state.get() == State.CLOSED) {
      throw new IllegalStateException("off-peak triggers are closed");
    }
    try {
      scheduler.clear();
      windows.clear();
      for (WindowSpec w : specs) {
        windows.put(w.name(), w);
        if (w.nextOpeningAfter(clock.instant()) == null) {
          // Its years are past (Quartz refuses a trigger that never fires): nothing to arm, and a
          // new leader must not fail to take over for it. An opening still under way closes below.
          log.info("off-peak window {} never opens again", w.name());
          continue;
        }
        JobDetail job =
            JobBuilder.newJob(WindowJob.class).withIdentity(w.name(), GROUP).storeDurably().build();
        CronTrigger opening =
            TriggerBuilder.newTrigger()
                .withIdentity(openKey(w.name()))
                .forJob(job)
                .usingJobData(KIND, OPEN)
                .withSchedule(
                    CronScheduleBuilder.cronSchedule(w.expression())
                        .inTimeZone(TimeZone.getTimeZone(w.zone()))
                        .withMisfireHandlingInstructionFireAndProceed())
                // From the clock's now: a fire time already behind the real clock misfires.
                .startAt(Date.from(clock.instant()))
                .build();
        scheduler.addJob(job, true);
        scheduler.scheduleJob(opening);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot arm off-peak triggers", e);
    }
    Instant now = clock.instant();
    for (WindowSpec w : specs) {
      OffPeakCalendar.Opening o = OffPeakCalendar.openingAt(w, now);
      if (o != null) {
        scheduleClosing(w.name(), o.closesAt());
        listener.opened(w.name(), o.closesAt());
      }
    }
  }

  /** Removes all triggers (leadership lost); the Quartz thread keeps idling. */
  public synchronized void disarm() {
    if (state.get() == State.CLOSED) {
      return;
    }
    try {
      scheduler.clear();
      windows.clear();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot disarm off-peak triggers", e);
    }
  }

  /** When a window's next trigger fires, for tests and status: opening or closing, or null. */
  public synchronized Instant nextFire(String name, boolean closing) {
    try {
      Trigger t = scheduler.getTrigger(closing ? closeKey(name) : openKey(name));
      return t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant();
    } catch (SchedulerException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    State was = state.getAndSet(State.CLOSED);
    if (was == State.CLOSED) {
      return;
    }
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("closing the Quartz scheduler failed", e);
    }
  }

  // ---- fires -------------------------------------------------------------------------------

  static final String KIND = "kind";
  static final String OPEN = "open";
  static final String CLOSE = "close";

  /**
   * What a trigger fire does, at the injected clock's now. Package-private so tests can drive a
   * (late) fire directly.
   */
  synchronized void fired(String name, String kind) {
    WindowSpec w = windows.get(name);
    if (w == null || state.get() != State.STARTED) {
      return;
    }
    OffPeakCalendar.Opening o = OffPeakCalendar.openingAt(w, clock.instant());
    if (OPEN.equals(kind)) {
      if (o == null) {
        log.info("off-peak window {}: late opening after it closed, ignored", name);
        return;
      }
      scheduleClosing(name, o.closesAt());
      listener.opened(name, o.closesAt());
    } else if (o == null) {
      listener.closed(name);
    }
  }

  private void scheduleClosing(String name, Instant at) {
    Trigger closing =
        TriggerBuilder.newTrigger()
            .withIdentity(closeKey(name))
            .forJob(JobKey.jobKey(name, GROUP))
            .usingJobData(KIND, CLOSE)
            .startAt(Date.from(at))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
            .build();
    try {
      Trigger existing = scheduler.getTrigger(closeKey(name));
      if (existing != null) {
        Date pending = existing.getNextFireTime();
        if (pending != null && !pending.toInstant().isBefore(at)) {
          return; // an overlapping opening already holds the window open at least that long
        }
        scheduler.rescheduleJob(closeKey(name), closing);
      } else {
        scheduler.scheduleJob(closing);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule the closing of window " + name, e);
    }
  }

  private static TriggerKey openKey(String name) {
    return TriggerKey.triggerKey(name + ".open", GROUP);
  }

  private static TriggerKey closeKey(String name) {
    return TriggerKey.triggerKey(name + ".close", GROUP);
  }

  /** The Quartz job: hands the fire to its {@link OffPeakTriggers}. */
  @DisallowConcurrentExecution
  public static final class WindowJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      try {
        OffPeakTriggers self = (OffPeakTriggers) context.getScheduler().getContext().get(SELF);
        self.fired(
            context.getJobDetail().getKey().getName(),
            context.getMergedJobDataMap().getString(KIND));
      } catch (SchedulerException | RuntimeException e) {
        log.warn("off-peak fire failed", e);
      }
    }
  }

  /** The windows armed now, by name; for tests. */
  synchronized List<String> armedWindows() {
    return windows.keySet().stream().sorted().toList();
  }
}
