package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --split-per-zone} on the simulated {@code unbalanced} world, checked against the world's own ground
 * truth ({@code sim show --json}): shop/sessions (volumes in 1b, 1c and 1d) is split with every volume
 * re-bound and nothing copied; shop/orders (all three in 1b) with one re-bound and two copied, while the test
 * watches the world to see the original go only when the new sets are Ready; and a split killed mid-carry
 * (kill -9) resumes to the same end. Each ends with one Ready set per zone, every pod's claim on a volume
 * holding its original's data, the original gone, no volume deleted, and no pod running while its
 * predecessor on the same data still ran (the world's pod history).
 */
class SplitEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("job (zm-[0-9a-f]+) started");

    @TempDir
    Path dir;

    @Test
    void sessionsIsSplitByReBindingEveryVolumeWithNothingCopied() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        SimWorlds.View before = SimWorlds.View.of(dir);

        JsonNode result = split("apply", "shop/sessions");

        SimWorlds.View after = SimWorlds.View.of(dir);
        assertSplit(before, after, result, "sessions");
        result.get("pods").forEach(p -> assertThat(p.get("fromZone").asText()).isEqualTo(p.get("toZone").asText()));
        String jobId = result.get("jobId").asText();
        assertThat(after.volumesTagged("zonemover.io/job", jobId)).as("no volume copied").isEmpty();
        assertThat(after.list("snapshots")).as("no snapshot taken").noneMatch(s -> jobId.equals(tags(s).get("zonemover.io/job")));
    }

    @Test
    void ordersIsSplitWithOneReBoundAndTwoCopiedAndTheOriginalGoesOnlyOnceTheNewSetsAreReady() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        SimWorlds.View before = SimWorlds.View.of(dir);
        List<String> sets = List.of("orders-us-east-1b", "orders-us-east-1c", "orders-us-east-1d");

        CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> split("apply", "shop/orders"));
        int viewsWithoutTheOriginal = 0;
        int views = 0;
        while (!run.isDone()) {
            SimWorlds.View view = SimWorlds.View.of(dir);
            boolean gone = view.statefulSet("orders").map(s -> Boolean.TRUE.equals(s.get("deleting"))).orElse(true);
            views++;
            if (gone) {
                viewsWithoutTheOriginal++;
                for (String set : sets) {
                    Map<String, Object> s = view.statefulSet(set).orElseThrow();
                    assertThat(number(s, "readyReplicas")).as("at " + view.raw().get("time") + ", with the original "
                            + "removed, " + set + " is Ready").isEqualTo(1);
                }
            }
            Thread.sleep(100);
        }
        JsonNode result = run.get();
        SimWorlds.View after = SimWorlds.View.of(dir);
        assertSplit(before, after, result, "orders");
        // The finish step runs after the removal, so some of the views (one every 100 ms) fall after it.
        assertThat(viewsWithoutTheOriginal).as("views of the world after the original went, of " + views).isPositive();
        List<JsonNode> pods = new ArrayList<>();
        result.get("pods").forEach(pods::add);
        assertThat(pods).filteredOn(p -> p.get("claims").get(0).get("copied").asBoolean()).as("copied").hasSize(2);
        assertThat(pods).filteredOn(p -> !p.get("claims").get(0).get("copied").asBoolean()).as("re-bound").hasSize(1);
    }

    @Test
    void aSplitKilledMidCarryResumesToTheSameEnd() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId;
        Path plan = plan("orders");
        try (ZonemoverProcess process = ZonemoverProcess.start(Map.of("ZONEMOVER_FAILPOINT", "carry#18!"), "--sim",
                dir.toString(), "rebalance", "apply", plan.toString(), "--yes", "--poll-interval", "100ms")) {
            Matcher m = JOB_ID.matcher(process.await(l -> JOB_ID.matcher(l).find(), Duration.ofMinutes(2)));
            assertThat(m.find()).isTrue();
            jobId = m.group(1);
            assertThat(process.waitFor(Duration.ofMinutes(2))).as("halted mid-carry:\n" + process.output()).isEqualTo(137);
            assertThat(process.output()).contains(" carry ").doesNotContain("remove-original");
        }
        assertThat(SimWorlds.View.of(dir).statefulSet("orders")).as("the original is still there").isPresent();

        JsonNode result = split("resume", jobId);

        assertSplit(before, SimWorlds.View.of(dir), result, "orders");
    }

    /** `rebalance plan --split-per-zone sts/NAME --out FILE`: the plan file. */
    private Path plan(String sts) {
        Path plan = dir.resolve("split-" + sts + ".yaml");
        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-n", "shop",
                "--split-per-zone", "sts/" + sts, "--out", plan.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        return plan;
    }

    /**
     * `rebalance apply FILE` of a split plan for StatefulSet shop/NAME (command "apply"), or `jobs resume ID`
     * ("resume"); returns its JSON result, which must say COMPLETED.
     */
    private JsonNode split(String command, String target) {
        SimWorlds.Run run = command.equals("apply")
                ? SimWorlds.run("--sim", dir.toString(), "rebalance", "apply",
                plan(target.substring(target.indexOf('/') + 1)).toString(), "--yes", "--poll-interval", "100ms", "-o", "json")
                : SimWorlds.run("--sim", dir.toString(), "jobs", "resume", target, "--yes", "--poll-interval", "100ms",
                "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        try {
            JsonNode result = JSON.readTree(run.out());
            assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
            return result;
        } catch (java.io.IOException e) {
            throw new AssertionError(run.out(), e);
        }
    }

    /**
     * One Ready set per zone with its pods there, each new claim on the same volume (re-bound) or on exactly
     * one copy in the new zone restored from a snapshot holding the old volume's last content (copied), the
     * old volumes kept, the original gone, and no pod started before its predecessor had stopped.
     */
    private static void assertSplit(SimWorlds.View before, SimWorlds.View after, JsonNode result, String sts) {
        String jobId = result.get("jobId").asText();
        assertThat(after.statefulSet(sts)).as("the original " + sts + " is removed").isEmpty();
        for (JsonNode pod : result.get("pods")) {
            String toZone = pod.get("toZone").asText();
            String newPod = name(pod.get("newPod").asText());
            Map<String, Object> p = after.pod(newPod);
            assertThat(p.get("ready")).as(newPod).isEqualTo(true);
            assertThat(p.get("zone")).as(newPod).isEqualTo(toZone);
            Map<String, Object> set = after.statefulSet(sts + "-" + toZone).orElseThrow();
            assertThat(number(set, "readyReplicas")).isEqualTo(number(set, "replicas"));
            for (JsonNode claim : pod.get("claims")) {
                String oldVolume = before.claimVolume(name(claim.get("claim").asText()));
                String newClaim = name(claim.get("newClaim").asText());
                assertThat(after.pvc(newClaim).get("phase")).as(newClaim).isEqualTo("Bound");
                String volume = after.claimVolume(newClaim);
                if (!claim.get("copied").asBoolean()) {
                    assertThat(volume).as(newClaim + " re-bound to the very volume").isEqualTo(oldVolume);
                    continue;
                }
                Map<String, Object> restored = after.volume(volume);
                Map<String, Object> old = after.volume(oldVolume);
                Map<String, Object> snapshot = after.snapshot((String) restored.get("snapshotId"));
                assertThat(restored.get("zone")).isEqualTo(toZone);
                assertThat(after.list("volumes").stream().filter(v -> oldVolume.equals(tags(v).get("zonemover.io/source-volume"))
                        && jobId.equals(tags(v).get("zonemover.io/job"))).map(v -> v.get("id")))
                        .as("exactly one copy of " + oldVolume).containsExactly(volume);
                assertThat(snapshot.get("volumeId")).isEqualTo(oldVolume);
                assertThat(snapshot.get("fingerprint")).as(newClaim + ": the snapshot holds the old volume's last content")
                        .isEqualTo(old.get("fingerprint"));
                assertThat(number(snapshot, "writes")).as("no write reached " + oldVolume + " after its snapshot")
                        .isEqualTo(number(old, "writes"));
                assertThat(number(restored, "writes")).as(newClaim + " is not on an empty volume")
                        .isGreaterThanOrEqualTo(number(snapshot, "writes"));
                assertThat(old.get("state")).as("old volume kept, detached").isEqualTo("available");
                assertThat(tags(old).get("zonemover.io/superseded-by")).isEqualTo(volume);
            }
            assertHandedOver(after, name(pod.get("pod").asText()), newPod);
        }
        for (Map<String, Object> v : before.list("volumes")) {
            assertThat(after.volume((String) v.get("id")).get("state")).as("volume " + v.get("id") + " kept")
                    .isIn("available", "in-use");
        }
    }

    /** From the world's pod history: the new pod began only after the old one had stopped, and runs still. */
    private static void assertHandedOver(SimWorlds.View view, String oldPod, String newPod) {
        List<Map<String, Object>> history = view.list("history");
        Instant stopped = history.stream().filter(h -> oldPod.equals(h.get("name")))
                .map(h -> Instant.parse(String.valueOf(Objects.requireNonNull(h.get("to"), oldPod + " still runs"))))
                .max(Instant::compareTo).orElseThrow(() -> new AssertionError("no history of " + oldPod));
        List<Map<String, Object>> runs = history.stream().filter(h -> newPod.equals(h.get("name"))).toList();
        assertThat(runs).as(newPod + " ran once, without restarting").hasSize(1);
        assertThat(runs.get(0).get("to")).as(newPod + " still runs").isNull();
        assertThat(Instant.parse((String) runs.get(0).get("from"))).as(newPod + " started after " + oldPod + " stopped")
                .isAfterOrEqualTo(stopped);
    }

    private static String name(String namespaced) {
        return namespaced.substring(namespaced.indexOf('/') + 1);
    }

    private static Map<?, ?> tags(Map<String, Object> resource) {
        return Objects.requireNonNullElse((Map<?, ?>) resource.get("tags"), Map.of());
    }

    private static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }
}
