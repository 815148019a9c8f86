package io.zonemover.aws;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Describe answers shared by the moves of one process: one call for all in flight, fresh answers reused, never across a mutation. */
class SharedDescribesTest {

    private static final long MS = 1_000_000;

    /** A resource in the fake cloud: its id and state ("done" is settled). */
    record Item(String id, String state) {
    }

    private final Map<String, String> cloud = new ConcurrentHashMap<>();
    private final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong clock = new AtomicLong(1_000 * MS);

    private List<Item> describe(List<String> ids) {
        calls.add(List.copyOf(ids));
        return ids.stream().filter(cloud::containsKey).map(id -> new Item(id, cloud.get(id))).toList();
    }

    private SharedDescribes<Item> shared(long freshMillis) {
        return new SharedDescribes<>(this::describe, Item::id, i -> i.state().equals("done"), freshMillis * MS,
                60_000 * MS, clock::get);
    }

    @Test
    void withoutAFreshnessWindowEveryReadAsksEc2AndOnlyForItsOwnIds() {
        cloud.put("a", "pending");
        cloud.put("b", "pending");
        SharedDescribes<Item> s = shared(0);
        assertThat(s.read(List.of("a"))).containsExactly(new Item("a", "pending"));
        assertThat(s.read(List.of("a"))).containsExactly(new Item("a", "pending"));
        assertThat(s.read(List.of("b"))).containsExactly(new Item("b", "pending"));
        assertThat(calls).containsExactly(List.of("a"), List.of("a"), List.of("b"));
    }

    @Test
    void aReadWithinTheWindowIsAnsweredFromTheLastCallAndALaterOneAsksAgain() {
        cloud.put("a", "pending");
        SharedDescribes<Item> s = shared(100);
        s.read(List.of("a"));
        cloud.put("a", "done");
        clock.addAndGet(99 * MS);
        assertThat(s.read(List.of("a"))).as("99 ms later: the answer of the last call").containsExactly(new Item("a", "pending"));
        clock.addAndGet(MS);
        assertThat(s.read(List.of("a"))).containsExactly(new Item("a", "done"));
        assertThat(calls).hasSize(2);
    }

    @Test
    void eachCallAlsoAsksAboutTheOthersInFlightSoTheirNextReadsCostNothing() {
        cloud.put("snap-1", "pending");
        cloud.put("snap-2", "pending");
        cloud.put("snap-3", "done");
        SharedDescribes<Item> s = shared(100);
        s.read(List.of("snap-1"));
        s.read(List.of("snap-3"));
        clock.addAndGet(500 * MS);
        s.read(List.of("snap-2"));
        assertThat(calls.get(2)).as("snap-1 is still pending: asked too; snap-3 is done: not")
                .containsExactlyInAnyOrder("snap-2", "snap-1");
        clock.addAndGet(50 * MS);
        assertThat(s.read(List.of("snap-1", "snap-2"))).hasSize(2);
        assertThat(calls).hasSize(3);
    }

    @Test
    void anIdEc2DoesNotKnowIsLeftOutAndNeverAskedAboutForOthers() {
        cloud.put("a", "pending");
        SharedDescribes<Item> s = shared(100);
        assertThat(s.read(List.of("new"))).isEmpty();
        clock.addAndGet(200 * MS);
        s.read(List.of("a"));
        assertThat(calls.get(1)).containsExactly("a");
    }

    @Test
    void aMutationMakesTheNextReadAskEc2EvenWithinTheWindow() {
        cloud.put("vol-1", "available");
        SharedDescribes<Item> s = shared(100);
        s.read(List.of("vol-1"));
        cloud.put("vol-1", "in-use");
        s.forget("vol-1");
        assertThat(s.read(List.of("vol-1"))).containsExactly(new Item("vol-1", "in-use"));
        assertThat(calls).hasSize(2);
    }

    @Test
    void readsMadeWhileACallIsUnderWayShareItsAnswerOrItsFailure() throws Exception {
        cloud.put("a", "pending");
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong fail = new AtomicLong();
        SharedDescribes<Item> s = new SharedDescribes<>(ids -> {
            calls.add(List.copyOf(ids));
            inCall.countDown();
            await(release);
            if (fail.get() > 0) {
                throw new IllegalStateException("throttled");
            }
            return List.of(new Item("a", cloud.get("a")));
        }, Item::id, i -> false, 0, 60_000 * MS, clock::get);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<List<Item>> first = pool.submit(() -> s.read(List.of("a")));
            assertThat(inCall.await(5, TimeUnit.SECONDS)).isTrue();
            List<Future<List<Item>>> others = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                others.add(pool.submit(() -> s.read(List.of("a"))));
            }
            Thread.sleep(100);
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).hasSize(1);
            for (Future<List<Item>> f : others) {
                assertThat(f.get(5, TimeUnit.SECONDS)).containsExactly(new Item("a", "pending"));
            }
            assertThat(calls).as("one call for four reads").hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        fail.set(1);
        assertThatThrownBy(() -> s.read(List.of("a"))).hasMessage("throttled");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
