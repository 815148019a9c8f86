package io.zonemover.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Describe answers shared by the threads of one process, for one kind of resource (volumes or snapshots). The
 * moves of a plan run side by side, one thread each, and poll the same EC2 account, whose request budget is per
 * account: so a call asks about every resource read lately that is still changing (the resources in flight),
 * a read within {@code fresh} of an answer is served from it, and a read of ids that a call under way already
 * asks about waits for that call instead of making another. One call at a time: a read the call under way does
 * not cover waits for it too (one round trip at most), then asks for all that is still stale. A mutation of a
 * resource made through this process ({@link #forget}) drops what is known of it: the next read of it asks EC2.
 *
 * <p>With {@code fresh} zero nothing is shared across time: every read asks EC2 (only reads made while a call
 * for the same ids is under way share its answer).
 */
final class SharedDescribes<T> {

    /** One Describe call for these ids; ids EC2 does not know are left out of the answer. */
    @FunctionalInterface
    interface Describe<T> {
        List<T> call(List<String> ids);
    }

    /** At most this many ids in one call (EC2 takes more; this keeps one answer small). */
    static final int MAX_IDS = 200;

    private final Describe<T> describe;
    private final Function<T, String> idOf;
    private final Predicate<T> settled;
    private final long freshNanos;
    private final long interestNanos;
    private final LongSupplier nanos;

    private final Map<String, Answer<T>> answers = new HashMap<>();
    private final Map<String, Long> askedAt = new HashMap<>();
    private final Map<String, Long> forgottenAt = new HashMap<>();
    private Flight flight;

    /** What a call said of one id, and when that call started; {@code value} null: EC2 did not know it. */
    private record Answer<T>(T value, long at) {
    }

    /** A call under way: the ids it asks about, when it started, and how it ended. */
    private static final class Flight {
        final Set<String> ids;
        final long startedAt;
        boolean done;
        RuntimeException failure;

        Flight(Set<String> ids, long startedAt) {
            this.ids = ids;
            this.startedAt = startedAt;
        }
    }

    /**
     * @param settled  a resource that no longer changes on its own (a completed snapshot): not asked about for
     *                 other readers
     * @param fresh    how old an answer may be and still be served, in nanoseconds
     * @param interest how long after its last read a resource is still asked about for others, in nanoseconds
     */
    SharedDescribes(Describe<T> describe, Function<T, String> idOf, Predicate<T> settled, long fresh, long interest,
                    LongSupplier nanos) {
        this.describe = describe;
        this.idOf = idOf;
        this.settled = settled;
        this.freshNanos = fresh;
        this.interestNanos = interest;
        this.nanos = nanos;
    }

    /** These resources, in the order asked, as EC2 last described them; those it does not know are left out. */
    List<T> read(List<String> ids) {
        Flight mine;
        synchronized (this) {
            long now = nanos.getAsLong();
            ids.forEach(id -> askedAt.put(id, now));
            while (true) {
                List<String> stale = ids.stream().filter(id -> !fresh(id, now)).toList();
                if (stale.isEmpty()) {
                    return known(ids);
                }
                if (flight == null) {
                    mine = new Flight(callIds(stale, now), now);
                    flight = mine;
                    break;
                }
                Flight current = flight;
                awaitLanding(current);
                if (current.ids.containsAll(stale) && current.failure == null
                        && stale.stream().noneMatch(id -> forgottenSince(id, current.startedAt))) {
                    // Asked while that call was under way: its answer is as new as one of our own would be.
                    return known(ids);
                }
                if (current.ids.containsAll(stale) && current.failure != null) {
                    throw current.failure;
                }
            }
        }
        return fly(mine, ids);
    }

    /** A mutation of this resource was made: what is known of it may be out of date. */
    synchronized void forget(String id) {
        answers.remove(id);
        forgottenAt.put(id, nanos.getAsLong());
    }

    private List<T> fly(Flight mine, List<String> ids) {
        List<T> result = null;
        RuntimeException failure = null;
        try {
            result = describe.call(List.copyOf(mine.ids));
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            Map<String, T> byId = new HashMap<>();
            if (result != null) {
                result.forEach(r -> byId.put(idOf.apply(r), r));
                for (String id : mine.ids) {
                    if (!forgottenSince(id, mine.startedAt)) {
                        answers.put(id, new Answer<>(byId.get(id), mine.startedAt));
                    }
                }
            }
            mine.done = true;
            mine.failure = failure;
            flight = null;
            notifyAll();
            if (failure != null) {
                throw failure;
            }
            return ids.stream().filter(byId::containsKey).map(byId::get).toList();
        }
    }

    /** The reader's stale ids, plus (when answers are shared at all) the others' ids still in flight. */
    private Set<String> callIds(List<String> stale, long now) {
        Set<String> ids = new LinkedHashSet<>(stale);
        if (freshNanos <= 0) {
            return ids;
        }
        askedAt.entrySet().removeIf(e -> now - e.getValue() > interestNanos);
        answers.entrySet().removeIf(e -> now - e.getValue().at() > interestNanos);
        forgottenAt.entrySet().removeIf(e -> now - e.getValue() > interestNanos);
        for (String id : askedAt.keySet()) {
            Answer<T> a = answers.get(id);
            if (ids.size() >= MAX_IDS) {
                break;
            }
            // Only resources EC2 has shown: an id it does not know (yet) could fail the others' call.
            if (a != null && a.value() != null && !settled.test(a.value())) {
                ids.add(id);
            }
        }
        return ids;
    }

    private boolean fresh(String id, long now) {
        Answer<T> a = answers.get(id);
        return a != null && now - a.at() < freshNanos;
    }

    /** Whether a mutation of the resource was made at or after {@code t} (so an answer asked for at t may predate it). */
    private boolean forgottenSince(String id, long t) {
        Long at = forgottenAt.get(id);
        return at != null && at - t >= 0;
    }

    private List<T> known(List<String> ids) {
        List<T> out = new ArrayList<>();
        for (String id : ids) {
            Answer<T> a = answers.get(id);
            if (a != null && a.value() != null) {
                out.add(a.value());
            }
        }
        return out;
    }

    private void awaitLanding(Flight f) {
        boolean interrupted = false;
        while (!f.done) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
