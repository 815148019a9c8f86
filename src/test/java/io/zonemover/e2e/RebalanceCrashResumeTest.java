package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of `rebalance apply` (a real process) in the middle of a plan, at a move's harshest moments and
 * between the plan's rounds; `jobs resume PLAN` then completes the plan with no move done twice and no
 * duplicate volume. A plan file that is wrong is refused before anything changes, naming its line.
 */
class RebalanceCrashResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLAN_ID = Pattern.compile("plan (zp-[0-9a-f]+) \\(");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final List<String> ZONES = List.of("us-east-1b", "us-east-1c", "us-east-1d");

    @TempDir
    Path dir;

    /** restore#2!: right after a move's CreateVolume (its first iteration records the intent to create). */
    @ParameterizedTest(name = "kill -9 at {0}, then jobs resume")
    @ValueSource(strings = {"quiesce#2!", "restore#2!", "moves#4"})
    void aKilledPlanResumesToEveryMoveDoneOnce(String failpoint) throws Exception {
        SimWorlds.create(dir, "unbalanced");
        SimWorlds.View before = SimWorlds.View.of(dir);
        Path plan = plan();
        String planId;
        try (ZonemoverProcess apply = ZonemoverProcess.start(Map.of("ZONEMOVER_FAILPOINT", failpoint), "--sim",
                dir.toString(), "rebalance", "apply", plan.toString(), "--parallel", "3", "--yes",
                "--poll-interval", "100ms")) {
            Matcher m = PLAN_ID.matcher(apply.await(l -> PLAN_ID.matcher(l).find(), RUN_TIMEOUT));
            assertThat(m.find()).isTrue();
            planId = m.group(1);
            assertThat(apply.waitFor(RUN_TIMEOUT)).as("halted at the failpoint:\n" + apply.output()).isEqualTo(137);
        }

        SimWorlds.Run resume = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", planId, "--yes",
                "--poll-interval", "100ms", "-o", "json");
        assertThat(resume.exit()).as(resume.err()).isZero();
        JsonNode result = JSON.readTree(resume.out());
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.get("moves")).hasSize(4).allSatisfy(move ->
                assertThat(move.get("state").asText()).as(move.toString()).isEqualTo("DONE"));

        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(Fleets.assertMovedIntact(before, after)).as("each planned pod moved once").hasSize(4);
        for (String sts : List.of("orders", "catalog", "sessions")) {
            Fleets.assertEven(after, "shop", sts, 3, ZONES);
        }
        Fleets.assertDisruptionWithinBudgets(after, 1);
        assertThat(after.list("configmaps").stream().filter(c -> String.valueOf(c.get("name")).startsWith("zonemover-")))
                .as("no move record left behind").isEmpty();
    }

    @Test
    void aFailingCheckPausesThePlanAndResumeGoesOnOnceItPasses() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        Path plan = plan();
        Path healthy = dir.resolve("healthy");
        SimWorlds.Run paused = SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--yes",
                "--check", "test -f " + healthy, "--poll-interval", "100ms", "-o", "json");
        assertThat(paused.exit()).as(paused.err()).isEqualTo(1);
        JsonNode stopped = JSON.readTree(paused.out());
        assertThat(stopped.get("message").asText()).contains("--check failed", "test -f");
        assertThat(stopped.get("counts").get("done").asInt()).as("the first move finished, then the check failed")
                .isEqualTo(1);
        assertThat(stopped.get("counts").get("waiting").asInt()).isEqualTo(3);

        Files.writeString(healthy, "ok\n");
        SimWorlds.Run resume = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", stopped.get("planId").asText(),
                "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(resume.exit()).as(resume.err()).isZero();
        assertThat(JSON.readTree(resume.out()).get("counts").get("done").asInt()).isEqualTo(4);
    }

    @Test
    void aWrongPlanFileIsRefusedBeforeAnythingChanges() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        Path plan = plan();
        String good = Files.readString(plan);
        SimWorlds.View before = SimWorlds.View.of(dir);

        Path field = write("field.yaml", good.replaceFirst("    to: us-east-1c", "    too: us-east-1c"));
        SimWorlds.Run wrongField = apply(field);
        assertThat(wrongField.exit()).isEqualTo(2);
        assertThat(wrongField.err()).matches("(?s).*field\\.yaml:\\d+: spec\\.moves\\[0\\].*too.*\n");
        assertThat(wrongField.err().lines()).hasSize(1);

        Path claim = write("claim.yaml", good.replaceFirst("name: data-catalog-2", "name: data-catalog-9"));
        SimWorlds.Run unknownClaim = apply(claim);
        assertThat(unknownClaim.exit()).as(unknownClaim.err()).isEqualTo(2);
        assertThat(unknownClaim.err()).contains("claim.yaml:", "spec.moves[0].claims", "data-catalog-9");

        Path zone = write("zone.yaml", good.replaceFirst("to: us-east-1d", "to: us-east-1z"));
        SimWorlds.Run unknownZone = apply(zone);
        assertThat(unknownZone.exit()).as(unknownZone.err()).isEqualTo(2);
        assertThat(unknownZone.err()).contains("zone.yaml:", "us-east-1z");

        // us-east-1a is a zone of the region without a node: a move there is refused whole, naming the move.
        Path noRoom = write("room.yaml", good.replaceFirst("to: us-east-1d", "to: us-east-1a"));
        SimWorlds.Run full = apply(noRoom);
        assertThat(full.exit()).as(full.err()).isEqualTo(3);
        assertThat(full.err()).contains("room.yaml:", "spec.moves[2]", "us-east-1a", "no room");

        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(after.list("volumes")).as("no volume made").hasSameSizeAs(before.list("volumes"));
        assertThat(after.list("snapshots")).as("no snapshot taken").hasSameSizeAs(before.list("snapshots"));
        assertThat(Moves.jobsList(dir)).as("no job started").isEmpty();
    }

    private SimWorlds.Run apply(Path plan) {
        return SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--yes");
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path plan() {
        Path plan = dir.resolve("spread.yaml");
        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-n", "shop", "--out",
                plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();
        return plan;
    }
}
