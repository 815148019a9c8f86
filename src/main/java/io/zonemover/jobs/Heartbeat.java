package io.zonemover.jobs;

import io.zonemover.state.MigrationStore;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Keeps this process's claim on a job fresh while it runs, so no other process resumes it meanwhile. */
final class Heartbeat implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "zonemover-heartbeat");
        t.setDaemon(true);
        return t;
    });

    Heartbeat(MigrationStore store, String id) {
        timer.scheduleAtFixedRate(() -> {
            try {
                store.heartbeat(id);
            } catch (RuntimeException ignored) {
                // A missed heartbeat only matters after 30 s; the next one retries.
            }
        }, 2, 2, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
