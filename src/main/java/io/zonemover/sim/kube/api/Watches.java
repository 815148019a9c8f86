package io.zonemover.sim.kube.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The change feed behind {@code ?watch=true}. The world's store keeps no history, so this observes it: while
 * anyone lists or watches, a daemon thread reads every kind every {@link #POLL_MS} ms (under the world's
 * lock, which also advances the world's clock, so controllers keep acting while a client only watches),
 * and diffs by key, uid and resourceVersion: a new key or uid is ADDED, a new resourceVersion MODIFIED, a
 * vanished key DELETED (with the object's last state, and the world's resourceVersion when the deletion was
 * seen). An object replaced by another of the same name between two polls (a StatefulSet pod recreated) is
 * a DELETED then an ADDED. Changes that begin and end between two polls are not seen, as an informer that
 * relists would not see them either.
 *
 * <p>The log of events is kept from the first observation on (at most {@link #MAX_EVENTS}); a watch from a
 * resourceVersion older than that gets the real server's 410 Expired. The observer starts with a list (so
 * that the watch a client opens from that list's resourceVersion misses nothing), stops after
 * {@link #IDLE_MS} with no watch open and no list made, and forgets its log; open watches then end, as a
 * real server ends them, and their clients list again.
 */
final class Watches {

    static final long POLL_MS = 100;
    static final long IDLE_MS = 15_000;
    /** Polls that may fail in a row (the world's directory is gone) before the observer gives up. */
    static final int MAX_FAILURES = 30;
    static final int MAX_EVENTS = 10_000;

    /** One change. {@code previous} is the object before a MODIFIED (for selector transitions). */
    record Event(String type, ResourceType kind, long rv, ObjectNode object, ObjectNode previous) {
    }

    private record Seen(String uid, String rv, ObjectNode object) {
    }

    private final KubeEndpoint.Backend backend;
    private final Object lock = new Object();
    /** Held while the observer starts, so that no one reads a half-taken baseline. */
    private final Object startLock = new Object();
    private final Map<ResourceType, Map<String, Seen>> snapshot = new LinkedHashMap<>();
    private final List<Event> log = new ArrayList<>();
    /** Absolute index of log.get(0). */
    private long logBase;
    /** Watches from a resourceVersion below this cannot be served (410). */
    private long floorRv;
    /** The world's resourceVersion at the last poll. */
    private long currentRv;
    private boolean running;
    private int openWatches;
    private long lastInterest;
    private Thread poller;

    Watches(KubeEndpoint.Backend backend) {
        this.backend = backend;
    }

    /** Starts observing if not already (synchronously taking the baseline), and notes the interest. */
    void touch() {
        synchronized (startLock) {
            synchronized (lock) {
                lastInterest = System.currentTimeMillis();
                if (running) {
                    return;
                }
            }
            Map<ResourceType, Map<String, Seen>> base = new LinkedHashMap<>();
            long rv = backend.read((kube, ec2, now) -> {
                for (ResourceType t : ResourceType.ALL) {
                    Map<String, Seen> m = new HashMap<>();
                    for (ObjectNode o : kube.list(t, null, null, null)) {
                        m.put(ObjectStore.key(t, Json.namespace(o), Json.name(o)), new Seen(Json.uid(o),
                                Json.text(o, "metadata", "resourceVersion"), o.deepCopy()));
                    }
                    base.put(t, m);
                }
                return kube.resourceVersion();
            });
            synchronized (lock) {
                snapshot.clear();
                snapshot.putAll(base);
                log.clear();
                logBase = 0;
                floorRv = rv;
                currentRv = rv;
                running = true;
                poller = new Thread(this::run, "sim-kube-watch-poller");
                poller.setDaemon(true);
                poller.start();
            }
        }
    }

    private void run() {
        int failures = 0;
        while (true) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (openWatches == 0 && System.currentTimeMillis() - lastInterest > IDLE_MS) {
                    running = false;
                    snapshot.clear();
                    log.clear();
                    lock.notifyAll();
                    return;
                }
            }
            try {
                poll();
                failures = 0;
            } catch (RuntimeException e) {
                // The world could not be read (another process is writing it, or it is gone): retry, then stop.
                if (++failures >= MAX_FAILURES) {
                    synchronized (lock) {
                        running = false;
                        snapshot.clear();
                        log.clear();
                        lock.notifyAll();
                    }
                    return;
                }
            }
        }
    }

    private void poll() {
        backend.read((kube, ec2, now) -> {
            observe(kube);
            return null;
        });
    }

    /**
     * Diffs the store against the last observation. Called under the world's lock: by the poller, and by the
     * endpoint right after each change it makes, so that short-lived states (a pod Terminating for a few world
     * seconds) are seen as a real watch would see them.
     */
    void observe(KubeWorld kube) {
        Map<ResourceType, Map<String, Seen>> prev;
        synchronized (lock) {
            if (!running) {
                return;
            }
            prev = new LinkedHashMap<>(snapshot);
        }
        List<Event> events = new ArrayList<>();
        Map<ResourceType, Map<String, Seen>> next = new LinkedHashMap<>();
        long worldRv = kube.resourceVersion();
        for (ResourceType t : ResourceType.ALL) {
            Map<String, Seen> old = prev.getOrDefault(t, Map.of());
            Map<String, Seen> m = new HashMap<>();
            for (ObjectNode o : kube.list(t, null, null, null)) {
                String k = ObjectStore.key(t, Json.namespace(o), Json.name(o));
                String uid = Json.uid(o);
                String orv = Json.text(o, "metadata", "resourceVersion");
                Seen was = old.get(k);
                if (was != null && was.uid().equals(uid) && was.rv().equals(orv)) {
                    m.put(k, was);
                    continue;
                }
                Seen seen = new Seen(uid, orv, o.deepCopy());
                m.put(k, seen);
                if (was == null) {
                    events.add(new Event("ADDED", t, rvOf(orv), seen.object(), null));
                } else if (!was.uid().equals(uid)) {
                    // Replaced by a namesake between two looks: its deletion came first.
                    long rv = Math.min(worldRv, rvOf(orv));
                    events.add(new Event("DELETED", t, rv, tombstone(was.object(), rv), null));
                    events.add(new Event("ADDED", t, rvOf(orv), seen.object(), null));
                } else {
                    events.add(new Event("MODIFIED", t, rvOf(orv), seen.object(), was.object()));
                }
            }
            for (Map.Entry<String, Seen> e : old.entrySet()) {
                if (!m.containsKey(e.getKey())) {
                    events.add(new Event("DELETED", t, worldRv, tombstone(e.getValue().object(), worldRv), null));
                }
            }
            next.put(t, m);
        }
        // Stable: a DELETED and the ADDED of its namesake keep their order.
        events.sort((a, b) -> Long.compare(a.rv(), b.rv()));
        synchronized (lock) {
            if (!running) {
                return;
            }
            snapshot.clear();
            snapshot.putAll(next);
            log.addAll(events);
            currentRv = worldRv;
            while (log.size() > MAX_EVENTS) {
                Event dropped = log.remove(0);
                logBase++;
                floorRv = Math.max(floorRv, dropped.rv());
            }
            if (!events.isEmpty()) {
                lock.notifyAll();
            }
        }
    }

    private static long rvOf(String rv) {
        try {
            return Long.parseLong(rv);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The last state of a deleted object, with the resourceVersion of its deletion as the real server sends. */
    private static ObjectNode tombstone(ObjectNode last, long rv) {
        ObjectNode o = last.deepCopy();
        Json.meta(o).put("resourceVersion", Long.toString(rv));
        return o;
    }

    /** A position in the feed, from which {@link #next} reads. */
    final class Cursor implements AutoCloseable {
        private long index;
        private boolean closed;

        /** The objects present now (for a watch without resourceVersion), in key order. */
        final List<ObjectNode> initial = new ArrayList<>();
        final long initialRv;

        private Cursor(long index, long initialRv) {
            this.index = index;
            this.initialRv = initialRv;
        }

        /** Events after the cursor, waiting up to {@code waitMs} for one; empty on timeout, null once stopped. */
        List<Event> next(long waitMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + waitMs;
            synchronized (lock) {
                while (true) {
                    if (!running) {
                        return null;
                    }
                    long end = logBase + log.size();
                    if (index < logBase) {
                        index = logBase;
                    }
                    if (index < end) {
                        List<Event> out = new ArrayList<>();
                        for (Event e : log.subList((int) (index - logBase), log.size())) {
                            // A change the client's list already showed (seen by a poll after the list).
                            if (e.rv() > initialRv || e.type().equals("DELETED") && e.rv() == initialRv) {
                                out.add(e);
                            }
                        }
                        index = end;
                        if (!out.isEmpty()) {
                            return out;
                        }
                        continue;
                    }
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        return List.of();
                    }
                    lock.wait(left);
                }
            }
        }

        long currentRv() {
            synchronized (lock) {
                return currentRv;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (!closed) {
                    closed = true;
                    openWatches--;
                    lastInterest = System.currentTimeMillis();
                }
            }
        }
    }

    /** Thrown for a resourceVersion that the log no longer reaches. */
    static final class Expired extends RuntimeException {
        Expired(String message) {
            super(message);
        }
    }

    /**
     * Opens a cursor. {@code fromRv} null or 0: start with the present objects of {@code type} as {@code
     * initial}; otherwise: the events after that resourceVersion.
     */
    Cursor open(ResourceType type, Long fromRv) {
        touch();
        synchronized (lock) {
            openWatches++;
            lastInterest = System.currentTimeMillis();
            if (fromRv == null || fromRv == 0) {
                Cursor c = new Cursor(logBase + log.size(), currentRv);
                List<String> keys = new ArrayList<>(snapshot.getOrDefault(type, Map.of()).keySet());
                keys.sort(null);
                for (String k : keys) {
                    c.initial.add(snapshot.get(type).get(k).object());
                }
                return c;
            }
            if (fromRv < floorRv) {
                openWatches--;
                throw new Expired("too old resource version: " + fromRv + " (" + floorRv + ")");
            }
            // The first event after fromRv (the log is in resourceVersion order).
            int i = 0;
            while (i < log.size() && log.get(i).rv() <= fromRv) {
                i++;
            }
            return new Cursor(logBase + i, fromRv);
        }
    }

}
