package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** The end states the move engine promises, read from the world's ground truth (`sim show --json`). */
final class Moves {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Moves() {
    }

    /**
     * A pod moved with all its claims: it runs Ready in the target zone; each claim is Bound to exactly one
     * new volume there, restored from a snapshot holding the old volume's last content, with no write to
     * the old volume after it; old volumes kept and tagged; the StatefulSet whole, its other pods untouched
     * (same uid, same start time).
     */
    static void assertPodMoved(SimWorlds.View before, SimWorlds.View view, String jobId, String sts, String pod,
                               List<String> claims, String toZone) {
        Map<String, Object> p = view.pod(pod);
        assertThat(p.get("phase")).isEqualTo("Running");
        assertThat(p.get("ready")).isEqualTo(true);
        assertThat(p.get("zone")).isEqualTo(toZone);
        List<Object> newVolumes = new ArrayList<>();
        for (String claim : claims) {
            String oldVolume = before.claimVolume(claim);
            assertThat(view.pvc(claim).get("phase")).as(claim).isEqualTo("Bound");
            String newVolume = view.claimVolume(claim);
            newVolumes.add(newVolume);
            Map<String, Object> restored = view.volume(newVolume);
            assertThat(restored.get("zone")).as(claim).isEqualTo(toZone);
            assertThat(view.list("volumes").stream().filter(v -> oldVolume.equals(tags(v).get("zonemover.io/source-volume"))
                    && jobId.equals(tags(v).get("zonemover.io/job"))).map(v -> v.get("id")))
                    .as("exactly one new volume for " + claim).containsExactly(newVolume);
            Map<String, Object> snapshot = view.snapshot((String) restored.get("snapshotId"));
            Map<String, Object> old = view.volume(oldVolume);
            assertThat(snapshot.get("volumeId")).isEqualTo(oldVolume);
            assertThat(snapshot.get("fingerprint")).as(claim + ": the final snapshot holds the old volume's last content")
                    .isEqualTo(old.get("fingerprint"));
            assertThat(number(snapshot, "writes")).as(claim + ": no write reached the old volume after the snapshot")
                    .isEqualTo(number(old, "writes"));
            assertThat(number(restored, "writes")).as(claim + " is not on an empty volume")
                    .isGreaterThanOrEqualTo(number(snapshot, "writes"));
            assertThat(old.get("state")).as("old volume kept, detached").isEqualTo("available");
            assertThat(tags(old).get("zonemover.io/superseded-by")).isEqualTo(newVolume);
        }
        assertStatefulSetWhole(before, view, sts, pod);
    }

    /** Back as before the move: each claim on its original volume and PV, policies as they were, StatefulSet whole. */
    static void assertAsBefore(SimWorlds.View before, SimWorlds.View view, String sts, List<String> claims) {
        for (String claim : claims) {
            String oldPv = (String) before.pvc(claim).get("volumeName");
            assertThat(view.pvc(claim).get("phase")).as(claim).isEqualTo("Bound");
            assertThat(view.pvc(claim).get("volumeName")).as(claim).isEqualTo(oldPv);
            assertThat(view.pv(oldPv).orElseThrow().get("reclaimPolicy")).as("reclaim policy of " + oldPv)
                    .isEqualTo(before.pv(oldPv).orElseThrow().get("reclaimPolicy"));
        }
        assertThat(view.statefulSet(sts)).as("StatefulSet restored").isPresent();
        assertThat(view.list("volumes")).as("nothing deleted").hasSizeGreaterThanOrEqualTo(before.list("volumes").size());
        assertThat(view.list("pvs").stream().filter(pv -> String.valueOf(pv.get("name")).contains("-us-east-1")))
                .as("the PVs zonemover made are gone").isEmpty();
    }

    /** The StatefulSet exists with all replicas Ready; pods other than the moved one kept their uid and start. */
    static void assertStatefulSetWhole(SimWorlds.View before, SimWorlds.View view, String sts, String movedPod) {
        Map<String, Object> set = view.statefulSet(sts).orElseThrow(() -> new AssertionError("StatefulSet " + sts + " missing"));
        assertThat(number(set, "readyReplicas")).isEqualTo(number(set, "replicas"));
        for (Map<String, Object> old : before.list("pods")) {
            String name = (String) old.get("name");
            if (name.startsWith(sts + "-") && !name.equals(movedPod)) {
                Map<String, Object> now = view.pod(name);
                assertThat(now.get("uid")).as(name + " was not restarted").isEqualTo(old.get("uid"));
                assertThat(now.get("startTime")).as(name + " was not restarted").isEqualTo(old.get("startTime"));
            }
        }
    }

    static List<JsonNode> jobsList(Path world, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--sim", world.toString()));
        args.addAll(List.of(extra));
        args.addAll(List.of("jobs", "list", "-o", "json"));
        SimWorlds.Run list = SimWorlds.run(args.toArray(String[]::new));
        assertThat(list.exit()).as(list.err()).isZero();
        List<JsonNode> jobs = new ArrayList<>();
        JSON.readTree(list.out()).forEach(jobs::add);
        return jobs;
    }

    private static Map<?, ?> tags(Map<String, Object> resource) {
        return Objects.requireNonNullElse((Map<?, ?>) resource.get("tags"), Map.of());
    }

    private static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
