package io.zonemover.rescue;

import io.zonemover.jobs.Progress.Action;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Groups the actions of one step of one move into a batch, handed on when the move goes on to another step or
 * {@link #WINDOW} after the batch's first action, whichever comes first.
 *
 * <p>Why: a move takes some 25 actions per claim, most of them in bursts a second long (restore: the volume, the
 * claim deleted, the PV, the claim again). One Event each, on every claim and the StatefulSet, made about a
 * hundred API writes per move: in a plan of sixty moves that is thousands of Events, which client-go's own
 * recorder would spam-filter and which slowed the moves sharing the API server. Batched, a move leaves about
 * one Event per step on each object, posted at most {@link #WINDOW} late.
 */
final class StepBatches implements AutoCloseable {

    static final Duration WINDOW = Duration.ofSeconds(2);

    /** The actions of one step of one move, in order. */
    record Batch(Action first, List<String> messages, Instant at) {

        /** "JOB STEP: first; second; ...". */
        String message() {
            return (first.jobId() == null ? "" : first.jobId() + " ") + first.step() + ": "
                    + String.join("; ", messages);
        }
    }

    private final Consumer<Batch> sink;
    private final Clock clock;
    /** Open batches by move (its job id, or namespace/StatefulSet without one); guarded by itself. */
    private final Map<String, Batch> open = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "zonemover-events-batches");
        t.setDaemon(true);
        return t;
    });

    StepBatches(Consumer<Batch> sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    void add(Action action) {
        String move = action.jobId() != null ? action.jobId() : action.namespace() + "/" + action.statefulSet();
        Batch done = null;
        Batch batch;
        synchronized (open) {
            batch = open.get(move);
            if (batch != null && !sameStep(batch.first(), action)) {
                done = open.remove(move);
                batch = null;
            }
            if (batch == null) {
                batch = new Batch(action, new ArrayList<>(), clock.instant());
                open.put(move, batch);
                Batch scheduled = batch;
                timer.schedule(() -> close(move, scheduled), WINDOW.toMillis(), TimeUnit.MILLISECONDS);
            }
            batch.messages().add(action.message());
        }
        if (done != null) {
            sink.accept(done);
        }
    }

    /** Hands on every open batch now. */
    void flush() {
        List<Batch> all;
        synchronized (open) {
            all = new ArrayList<>(open.values());
            open.clear();
        }
        all.sort(java.util.Comparator.comparing(Batch::at));
        all.forEach(sink);
    }

    @Override
    public void close() {
        flush();
        timer.shutdownNow();
    }

    private void close(String move, Batch batch) {
        boolean due;
        synchronized (open) {
            due = open.get(move) == batch;
            if (due) {
                open.remove(move);
            }
        }
        if (due) {
            sink.accept(batch);
        }
    }

    private static boolean sameStep(Action a, Action b) {
        return Objects.equals(a.step(), b.step()) && Objects.equals(a.namespace(), b.namespace())
                && Objects.equals(a.statefulSet(), b.statefulSet()) && a.claims().equals(b.claims());
    }
}
