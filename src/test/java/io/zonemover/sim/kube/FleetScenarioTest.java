package io.zonemover.sim.kube;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.World;
import io.zonemover.sim.kube.store.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code fleet} scenario: StatefulSets crowding us-east-1b, their budgets, and its size options. */
class FleetScenarioTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> show, String key) {
        return (List<Map<String, Object>>) show.get(key);
    }

    /** Zone -> count of the items of {@code key} in it. */
    private static Map<Object, Long> perZone(Map<String, Object> show, String key) {
        return list(show, key).stream().collect(Collectors.groupingBy(m -> m.get("zone"), TreeMap::new,
                Collectors.counting()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void byDefaultFourSetsOfThreeCrowdUsEast1bWithEveryPodReady() throws Exception {
        World world = Scenarios.create("fleet", Map.of(), SimHarness.T0);
        Map<String, Object> show = world.show();

        assertThat(list(show, "statefulsets")).extracting(s -> s.get("namespace") + "/" + s.get("name"),
                        s -> s.get("replicas"), s -> s.get("readyReplicas"))
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("fleet/orders", 3, 3),
                        org.assertj.core.groups.Tuple.tuple("fleet/catalog", 3, 3),
                        org.assertj.core.groups.Tuple.tuple("fleet/sessions", 3, 3),
                        org.assertj.core.groups.Tuple.tuple("fleet/search", 3, 3));
        List<Map<String, Object>> pods = list(show, "pods");
        assertThat(pods).hasSize(12).allSatisfy(p -> {
            assertThat(p.get("phase")).isEqualTo("Running");
            assertThat(p.get("ready")).isEqualTo(true);
        });
        assertThat(perZone(show, "nodes")).containsExactly(Map.entry("us-east-1b", 2L), Map.entry("us-east-1c", 2L),
                Map.entry("us-east-1d", 2L));
        assertThat(list(show, "nodes")).allSatisfy(n -> assertThat(n.get("ready")).isEqualTo(true));
        // Every pod runs where its volumes are: all but search-2 in 1b.
        assertThat(pods).filteredOn(p -> !"us-east-1b".equals(p.get("zone"))).extracting(p -> p.get("name"),
                p -> p.get("zone")).containsExactly(org.assertj.core.groups.Tuple.tuple("search-2", "us-east-1c"));
        // orders has two claims a pod: 15 claims, 15 volumes, 14 of them in 1b.
        assertThat(list(show, "pvcs")).hasSize(15).allSatisfy(c -> assertThat(c.get("phase")).isEqualTo("Bound"));
        assertThat(list(show, "pvcs")).extracting(c -> c.get("name")).contains("data-orders-0", "wal-orders-0",
                "data-search-2");
        assertThat(perZone(show, "volumes")).containsExactly(Map.entry("us-east-1b", 14L),
                Map.entry("us-east-1c", 1L));
        assertThat(list(show, "volumes")).allSatisfy(v -> {
            assertThat(v.get("state")).isEqualTo("in-use");
            assertThat((Integer) v.get("sizeGiB")).isBetween(10, 20);
        });

        try (SimHarness h = SimHarness.of(dir, world)) {
            Map<String, V1PodDisruptionBudget> pdbs = new HashMap<>();
            h.policy.listNamespacedPodDisruptionBudget("fleet").execute().getItems()
                    .forEach(p -> pdbs.put(p.getMetadata().getName(), p));
            assertThat(pdbs).containsOnlyKeys("orders", "catalog", "sessions");
            assertThat(pdbs.get("orders").getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
            assertThat(pdbs.get("catalog").getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
            assertThat(pdbs.get("sessions").getSpec().getMaxUnavailable()).isEqualTo(new IntOrString("34%"));
            // Kubernetes rounds a percentage up: 34% of 3 pods lets 2 go.
            assertThat(pdbs).extractingFromEntries(e -> e.getKey(),
                            e -> e.getValue().getStatus().getDisruptionsAllowed())
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("orders", 1),
                            org.assertj.core.groups.Tuple.tuple("catalog", 1),
                            org.assertj.core.groups.Tuple.tuple("sessions", 2));
        }

        // The disruption record: built up at creation (not counted), whole since, budgets as written.
        Map<String, Map<String, Object>> disruption = (Map<String, Map<String, Object>>) show.get("disruption");
        assertThat(disruption).containsOnlyKeys("fleet/catalog", "fleet/orders", "fleet/search", "fleet/sessions");
        disruption.values().forEach(d -> {
            assertThat(d.get("replicas")).isEqualTo(3);
            assertThat(d.get("maxUnavailable")).isEqualTo(0);
            List<Map<String, Object>> series = (List<Map<String, Object>>) d.get("series");
            assertThat(series.get(0).get("unavailable")).isEqualTo(3);
            assertThat(series.get(series.size() - 1).get("unavailable")).isEqualTo(0);
        });
        assertThat(disruption.get("fleet/sessions").get("pdb")).isEqualTo(pdb("sessions", null, "34%"));
        assertThat(disruption.get("fleet/catalog").get("pdb")).isEqualTo(pdb("catalog", 2, null));
        assertThat(disruption.get("fleet/orders").get("pdb")).isEqualTo(pdb("orders", null, 1));
        assertThat(disruption.get("fleet/search").get("pdb")).isNull();
    }

    /** A budget as the disruption record shows it. */
    static Map<String, Object> pdb(String name, Object minAvailable, Object maxUnavailable) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", name);
        m.put("minAvailable", minAvailable);
        m.put("maxUnavailable", maxUnavailable);
        return m;
    }

    @Test
    @SuppressWarnings("unchecked")
    void setsAndReplicasScaleItWithRoomToSpreadInUsEast1cAndUsEast1d() {
        World world = Scenarios.create("fleet", Map.of("sets", "12", "replicas", "5"), SimHarness.T0);
        Map<String, Object> show = world.show();
        assertThat(list(show, "statefulsets")).hasSize(12).extracting(s -> s.get("name"))
                .contains("orders", "search", "orders-2", "search-2", "orders-3", "search-3");
        assertThat(list(show, "statefulsets")).allSatisfy(s -> assertThat(s.get("readyReplicas")).isEqualTo(5));
        assertThat(list(show, "pods")).hasSize(60).allSatisfy(p -> assertThat(p.get("ready")).isEqualTo(true));
        // Each search set keeps ordinal 2 in 1c: 57 pods in 1b.
        assertThat(perZone(show, "pods")).containsExactly(Map.entry("us-east-1b", 57L), Map.entry("us-east-1c", 3L));
        // 15 pods fit a node: 4 nodes hold 1b's 57; a third of each set (2 of 5) times 12 = 24 needs 2 more in
        // each of 1c and 1d, plus one spare.
        assertThat(perZone(show, "nodes")).containsExactly(Map.entry("us-east-1b", 4L), Map.entry("us-east-1c", 3L),
                Map.entry("us-east-1d", 3L));
        // Three of the four kinds have a budget; catalog's follows the replicas: minAvailable 4 of 5.
        assertThat(world.kube().list(ResourceType.PDBS, "fleet", null, null)).hasSize(9);
        assertThat(world.kube().find(ResourceType.PDBS, "fleet", "catalog-3").path("spec").path("minAvailable")
                .asInt()).isEqualTo(4);
        Map<String, Map<String, Object>> disruption = (Map<String, Map<String, Object>>) show.get("disruption");
        assertThat(disruption).hasSize(12);
        assertThat(disruption.get("fleet/catalog-3").get("pdb")).isEqualTo(pdb("catalog-3", 4, null));
        assertThat(disruption.get("fleet/search-2")).containsEntry("replicas", 5).containsEntry("pdb", null)
                .containsEntry("maxUnavailable", 0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sets|0|scenario option sets must be an integer of at least 1, not 0",
            "replicas|-2|scenario option replicas must be an integer of at least 1, not -2",
            "replicas|three|scenario option replicas must be an integer of at least 1, not three",
            "set|12|scenario fleet takes options sets, replicas and k8sVersion, not set"})
    void badOptionsAreRefused(String key, String value, String message) {
        assertThatThrownBy(() -> Scenarios.create("fleet", Map.of(key, value), SimHarness.T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void itTakesTheKubernetesVersionEveryScenarioTakes() {
        World world = Scenarios.create("fleet", Map.of("k8sVersion", "1.33", "sets", "1", "replicas", "1"),
                SimHarness.T0);
        assertThat(world.show().get("kubernetesVersion")).isEqualTo("1.33");
        assertThat(list(world.show(), "pods")).extracting(p -> p.get("name")).containsExactly("orders-0");
    }
}
