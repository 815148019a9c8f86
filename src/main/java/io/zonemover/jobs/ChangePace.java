package io.zonemover.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long to wait before looking again at a change under way in EC2 (a snapshot completing, a volume being
 * created), from what this process has seen of it: the time since it started and, for a snapshot, the progress
 * EC2 reports. A change that moves is expected to go on at the pace seen so far, so the wait is about the time it
 * still needs; a change that shows no progress (a volume has none to show, a snapshot may sit at the same
 * percentage) is waited for about as long again as it has taken so far, so the looks thin out as it drags on.
 *
 * <p>Everything is measured on this machine's clock, never on the cloud's: timestamps EC2 returns are in its own
 * clock, which may be off from ours (and a simulated cloud's runs at another pace altogether). The caller bounds
 * the answer (at least the poll interval, at most a ceiling).
 */
final class ChangePace {

    /**
     * When a change was first seen, or last seen to move, and its progress then (-1: none reported). EC2 reports
     * whole percents, so a reported p stands for anything from p to p + 1: its middle, p + 0.5, is the estimate.
     */
    private record Sighting(long at, double progress) {
        static Sighting seen(long at, int percent) {
            return new Sighting(at, percent < 0 ? percent : percent + 0.5);
        }
    }

    private final Map<String, Sighting> first = new ConcurrentHashMap<>();
    private final Map<String, Sighting> lastMove = new ConcurrentHashMap<>();
    /** When a change this process started is first worth a look (nothing shows in EC2 the instant it starts). */
    private final Map<String, Long> firstLook = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    ChangePace() {
        this(System::currentTimeMillis);
    }

    ChangePace(LongSupplier clock) {
        this.clock = clock;
    }

    /** This machine's time, to pass to {@link #started} as the instant a create was asked for. */
    long now() {
        return clock.getAsLong();
    }

    /**
     * This process started the change (created the snapshot or volume) with a call made at {@code askedAt} and
     * answered now. EC2 started it somewhere in between: its time counts from halfway (from the answer, it would
     * seem faster than it is and be looked at too early; from the call, slower). It is not worth a look before
     * {@code firstLookMillis} (a poll interval) have passed.
     */
    void started(String id, long askedAt, long firstLookMillis) {
        long now = clock.getAsLong();
        Sighting s = new Sighting(askedAt + (now - askedAt) / 2, 0);
        first.put(id, s);
        lastMove.put(id, s);
        firstLook.put(id, now + firstLookMillis);
    }

    /** How long until these changes are first worth a look (0: now). */
    long untilFirstLook(List<String> ids) {
        long now = clock.getAsLong();
        return ids.stream().mapToLong(id -> firstLook.getOrDefault(id, now) - now).max().orElse(0);
    }

    /**
     * Milliseconds until the change is expected to be done, given its progress now (a percentage, or -1 when EC2
     * reports none). A change first seen here (one an earlier process started) counts from now.
     */
    long expectedMillis(String id, int progress) {
        return expected(id, progress, false);
    }

    /**
     * As {@link #expectedMillis}, but the soonest the change can be done: EC2's whole percent p means at most p + 1,
     * so the pace is taken as the fastest it can be, without the late bias. For a wait whose lateness costs more
     * than a look (the final snapshot, in the downtime): an estimate from a low percent can be far off (1% may be
     * 1.9%: a third too slow), and this errs early, to look again, instead of late.
     */
    long soonestMillis(String id, int progress) {
        return expected(id, progress, true);
    }

    private long expected(String id, int progress, boolean soonest) {
        long now = clock.getAsLong();
        firstLook.remove(id);
        Sighting seen = Sighting.seen(now, progress);
        Sighting from = first.computeIfAbsent(id, k -> seen);
        Sighting moved = lastMove.compute(id, (k, last) -> last == null || last.progress() != seen.progress()
                ? seen : last);
        long stalled = now - moved.at();
        if (progress >= 0 && progress < 100 && seen.progress() > from.progress()) {
            if (soonest) {
                // Stuck at one percentage (EC2 can sit at 99% for a while): looked at less and less often still.
                double upTo = progress + 1;
                return Math.max((long) ((now - from.at()) * (100 - upTo) / (upTo - from.progress())), stalled / 2);
            }
            double remaining = (now - from.at()) * (100 - seen.progress()) / (seen.progress() - from.progress());
            // A little late rather than early: an early look costs a call and then a whole poll interval.
            return Math.max((long) (remaining * 1.05), stalled);
        }
        return Math.max(now - from.at(), stalled);
    }

    /** The change is over: forget it. */
    void done(String id) {
        first.remove(id);
        lastMove.remove(id);
        firstLook.remove(id);
    }

    /** EC2's progress text ("57%") as a number; -1 when absent or unreadable. */
    static int percent(String progress) {
        if (progress == null) {
            return -1;
        }
        try {
            return Integer.parseInt(progress.trim().replace("%", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
