package io.zonemover.e2e;

import io.zonemover.domain.DisruptionBudget;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The end states a plan promises, read from the world's ground truth (`sim show --json`) and its history. */
final class Fleets {

    private Fleets() {
    }

    /** Pods of a StatefulSet per zone they run in, counting only Running, Ready pods. */
    static Map<String, Integer> readyPodsPerZone(SimWorlds.View view, String namespace, String sts) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Map<String, Object> pod : view.list("pods")) {
            String name = String.valueOf(pod.get("name"));
            if (namespace.equals(pod.get("namespace")) && name.matches(java.util.regex.Pattern.quote(sts) + "-\\d+")
                    && Boolean.TRUE.equals(pod.get("ready"))) {
                counts.merge(String.valueOf(pod.get("zone")), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Every replica Ready, and the counts over {@code zones} within one of each other. */
    static void assertEven(SimWorlds.View view, String namespace, String sts, int replicas, List<String> zones) {
        Map<String, Integer> counts = readyPodsPerZone(view, namespace, sts);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).as(sts + " all Ready: " + counts)
                .isEqualTo(replicas);
        List<Integer> perZone = zones.stream().map(z -> counts.getOrDefault(z, 0)).toList();
        assertThat(java.util.Collections.max(perZone) - java.util.Collections.min(perZone))
                .as(sts + " within one of even over " + zones + ": " + counts).isLessThanOrEqualTo(1);
    }

    /**
     * Every claim whose volume changed between the two views moved intact: its new volume was restored from
     * a snapshot of its old volume holding the old volume's last content, is the only volume made from it,
     * and the old volume is kept. Returns the claims that moved.
     */
    static List<String> assertMovedIntact(SimWorlds.View before, SimWorlds.View after) {
        List<String> moved = new ArrayList<>();
        for (Map<String, Object> pvc : before.list("pvcs")) {
            String claim = String.valueOf(pvc.get("name"));
            String oldVolume = before.claimVolume(claim);
            String newVolume = after.claimVolume(claim);
            if (oldVolume.equals(newVolume)) {
                continue;
            }
            moved.add(claim);
            Map<String, Object> restored = after.volume(newVolume);
            Map<String, Object> snapshot = after.snapshot(String.valueOf(restored.get("snapshotId")));
            Map<String, Object> old = after.volume(oldVolume);
            assertThat(snapshot.get("volumeId")).as(claim).isEqualTo(oldVolume);
            assertThat(snapshot.get("fingerprint")).as(claim + ": the snapshot holds the old volume's last content")
                    .isEqualTo(old.get("fingerprint"));
            assertThat(after.list("volumes").stream().filter(v -> oldVolume.equals(tags(v).get("zonemover.io/source-volume"))))
                    .as("exactly one new volume made from " + oldVolume + " (" + claim + ")").hasSize(1);
            assertThat(old.get("state")).as("old volume of " + claim + " kept").isEqualTo("available");
        }
        return moved;
    }

    /**
     * At no instant were more pods of a StatefulSet unavailable than its budget allowed (its
     * PodDisruptionBudget, or {@code maxUnavailable} where it has none), from the world's own record.
     */
    @SuppressWarnings("unchecked")
    static void assertDisruptionWithinBudgets(SimWorlds.View view, int maxUnavailable) {
        Map<String, Object> disruption = (Map<String, Object>) view.raw().get("disruption");
        assertThat(disruption).as("the world records disruption per StatefulSet").isNotEmpty();
        disruption.forEach((set, value) -> {
            Map<String, Object> record = (Map<String, Object>) value;
            int replicas = ((Number) record.get("replicas")).intValue();
            Map<String, Object> pdb = (Map<String, Object>) record.get("pdb");
            DisruptionBudget budget = pdb == null ? DisruptionBudget.maxUnavailable(maxUnavailable)
                    : new DisruptionBudget(String.valueOf(pdb.get("name")), text(pdb.get("minAvailable")),
                    pdb.get("minAvailable") == null ? text(pdb.get("maxUnavailable")) : null);
            int allowed = budget.allowed(replicas, replicas);
            assertThat(((Number) record.get("maxUnavailable")).intValue())
                    .as(set + " never had more pods down than " + budget.describe() + " allows (" + allowed + ")")
                    .isLessThanOrEqualTo(allowed);
        });
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static Map<?, ?> tags(Map<String, Object> resource) {
        return Objects.requireNonNullElse((Map<?, ?>) resource.get("tags"), Map.of());
    }
}
