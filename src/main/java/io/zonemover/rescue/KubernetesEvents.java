package io.zonemover.rescue;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.jobs.Progress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records what zonemover does as Kubernetes Events on the claims and the StatefulSet concerned, so that
 * {@code kubectl describe pvc} shows it: the rescuer's own actions ({@link #about}), and, as a {@link Progress}
 * in front of another one, every action of every step of a move ({@code MoveStep}): each step's actions in one
 * Event, as {@link StepBatches} groups them, and at most its two seconds late.
 *
 * <p>Best-effort, and never in a move's way: events are posted in the background by one thread, each with one
 * attempt; the queue is bounded and drops what does not fit; a failure is told once (on the progress it
 * fronts) and never fails anything. Each event names its object's uid as it is when it is posted, which is how
 * {@code kubectl describe} finds them (a move replaces the claim and the StatefulSet, so the first steps'
 * events stay with the objects they were about). The same event again within ten minutes is counted on the
 * first one (PATCH of count and lastTimestamp), as client-go's recorder does.
 */
public final class KubernetesEvents implements Progress, AutoCloseable {

    public static final String MOVE_STEP = "MoveStep";
    private static final Duration AGGREGATE_WITHIN = Duration.ofMinutes(10);
    private static final int MAX_REMEMBERED = 512;

    private record Posted(String name, int count, Instant at) {
    }

    private final Cluster cluster;
    private final Progress delegate;
    private final String instance;
    private final Clock clock;
    private final ThreadPoolExecutor poster;
    /** A move's actions, grouped by step before they become Events. */
    private final StepBatches steps;
    private final AtomicBoolean failureTold = new AtomicBoolean();
    /** Events queued or being posted. */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    /** Uids read during the current backlog, by kind/namespace/name: only the poster thread touches it. */
    private final Map<String, String> backlogUids = new java.util.HashMap<>();
    /** Events posted lately, by object and text: only the poster thread touches it. */
    private final Map<String, Posted> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Posted> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /**
     * @param delegate where progress lines go on (and where a failure to post is told, once)
     * @param instance this process as the events' reportingInstance (pod or host name)
     */
    public KubernetesEvents(Cluster cluster, Progress delegate, String instance, Clock clock) {
        this.cluster = cluster;
        this.delegate = delegate;
        this.instance = instance;
        this.clock = clock;
        this.poster = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "zonemover-events");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        this.steps = new StepBatches(this::post, clock);
    }

    @Override
    public void report(String step, String message) {
        delegate.report(step, message);
    }

    @Override
    public void action(Action action) {
        delegate.action(action);
        if (action.namespace() != null) {
            steps.add(action);
        }
    }

    /** One step's actions, as one Event on each object. */
    private void post(StepBatches.Batch batch) {
        Action a = batch.first();
        about(a.namespace(), a.statefulSet(), a.claims(), "Normal", MOVE_STEP, a.step(), batch.message(), batch.at());
    }

    /**
     * One Event on each claim and one on the StatefulSet (either may be absent), posted in the background.
     *
     * @param type   Normal or Warning
     * @param action what zonemover was doing (the Event's action): Rescue, or a step's name
     */
    public void about(String namespace, String statefulSet, List<String> claims, String type, String reason,
                      String action, String message) {
        about(namespace, statefulSet, claims, type, reason, action, message, clock.instant());
    }

    private void about(String namespace, String statefulSet, List<String> claims, String type, String reason,
                       String action, String message, Instant at) {
        List<String> names = List.copyOf(claims);
        pending.incrementAndGet();
        try {
            poster.execute(() -> postAll(namespace, statefulSet, names, type, reason, action, message, at));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.decrementAndGet(); // the queue is full (or closed): this one is dropped
        }
    }

    /** One event on each claim and on the StatefulSet: on the poster thread. */
    private void postAll(String namespace, String statefulSet, List<String> names, String type, String reason,
                         String action, String message, Instant at) {
        for (String claim : names) {
            String uid = uid("PersistentVolumeClaim/" + namespace + "/" + claim,
                    () -> cluster.claim(new ClaimRef(namespace, claim)).map(Cluster.Claim::uid).orElse(null));
            post(new Cluster.ObjectEvent(namespace, "PersistentVolumeClaim", "v1", claim, uid, type, reason, action,
                    message, instance), at);
        }
        if (statefulSet != null) {
            String uid = uid("StatefulSet/" + namespace + "/" + statefulSet,
                    () -> cluster.statefulSet(namespace, statefulSet).map(Cluster.StatefulSet::uid).orElse(null));
            post(new Cluster.ObjectEvent(namespace, "StatefulSet", "apps/v1", statefulSet, uid, type, reason, action,
                    message, instance), at);
        }
        if (pending.decrementAndGet() == 0) {
            backlogUids.clear();
        }
    }

    /**
     * The object's uid: read once per backlog. While events queue up faster than they are posted (a move's
     * steps come in bursts), they share one read of each object instead of one each; once the queue is empty
     * the next event reads again, so an object a move replaced is seen with its new uid.
     */
    private String uid(String object, java.util.function.Supplier<String> read) {
        String known = backlogUids.get(object);
        if (known != null) {
            return known;
        }
        String uid = quietly(read);
        if (uid != null) {
            backlogUids.put(object, uid);
        }
        return uid;
    }

    private void post(Cluster.ObjectEvent event, Instant at) {
        String key = event.kind() + "/" + event.namespace() + "/" + event.name() + "/" + event.uid() + "/"
                + event.type() + "/" + event.reason() + "/" + event.message();
        try {
            Posted before = recent.get(key);
            if (before != null && Duration.between(before.at(), at).compareTo(AGGREGATE_WITHIN) < 0
                    && cluster.repeatEvent(event.namespace(), before.name(), before.count() + 1, at)) {
                recent.put(key, new Posted(before.name(), before.count() + 1, at));
                return;
            }
            recent.put(key, new Posted(cluster.createEvent(event, at), 1, at));
        } catch (RuntimeException e) {
            if (failureTold.compareAndSet(false, true)) {
                delegate.report("events", "cannot record Kubernetes Events (" + e.getMessage() + "); going on without them");
            }
        }
    }

    private static String quietly(java.util.function.Supplier<String> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Waits until the events queued so far are posted (or {@code timeout} passes). */
    public void flush(Duration timeout) {
        steps.flush();
        var done = new java.util.concurrent.CountDownLatch(1);
        try {
            poster.execute(done::countDown);
            done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // full or closed: nothing to wait for that this could tell
        }
    }

    /** Posts what is queued (for up to ten seconds), then stops, dropping what is left. */
    @Override
    public void close() {
        steps.close();
        poster.shutdown();
        try {
            if (!poster.awaitTermination(10, TimeUnit.SECONDS)) {
                // Nothing may go on calling the API server after the command is done with it.
                poster.shutdownNow();
                poster.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
