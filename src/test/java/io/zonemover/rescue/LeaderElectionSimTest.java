package io.zonemover.rescue;

import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.cluster.Cluster;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leader election against the simulated API server over HTTP, through the real client: the Lease's create and
 * compare-and-set update, and their 409s, are the server's. The candidates' monotonic clock is a test clock, so
 * the lease's expiry is exact; one test runs the real loops on the wall clock.
 */
class LeaderElectionSimTest {

    private static final String NS = "zonemover";
    private static final String NAME = "zonemover-rescue";

    @TempDir
    Path dir;

    private SimServers servers;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    /** What each candidate's listener heard. */
    private static final class Heard implements LeaderElector.Listener {
        final List<String> said = new CopyOnWriteArrayList<>();

        @Override
        public void startedLeading() {
            said.add("started");
        }

        @Override
        public void stoppedLeading(String why) {
            said.add("stopped: " + why);
        }

        @Override
        public void otherLeader(String identity) {
            said.add("other: " + identity);
        }
    }

    @BeforeEach
    void world() {
        // A running clock (60x): the Lease's times are mapped to client time and back at the endpoint's edge.
        WorldStore store = WorldStore.create(dir.resolve("world"), Scenarios.create("stuck-pod", Map.of(),
                System.currentTimeMillis()), 60, "stuck-pod");
        servers = SimServers.start(store, 0, 0);
    }

    @AfterEach
    void close() {
        servers.close();
    }

    private Cluster cluster() {
        return new KubeCluster(new ClientBuilder().setBasePath(servers.kubeUri().toString()).build());
    }

    private static LeaderElector.Settings settings(String id) {
        return new LeaderElector.Settings(NS, NAME, id, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(5));
    }

    private LeaderElector elector(Cluster cluster, String id, Heard heard) {
        return new LeaderElector(cluster, settings(id), heard, nanos::get, Clock.systemUTC());
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void ofTwoCandidatesOnlyOneLeadsAndItKeepsTheLeaseWhileItRenews() {
        Heard heardA = new Heard();
        Heard heardB = new Heard();
        LeaderElector a = elector(cluster(), "a", heardA);
        LeaderElector b = elector(cluster(), "b", heardB);
        a.round();
        b.round();
        assertThat(a.leading()).isTrue();
        assertThat(b.leading()).isFalse();
        for (int i = 0; i < 6; i++) { // 30 s: twice the lease duration, renewed every 5 s
            advance(Duration.ofSeconds(5));
            a.round();
            b.round();
            assertThat(a.leading()).isTrue();
            assertThat(b.leading()).isFalse();
        }
        assertThat(heardA.said).containsExactly("started");
        assertThat(heardB.said).containsExactly("other: a");
        Cluster.Lease lease = cluster().lease(NS, NAME).orElseThrow();
        assertThat(lease.holderIdentity()).isEqualTo("a");
        assertThat(lease.leaseDurationSeconds()).isEqualTo(15);
        assertThat(lease.leaseTransitions()).isZero();
        // The times a candidate writes read back as written (the simulated server maps them at its edge).
        assertThat(Duration.between(lease.renewTime(), Instant.now()).abs()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void whenTheLeaderStopsRenewingTheOtherTakesOverAfterTheLeaseDuration() {
        Heard heardA = new Heard();
        Heard heardB = new Heard();
        LeaderElector a = elector(cluster(), "a", heardA);
        LeaderElector b = elector(cluster(), "b", heardB);
        a.round();
        b.round(); // b sees a's Lease now
        // a stops renewing (a hung or partitioned process): b keeps looking.
        for (int s = 5; s <= 10; s += 5) {
            advance(Duration.ofSeconds(5));
            b.round();
            assertThat(b.leading()).as("%d s after the last renewal", s).isFalse();
        }
        advance(Duration.ofSeconds(4)); // 14 s
        b.round();
        assertThat(b.leading()).isFalse();
        // a's own deadline (10 s) passed before: it stopped leading before anyone could take over.
        assertThat(a.leading()).isFalse();
        advance(Duration.ofSeconds(1)); // 15 s: expired
        b.round();
        assertThat(b.leading()).isTrue();
        Cluster.Lease lease = cluster().lease(NS, NAME).orElseThrow();
        assertThat(lease.holderIdentity()).isEqualTo("b");
        assertThat(lease.leaseTransitions()).isEqualTo(1);
        // a comes back: it finds b holding the Lease, says it stopped, and does not take it back.
        a.round();
        assertThat(a.leading()).isFalse();
        assertThat(heardA.said).containsExactly("started", "stopped: the Lease is held by b now");
        advance(Duration.ofSeconds(5));
        b.round();
        a.round();
        assertThat(b.leading()).isTrue();
        assertThat(a.leading()).isFalse();
    }

    @Test
    void aCandidateThatLosesTheRaceToCreateOrUpdateTheLeaseIsRefusedNotBroken() {
        Heard heardB = new Heard();
        LeaderElector b = elector(cluster(), "b", heardB);
        // a's cluster lets b write the Lease between a's read and a's own write: a's create meets b's Lease.
        Heard heardA = new Heard();
        LeaderElector a = elector(racing(cluster(), "createLease", b), "a", heardA);
        a.round();
        assertThat(b.leading()).isTrue();
        assertThat(a.leading()).isFalse();

        // Now a2 has seen b's Lease, b stops renewing for longer than the lease duration, and both go for it
        // at once: a2 reads it (expired), b renews it, and a2's update is answered 409 Conflict.
        LeaderElector a2 = elector(racing(cluster(), "updateLease", b), "a2", new Heard());
        a2.round();
        assertThat(a2.leading()).isFalse();
        advance(Duration.ofSeconds(16));
        a2.round();
        assertThat(a2.leading()).isFalse();
        assertThat(b.leading()).isTrue();
        assertThat(cluster().lease(NS, NAME).orElseThrow().holderIdentity()).isEqualTo("b");
        // And the next round is an ordinary one: b's Lease is fresh, so a2 waits.
        a2.round();
        assertThat(a2.leading()).isFalse();
    }

    @Test
    void aReleasedLeaseIsTakenAtOnce() {
        LeaderElector a = elector(cluster(), "a", new Heard());
        LeaderElector b = elector(cluster(), "b", new Heard());
        a.round();
        b.round();
        a.release();
        assertThat(a.leading()).isFalse();
        assertThat(cluster().lease(NS, NAME).orElseThrow().holderIdentity()).isEmpty();
        b.round(); // no waiting out the 15 s
        assertThat(b.leading()).isTrue();
    }

    @Test
    void theLoopsOnTheWallClockNeverLetTwoLeadAtOnce() throws Exception {
        LeaderElector.Settings fast = new LeaderElector.Settings(NS, NAME, "a", Duration.ofSeconds(6),
                Duration.ofSeconds(4), Duration.ofSeconds(1));
        LeaderElector a = new LeaderElector(cluster(), fast, new Heard());
        LeaderElector b = new LeaderElector(cluster(), new LeaderElector.Settings(NS, NAME, "b", Duration.ofSeconds(6),
                Duration.ofSeconds(4), Duration.ofSeconds(1)), new Heard());
        try {
            a.start();
            b.start();
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            boolean someoneLed = false;
            while (System.nanoTime() < end) {
                boolean la = a.leading();
                boolean lb = b.leading();
                assertThat(la && lb).as("both lead").isFalse();
                someoneLed |= la || lb;
                Thread.sleep(20);
            }
            assertThat(someoneLed).isTrue();
            LeaderElector leader = a.leading() ? a : b;
            LeaderElector other = leader == a ? b : a;
            leader.close(); // gives the Lease up
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!other.leading() && System.nanoTime() < deadline) {
                assertThat(leader.leading()).isFalse();
                Thread.sleep(20);
            }
            assertThat(other.leading()).isTrue();
        } finally {
            a.close();
            b.close();
        }
    }

    /** A cluster whose {@code method} first lets {@code rival} run a round: the rival writes in between. */
    private static Cluster racing(Cluster real, String method, LeaderElector rival) {
        return (Cluster) Proxy.newProxyInstance(Cluster.class.getClassLoader(), new Class<?>[] {Cluster.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        rival.round();
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
