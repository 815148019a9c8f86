package io.zonemover.jobs;

import io.zonemover.state.MigrationStore;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Renews this process's lease on a job while it runs, three times per lease length, so that a missed renewal
 * or two (a slow database) does not let the lease run out. A renewal that finds the lease taken is not acted on
 * here: the steps check ownership before each action and stop ({@link MigrationStore#checkStillOwner}).
 */
final class Heartbeat implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "zonemover-heartbeat");
        t.setDaemon(true);
        return t;
    });

    Heartbeat(MigrationStore store, String id) {
        long period = Math.max(100, store.lease().toMillis() / 3);
        timer.scheduleAtFixedRate(() -> {
            try {
                store.heartbeat(id);
            } catch (RuntimeException ignored) {
                // The next renewal retries; the lease only runs out after three misses.
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
