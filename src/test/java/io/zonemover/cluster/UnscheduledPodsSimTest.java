package io.zonemover.cluster;

import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.domain.SchedulerMessages;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rescuer's first read, against the simulated API server: the pods the scheduler could not place, since
 * when (their condition), and the server's clock from its Date header, all in the client's time.
 */
class UnscheduledPodsSimTest {

    @TempDir
    Path dir;

    private SimServers servers;
    private KubeCluster cluster;

    @BeforeEach
    void world() {
        WorldStore store = WorldStore.create(dir.resolve("world"), Scenarios.create("auto-rescue", Map.of(),
                System.currentTimeMillis()), 120, "auto-rescue");
        servers = SimServers.start(store, 0, 0);
        cluster = new KubeCluster(new ClientBuilder().setBasePath(servers.kubeUri().toString()).build());
    }

    @AfterEach
    void close() {
        servers.close();
    }

    @Test
    void theStuckPodsWithWhenTheySankAndTheServersNow() {
        Instant before = Instant.now().minusSeconds(2);
        Cluster.Unscheduled u = cluster.unscheduledPods(null);
        assertThat(u.pods()).extracting(Cluster.UnscheduledPod::name).containsExactlyInAnyOrder("web-3", "db-1");
        Cluster.UnscheduledPod web3 = u.pods().stream().filter(p -> p.name().equals("web-3")).findFirst().orElseThrow();
        assertThat(web3.statefulSet()).isEqualTo("web");
        assertThat(web3.uid()).isEqualTo(cluster.pod("default", "web-3").orElseThrow().uid());
        assertThat(SchedulerMessages.isVolumeZoneConflict(web3.message())).isTrue();
        // The Date header: the server's clock, to the second.
        assertThat(Duration.between(before, u.serverTime())).isBetween(Duration.ZERO, Duration.ofSeconds(60));
        // Stuck since the world was built (its last five world minutes are 2.5 s at 120x): before now, not long.
        assertThat(web3.since()).isBefore(u.serverTime().plusSeconds(1));
        assertThat(Duration.between(web3.since(), u.serverTime())).isLessThan(Duration.ofSeconds(60));
        assertThat(cluster.unscheduledPods("batch").pods()).isEmpty();
    }

    @Test
    void theOptInIsReadOffTheStatefulSet() {
        assertThat(cluster.statefulSet("default", "web").orElseThrow().annotations())
                .containsEntry("zonemover.io/auto-rescue", "true");
        assertThat(cluster.statefulSet("default", "db").orElseThrow().annotations())
                .doesNotContainKey("zonemover.io/auto-rescue");
    }
}
