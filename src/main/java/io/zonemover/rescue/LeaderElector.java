package io.zonemover.rescue;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.PortError;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it.
 *
 * <p>Each round reads the Lease. Absent: create it holding it (a create that loses the race is a CONFLICT).
 * Held by another candidate: leave it alone until it has not changed for its leaseDurationSeconds, measured
 * on this process's monotonic clock from when this candidate saw it change (not from the renewTime written
 * in it, so the candidates' wall clocks need not agree). Held by this candidate, or expired: write it back
 * (renewTime, and acquireTime and leaseTransitions on a take-over) with the resourceVersion it was read with,
 * so of two candidates writing at once one gets a CONFLICT and simply tries again next round.
 *
 * <p>The leader renews every {@code retryPeriod}. It stops leading, and says so, when it has not renewed
 * for {@code renewDeadline}, which is shorter than the lease duration: counted from when the successful
 * renewal was sent, so it has stopped before any other candidate can see the Lease expire. {@link #leading()}
 * checks that deadline itself, so a round stuck in a slow API call cannot stretch the leadership either.
 * {@link #release()} gives the Lease up (empty holder) so a successor need not wait out the duration.
 */
public final class LeaderElector implements AutoCloseable {

    /** Where leadership changes are told. */
    public interface Listener {
        void startedLeading();

        void stoppedLeading(String why);

        /** Another candidate holds the Lease now (told once per holder). */
        void otherLeader(String identity);
    }

    /**
     * @param identity      this candidate's holderIdentity (unique per process: host name and a random suffix)
     * @param leaseDuration how long others wait after the Lease last changed before taking it (client-go: 15 s)
     * @param renewDeadline how long the leader keeps leading without a successful renewal (10 s)
     * @param retryPeriod   time between rounds (client-go: 2 s)
     */
    public record Settings(String namespace, String name, String identity, Duration leaseDuration,
                           Duration renewDeadline, Duration retryPeriod) {
        public Settings {
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("the renew deadline must be shorter than the lease duration");
            }
            if (retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("the retry period must be shorter than the renew deadline");
            }
        }
    }

    private final Cluster cluster;
    private final Settings settings;
    private final Listener listener;
    private final LongSupplier nanos;
    private final Clock wall;

    private Cluster.Lease observed;
    private long observedAt;
    private String lastOtherHolder;
    private volatile boolean leading;
    private volatile long renewedAt;
    private volatile boolean closed;
    private Thread thread;

    public LeaderElector(Cluster cluster, Settings settings, Listener listener) {
        this(cluster, settings, listener, System::nanoTime, Clock.systemUTC());
    }

    /** With the clocks given: {@code nanos} monotonic (the lease's expiry), {@code wall} for the times written. */
    public LeaderElector(Cluster cluster, Settings settings, Listener listener, LongSupplier nanos, Clock wall) {
        this.cluster = cluster;
        this.settings = settings;
        this.listener = listener;
        this.nanos = nanos;
        this.wall = wall;
    }

    public String identity() {
        return settings.identity();
    }

    /** True while this candidate leads: the last renewal was sent less than the renew deadline ago. */
    public boolean leading() {
        return leading && nanos.getAsLong() - renewedAt < settings.renewDeadline().toNanos();
    }

    /** Runs the rounds on a daemon thread until {@link #close()}. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = new Thread(this::loop, "zonemover-leader-election");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!closed) {
            round();
            long sleep = settings.retryPeriod().toMillis();
            if (!leading) {
                // Candidates spread their attempts, as client-go's JitterUntil (factor 1.2) does.
                sleep += (long) (ThreadLocalRandom.current().nextDouble() * 1.2 * sleep);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round: acquire or renew, then tell the listener what changed. Never throws. */
    public synchronized void round() {
        long sent = nanos.getAsLong();
        boolean holds;
        try {
            holds = tryAcquireOrRenew(sent);
        } catch (RuntimeException e) {
            holds = false;
        }
        if (holds) {
            renewedAt = sent;
            if (!leading) {
                leading = true;
                lastOtherHolder = null;
                listener.startedLeading();
            }
            return;
        }
        String holder = observed == null ? null : observed.holderIdentity();
        if (leading) {
            if (holder != null && !holder.isEmpty() && !holder.equals(settings.identity())) {
                leading = false;
                lastOtherHolder = holder;
                listener.stoppedLeading("the Lease is held by " + holder + " now");
            } else if (nanos.getAsLong() - renewedAt >= settings.renewDeadline().toNanos()) {
                leading = false;
                listener.stoppedLeading("could not renew the Lease for " + settings.renewDeadline().toSeconds() + " s");
            }
        }
        if (!leading && holder != null && !holder.isEmpty() && !holder.equals(settings.identity())
                && !holder.equals(lastOtherHolder)) {
            lastOtherHolder = holder;
            listener.otherLeader(holder);
        }
    }

    /** client-go's tryAcquireOrRenew: true when this candidate holds the Lease after the round. */
    private boolean tryAcquireOrRenew(long now) {
        Instant at = wall.instant();
        int durationSeconds = (int) settings.leaseDuration().toSeconds();
        Optional<Cluster.Lease> read = cluster.lease(settings.namespace(), settings.name());
        if (read.isEmpty()) {
            Cluster.Lease mine = new Cluster.Lease(settings.namespace(), settings.name(), settings.identity(),
                    durationSeconds, at, at, 0, null);
            try {
                observe(cluster.createLease(mine), now);
                return true;
            } catch (PortError e) {
                return false; // another candidate created it first (or the API failed): next round decides
            }
        }
        Cluster.Lease current = read.get();
        if (observed == null || !Objects.equals(observed.resourceVersion(), current.resourceVersion())) {
            observe(current, now);
        }
        boolean held = current.holderIdentity() != null && !current.holderIdentity().isEmpty();
        boolean mine = settings.identity().equals(current.holderIdentity());
        long validNanos = Duration.ofSeconds(Math.max(0, current.leaseDurationSeconds())).toNanos();
        if (held && !mine && now - observedAt < validNanos) {
            return false;
        }
        Cluster.Lease next = mine
                ? new Cluster.Lease(current.namespace(), current.name(), settings.identity(), durationSeconds,
                        current.acquireTime(), at, current.leaseTransitions(), current.resourceVersion())
                : new Cluster.Lease(current.namespace(), current.name(), settings.identity(), durationSeconds,
                        at, at, current.leaseTransitions() + 1, current.resourceVersion());
        try {
            observe(cluster.updateLease(next), now);
            return true;
        } catch (PortError e) {
            return false; // a CONFLICT: someone wrote it since the read; the next round reads it again
        }
    }

    private void observe(Cluster.Lease lease, long now) {
        observed = lease;
        observedAt = now;
    }

    /**
     * Gives the Lease up if this candidate holds it: holder emptied, so the next candidate takes it at its next
     * round instead of after the lease duration (client-go's ReleaseOnCancel).
     */
    public synchronized void release() {
        if (!leading) {
            return;
        }
        leading = false;
        try {
            Optional<Cluster.Lease> read = cluster.lease(settings.namespace(), settings.name());
            if (read.isPresent() && settings.identity().equals(read.get().holderIdentity())) {
                Cluster.Lease current = read.get();
                Instant at = wall.instant();
                cluster.updateLease(new Cluster.Lease(current.namespace(), current.name(), "", 1, at, at,
                        current.leaseTransitions(), current.resourceVersion()));
            }
        } catch (RuntimeException e) {
            // It expires by itself after the lease duration.
        }
        listener.stoppedLeading("released the Lease");
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        release();
    }
}
