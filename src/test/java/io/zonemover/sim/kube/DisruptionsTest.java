package io.zonemover.sim.kube;

import io.kubernetes.client.openapi.models.V1Pod;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.World;
import io.zonemover.sim.ec2.Ec2World;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The world's own record of disruption per StatefulSet ({@code sim show --json} key {@code disruption}), on the
 * {@code fleet} scenario, changed through client-java and zonemover's cluster adapter as a move changes it.
 */
class DisruptionsTest {

    @TempDir
    Path dir;

    private SimHarness h;

    @BeforeEach
    void start() {
        h = SimHarness.of(dir, Scenarios.create("fleet", Map.of(), SimHarness.T0));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> of(World world, String set) {
        return ((Map<String, Map<String, Object>>) world.show().get("disruption")).get(set);
    }

    private Map<String, Object> record(String set) {
        return h.world(w -> of(w, set));
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> counts(Map<String, Object> record) {
        return ((List<Map<String, Object>>) record.get("series")).stream().map(p -> (Integer) p.get("unavailable"))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static String lastAt(Map<String, Object> record) {
        List<Map<String, Object>> series = (List<Map<String, Object>>) record.get("series");
        return (String) series.get(series.size() - 1).get("at");
    }

    /** World time as the record writes it: RFC 3339 with milliseconds. */
    private String now() {
        return h.world(w -> java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochMilli(w.now())));
    }

    @Test
    void aDeletedPodIsUnavailableFromTheDeleteUntilItsReplacementIsReady() throws Exception {
        h.advance(60_000);
        List<Integer> before = counts(record("fleet/catalog"));
        String deletedAt = now();
        h.core.deleteNamespacedPod("catalog-1", "fleet").execute();

        Map<String, Object> during = record("fleet/catalog");
        assertThat(counts(during)).as("marked for deletion: no longer counts").endsWith(0, 1)
                .hasSize(before.size() + 1);
        assertThat(lastAt(during)).isEqualTo(deletedAt);
        assertThat(during.get("maxUnavailable")).isEqualTo(1);

        h.advance(3 * 60_000);
        V1Pod back = h.core.readNamespacedPod("catalog-1", "fleet").execute();
        assertThat(back.getStatus().getPhase()).isEqualTo("Running");
        Map<String, Object> after = record("fleet/catalog");
        assertThat(counts(after)).endsWith(0, 1, 0).hasSize(before.size() + 2);
        assertThat(Instant.parse(lastAt(after))).isAfter(Instant.parse(deletedAt));
        assertThat(after.get("maxUnavailable")).isEqualTo(1);
        // The other sets saw nothing.
        assertThat(record("fleet/orders").get("maxUnavailable")).isEqualTo(0);
    }

    @Test
    void aStatefulSetDeletedWithOrphanStaysTrackedWithItsLastReplicasUntilItIsBack() throws Exception {
        KubeCluster cluster = new KubeCluster(h.client);
        String manifest = cluster.statefulSet("fleet", "search").orElseThrow().manifest();
        cluster.deleteStatefulSetOrphan("fleet", "search");
        h.advance(1_000);
        assertThat(h.apps.listNamespacedStatefulSet("fleet").execute().getItems()).extracting(s -> s.getMetadata()
                .getName()).doesNotContain("search");
        assertThat(record("fleet/search").get("maxUnavailable")).as("its orphans still run").isEqualTo(0);

        h.core.deleteNamespacedPod("search-0", "fleet").execute();
        h.advance(5 * 60_000);
        assertThat(h.core.listNamespacedPod("fleet").execute().getItems()).extracting(p -> p.getMetadata()
                .getName()).doesNotContain("search-0");
        Map<String, Object> gone = record("fleet/search");
        assertThat(gone.get("replicas")).isEqualTo(3);
        assertThat(counts(gone)).endsWith(0, 1);
        assertThat(gone.get("pdb")).isNull();

        cluster.createStatefulSet(manifest, null);
        h.advance(3 * 60_000);
        Map<String, Object> back = record("fleet/search");
        assertThat(counts(back)).endsWith(0, 1, 0);
        assertThat(back.get("maxUnavailable")).isEqualTo(1);
    }

    @Test
    void aZoneOutageMakesThePodsInThatZoneUnavailableAtOnce() {
        h.store.write(w -> {
            w.setZoneDown("us-east-1b", true);
            return null;
        });
        // Every pod of orders, catalog and sessions is in 1b; search-2 is in 1c and runs on.
        assertThat(counts(record("fleet/orders"))).endsWith(3);
        assertThat(counts(record("fleet/catalog"))).endsWith(3);
        assertThat(counts(record("fleet/sessions"))).endsWith(3);
        assertThat(counts(record("fleet/search"))).endsWith(2);
        assertThat(record("fleet/search").get("maxUnavailable")).isEqualTo(2);
        assertThat(lastAt(record("fleet/orders"))).isEqualTo(now());

        h.advance(60_000);
        h.store.write(w -> {
            w.setZoneDown("us-east-1b", false);
            return null;
        });
        h.advance(3 * 60_000);
        assertThat(counts(record("fleet/orders"))).endsWith(3, 0);
        assertThat(record("fleet/orders").get("maxUnavailable")).isEqualTo(3);
    }

    @Test
    void aSetThatWasNeverWholeHasNoMaximumYet() throws Exception {
        // Asks for more cpu than any node has: its pod stays Pending.
        io.kubernetes.client.openapi.models.V1StatefulSet big = KubeApiTest.statefulSet("big", 2, null);
        big.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
                .setRequests(Map.of("cpu", io.kubernetes.client.custom.Quantity.fromString("64")));
        h.apps.createNamespacedStatefulSet("fleet", big).execute();
        h.advance(2 * 60_000);
        Map<String, Object> r = record("fleet/big");
        assertThat(r.get("replicas")).isEqualTo(2);
        assertThat(counts(r)).containsExactly(2);
        assertThat(r.get("maxUnavailable")).isNull();
    }

    @Test
    void theRecordSurvivesSavingAndLoadingTheWorld() throws Exception {
        h.core.deleteNamespacedPod("orders-2", "fleet").execute();
        h.advance(3 * 60_000);
        assertThat(counts(record("fleet/orders"))).endsWith(0, 1, 0);
        Object before = h.world(w -> w.show().get("disruption"));
        World loaded = h.world(w -> new World(Ec2World.fromJson(w.ec2().toJson()),
                KubeWorld.fromJson(w.kube().toJson()), w.now()));
        assertThat(loaded.show().get("disruption")).isEqualTo(before);
        // And it goes on recording from where it was: search-2 runs in 1c.
        int points = counts(of(loaded, "fleet/search")).size();
        loaded.setZoneDown("us-east-1c", true);
        assertThat(counts(of(loaded, "fleet/search"))).endsWith(0, 1).hasSize(points + 1);
    }
}
