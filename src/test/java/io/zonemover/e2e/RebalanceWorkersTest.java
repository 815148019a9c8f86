package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import io.zonemover.testing.PostgresServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, item 2: three real worker processes (`rebalance apply FILE --worker`) share one 30-move plan through
 * one state database; one is killed with kill -9 while its pod is down mid-move. The survivors take its move
 * over once its lease lapses and complete the plan: every pod moved once with its data and no duplicate volume,
 * and no StatefulSet ever had more pods down than its budget allows, judged from the world's own history.
 */
class RebalanceWorkersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLAN_ID = Pattern.compile("plan (zp-[0-9a-f]+) \\(");
    private static final Pattern CLAIMED = Pattern.compile("worker w2 (?:claims|takes over) move #(\\d+) \\(fleet/([a-z0-9-]+)");
    /** JVM starts on a loaded machine take tens of seconds; the plan itself about two minutes. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    /** Faster than other tests' worlds: 30 moves with three in flight. */
    private static final double TIME_SCALE = 240;

    @TempDir
    Path dir;

    /**
     * The state database the workers share: a fresh PostgreSQL database (issue 11 asks for workers on
     * PostgreSQL), unless ZONEMOVER_TEST_DB names another JDBC URL, or "h2-server": an H2 TCP server this test
     * runs (a server all workers reach; with the H2 file's AUTO_SERVER the first process serves the others, and
     * its end, or its kill -9, cuts them off mid-statement).
     */
    static Stream<String> databases() {
        String other = System.getenv("ZONEMOVER_TEST_DB");
        return Stream.of(other != null && !other.isBlank() ? other : "postgresql");
    }

    private org.h2.tools.Server h2;

    @ParameterizedTest(name = "state database {0}")
    @MethodSource("databases")
    void threeWorkersOneKilledMidMoveCompleteThePlanWithEveryMoveDoneOnceWithinBudgets(String database) throws Exception {
        String db = database;
        if ("postgresql".equals(db)) {
            db = PostgresServer.freshDatabase("workers");
        }
        if ("h2-server".equals(db)) {
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                port = free.getLocalPort();
            }
            h2 = org.h2.tools.Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", dir.toString(),
                    "-ifNotExists").start();
            db = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/state;WRITE_DELAY=0";
        }
        WorldStore.create(dir, Scenarios.create("fleet", Map.of("sets", "8", "replicas", "4"),
                System.currentTimeMillis()), TIME_SCALE, "fleet");
        SimWorlds.View before = SimWorlds.View.of(dir);
        Path plan = dir.resolve("evacuate.yaml");
        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-A", "--evacuate",
                "us-east-1b", "--parallel", "3", "--out", plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();
        List<String> claimsIn1b = before.list("pvcs").stream().map(p -> String.valueOf(p.get("name")))
                .filter(c -> "us-east-1b".equals(before.volume(before.claimVolume(c)).get("zone"))).toList();

        List<ZonemoverProcess> workers = new ArrayList<>();
        try {
            // w1 first: with the H2 file it is the process that serves the database to the others.
            workers.add(worker(db, plan, "w1"));
            Matcher id = PLAN_ID.matcher(workers.get(0).await(l -> PLAN_ID.matcher(l).find(), START_TIMEOUT));
            assertThat(id.find()).isTrue();
            String planId = id.group(1);
            workers.add(worker(db, plan, "w2"));
            workers.add(worker(db, plan, "w3"));

            // kill -9 of w2 once the pod of a move it runs is deleted: its StatefulSet is gone, downtime has begun.
            ZonemoverProcess w2 = workers.get(1);
            Matcher claimed = CLAIMED.matcher(w2.await(l -> CLAIMED.matcher(l).find(), RUN_TIMEOUT));
            assertThat(claimed.find()).isTrue();
            int killedMove = Integer.parseInt(claimed.group(1));
            String pod = claimed.group(2);
            w2.await(l -> l.matches("\\S+\\s+" + Pattern.quote(pod) + "\\s+quiesce\\s+pod fleet/" + Pattern.quote(pod)
                    + " deleted.*"), RUN_TIMEOUT);
            w2.kill();

            assertThat(workers.get(0).waitFor(RUN_TIMEOUT)).as("w1:\n" + workers.get(0).output()).isZero();
            assertThat(workers.get(2).waitFor(RUN_TIMEOUT)).as("w3:\n" + workers.get(2).output()).isZero();

            SimWorlds.Run shown = SimWorlds.run(withDb(db, "jobs", "show", planId, "-o", "json"));
            assertThat(shown.exit()).as(shown.err()).isZero();
            JsonNode result = JSON.readTree(shown.out());
            assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(result.get("moves")).hasSize(30).allSatisfy(m ->
                    assertThat(m.get("state").asText()).as(m.toString()).isEqualTo("DONE"));
            JsonNode taken = result.get("moves").get(killedMove);
            assertThat(taken.get("takenOverFrom").asText()).as("the killed worker's move: " + taken).isEqualTo("w2");
            assertThat(taken.get("worker").asText()).as("a survivor finished it").isIn("w1", "w3");
            List<String> ran = new ArrayList<>();
            result.get("moves").forEach(m -> ran.add(m.get("worker").asText()));
            assertThat(ran).as("the survivors shared the plan").contains("w1", "w3");

            SimWorlds.View after = SimWorlds.View.of(dir);
            assertThat(Fleets.assertMovedIntact(before, after)).as("every claim that was in us-east-1b moved once, "
                    + "each to exactly one new volume").containsExactlyInAnyOrderElementsOf(claimsIn1b);
            for (Map<String, Object> pvc : after.list("pvcs")) {
                String volume = after.claimVolume(String.valueOf(pvc.get("name")));
                assertThat(after.volume(volume).get("zone")).as(pvc.get("name") + " left us-east-1b")
                        .isNotEqualTo("us-east-1b");
            }
            assertThat(after.list("pods")).allSatisfy(p -> assertThat(p.get("ready")).as(String.valueOf(p.get("name")))
                    .isEqualTo(true));
            Fleets.assertDisruptionWithinBudgets(after, 1);
            assertThat(after.list("configmaps").stream().filter(c -> String.valueOf(c.get("name")).startsWith("zonemover-")))
                    .as("no move record left behind").isEmpty();
        } catch (AssertionError e) {
            StringBuilder all = new StringBuilder(e.getMessage());
            for (int i = 0; i < workers.size(); i++) {
                all.append("\n--- w").append(i + 1).append(":\n").append(workers.get(i).output());
            }
            throw new AssertionError(all.toString(), e);
        } finally {
            workers.forEach(ZonemoverProcess::close);
            if (h2 != null) {
                h2.stop();
            }
        }
    }

    /**
     * Workers agree on the plan's id from the file alone: a later worker with the same file joins the plan (here
     * already complete: exit 0, nothing moved again), one with other limits is refused before it takes anything.
     */
    @org.junit.jupiter.api.Test
    void workersOfOneFileShareOnePlanAndOtherLimitsAreRefused() throws Exception {
        SimWorlds.create(dir, "unbalanced");
        Path plan = dir.resolve("spread.yaml");
        SimWorlds.Run planned = SimWorlds.run("--sim", dir.toString(), "rebalance", "plan", "-n", "shop", "--out",
                plan.toString());
        assertThat(planned.exit()).as(planned.err()).isZero();
        SimWorlds.Run first = SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--worker",
                "--worker-id", "first", "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(first.exit()).as(first.err()).isZero();
        JsonNode done = JSON.readTree(first.out());
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("moves")).hasSize(4).allSatisfy(m -> assertThat(m.get("worker").asText()).isEqualTo("first"));
        SimWorlds.View after = SimWorlds.View.of(dir);

        SimWorlds.Run later = SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--worker",
                "--worker-id", "later", "--yes", "-o", "json");
        assertThat(later.exit()).as(later.err()).isZero();
        assertThat(JSON.readTree(later.out()).get("planId").asText()).isEqualTo(done.get("planId").asText());
        assertThat(later.err()).contains("worker later joins");
        assertThat(SimWorlds.View.of(dir).list("volumes")).as("nothing moved again").hasSameSizeAs(after.list("volumes"));

        SimWorlds.Run other = SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--worker",
                "--parallel", "2", "--yes");
        assertThat(other.exit()).as(other.err()).isEqualTo(2);
        assertThat(other.err()).contains("--parallel 1", "same limits");

        SimWorlds.Run loose = SimWorlds.run("--sim", dir.toString(), "rebalance", "apply", plan.toString(), "--plan-id",
                "zp-mine", "--yes");
        assertThat(loose.exit()).isEqualTo(2);
        assertThat(loose.err().lines()).hasSize(1).first().asString().contains("go with --worker");
    }

    private ZonemoverProcess worker(String db, Path plan, String name) throws Exception {
        return ZonemoverProcess.start(withDb(db, "rebalance", "apply", plan.toString(), "--worker", "--worker-id",
                name, "--lease", "6s", "--yes", "--poll-interval", "100ms"));
    }

    private String[] withDb(String db, String... args) {
        List<String> all = new ArrayList<>(List.of("--sim", dir.toString()));
        if (!"sim".equals(db)) {
            all.addAll(List.of("--db", db));
        }
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }
}
