package io.zonemover.rescue;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What posting a move's Events costs the API server: a burst of them (a move's actions come faster than they
 * are posted) reads each object's uid once, not once per event, and an event after the burst reads it again, so
 * a claim the move replaced is named by its new uid.
 */
class KubernetesEventsTest {

    private final StuckPods world = new StuckPods().set("web", 2, true, Duration.ofMinutes(1));
    private final AtomicInteger uidReads = new AtomicInteger();
    private final CountDownLatch firstPostHeld = new CountDownLatch(1);
    private final CountDownLatch releaseFirstPost = new CountDownLatch(1);

    /** The fake cluster, counting uid reads, with the first event's post held until released. */
    private Cluster cluster() {
        return (Cluster) Proxy.newProxyInstance(Cluster.class.getClassLoader(), new Class<?>[] {Cluster.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("claim") || method.getName().equals("statefulSet")) {
                        uidReads.incrementAndGet();
                    }
                    if (method.getName().equals("createEvent") && firstPostHeld.getCount() > 0) {
                        firstPostHeld.countDown();
                        releaseFirstPost.await(10, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(world.cluster, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void step(KubernetesEvents events, int i) {
        events.about("default", "web", List.of("data-web-1"), "Normal", KubernetesEvents.MOVE_STEP, "restore",
                "action " + i);
    }

    @Test
    void aBurstOfEventsReadsEachObjectOnceAndTheNextBurstReadsAgain() throws Exception {
        try (KubernetesEvents events = new KubernetesEvents(cluster(), (step, message) -> { }, "t",
                Clock.systemUTC())) {
            step(events, 0);
            assertThat(firstPostHeld.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 20; i++) {
                step(events, i);
            }
            releaseFirstPost.countDown();
            events.flush(Duration.ofSeconds(10));
            assertThat(world.cluster.events()).hasSize(42);
            assertThat(uidReads).as("the claim and the StatefulSet, read once for the burst").hasValue(2);

            String oldUid = world.cluster.claim(new ClaimRef("default", "data-web-1")).orElseThrow().uid();
            world.cluster.deleteClaim(new ClaimRef("default", "data-web-1"));
            world.cluster.addClaim("default", "data-web-1");
            String newUid = world.cluster.claim(new ClaimRef("default", "data-web-1")).orElseThrow().uid();
            assertThat(newUid).isNotEqualTo(oldUid);
            step(events, 21);
            events.flush(Duration.ofSeconds(10));
            assertThat(uidReads).hasValue(4);
            assertThat(world.cluster.events().get(world.cluster.events().size() - 2).event().uid()).isEqualTo(newUid);
        }
    }
}
