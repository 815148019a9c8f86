package io.zonemover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.cli.bench.DiagnoseBench;
import io.zonemover.cli.bench.DowntimeBench;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan;
import io.zonemover.fleet.PlanFile;
import io.zonemover.sim.ApiCalls;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `zonemover bench`: measures a plan's moves against one move's time on the simulated world, through the same
 * commands users run (`rebalance plan`, `rebalance apply`), and counts the API calls the world received.
 */
@Command(name = "bench",
        description = {"Measures zonemover on the simulated world, through the commands users run, and prints the numbers (a table, or one JSON object with -o json). Outside the normal test run; the machine's load shows in the times.",
                "",
                "fleetRatio: the time to evacuate us-east-1b in the `fleet` world (12 StatefulSets of 5 pods: 57 moves; --quick: 4 of 3, 11 moves) at --parallel 6 (--quick: 3), divided by the time that many rounds of single moves take (rounds = moves / parallel, rounded up; a single move's time is the mean of one move of each kind of StatefulSet, run one at a time). ec2CallsPerVolume and kubeCallsPerVolume: requests the world received during the plan, per moved volume. throttled: EC2 requests answered RequestLimitExceeded (retried by the client); throttlingErrorsSurfaced: moves that failed with one.",
                "",
                "downtimeRatio: a running pod's downtime in a move (shop/orders-0 of the `unbalanced` world to us-east-1c), from the world's history (stopped in the old zone until running and Ready in the new one), divided by the world model's lower bound for the same work (final snapshot of what changed + restore + attach + container start), in world seconds. preSnapshotGain: on 100 GiB volumes with 2%% written since a protective snapshot, zonemover's downtime divided by that of stop-then-snapshot (`migrate --no-pre-snapshot`, the peers' procedure) in an identical world. Without --quick also: roundsGain, a pod writing 30 MiB/s moved with pre-copy rounds against one pre-snapshot; and a pod that reads 1 GiB before it is Ready moved with EC2's default initialization, --volume-initialization-rate 300 and --fast-snapshot-restore (downtime, and the new volume's time to full speed). The downtime worlds run at 10x unless --time-scale is given.",
                "",
                "diagnoseColdSeconds/PeakMB: `./zonemover --sim DIR diagnose` on the stuck-pod world as a new process (wall seconds, peak RSS); diagnoseLarge*: `diagnose -A -o json` against the `large` world (10,000 pods, 5,000 claims, 300 nodes) served by `sim serve`; the median of 3 runs (--quick: 1)."})
final class BenchCommand extends BaseCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--quick", description = "A smaller fleet (11 moves at --parallel 3) and one run of each diagnose instead of three: under three minutes on two cores.")
    boolean quick;

    /**
     * At a higher pace the simulation's own work and the tool's, on a small machine, become a visible share of
     * world time, which a real cloud's pace does not have; lower is truer and slower.
     */
    @Option(names = "--time-scale", paramLabel = "X",
            description = "World seconds per wall second for the worlds the bench makes (default 20; 30 with --quick).")
    Double timeScale;

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "Only these parts: downtime (downtimeRatio, preSnapshotGain), fleet, diagnose (default: all).")
    Set<String> only;

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep the worlds here (default: a temporary directory, removed after).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Double asked = timeScale;
        if (timeScale == null) {
            timeScale = quick ? 30.0 : 20.0;
        }
        if (timeScale <= 0) {
            throw ZonemoverException.badInput("--time-scale must be positive, got " + timeScale);
        }
        int sets = quick ? 4 : 12;
        int replicas = quick ? 3 : 5;
        int parallel = quick ? 3 : 6;
        Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("zonemover-bench");
        try {
            Map<String, Object> result = new LinkedHashMap<>();
            long started = System.nanoTime();
            if (part("downtime")) {
                result.putAll(DowntimeBench.run(this::run, Files.createDirectories(base.resolve("downtime")), asked, quick));
            }
            if (part("fleet")) {
                result.putAll(fleet(base, sets, replicas, parallel));
            }
            if (part("diagnose")) {
                result.putAll(DiagnoseBench.run(this::run, Files.createDirectories(base.resolve("diagnose")), quick ? 1 : 3));
            }
            result.put("benchSeconds", (System.nanoTime() - started) / 1e9);
            if (global().json()) {
                out().println(Json.write(result));
            } else {
                Table table = Table.of("MEASURE", "VALUE");
                result.forEach((k, v) -> table.row(k, v instanceof Double d ? String.format("%.2f", d) : v));
                table.print(out());
            }
            return 0;
        } finally {
            if (dir == null) {
                deleteTree(base);
            }
        }
    }

    private boolean part(String name) {
        return only == null || only.isEmpty() || only.contains(name);
    }

    private Map<String, Object> fleet(Path base, int sets, int replicas, int parallel) throws Exception {
        // One move of each kind of StatefulSet, one at a time: the single move's time.
        Path single = world(base.resolve("single"), sets, replicas);
        FleetPlan full = plan(single, parallel);
        Set<String> kinds = new LinkedHashSet<>();
        List<FleetPlan.Move> sample = new ArrayList<>();
        for (FleetPlan.Move m : full.moves()) {
            if (kinds.add(m.statefulSet().replaceAll("-\\d+$", ""))) {
                sample.add(m);
            }
        }
        Path samplePlan = single.resolve("sample.yaml");
        PlanFile.write(new FleetPlan(full.name() + "-sample", full.createdAt(), full.selection(), full.strategy(),
                new FleetPlan.Limits(1, 1, 1), sample, null, null, null), samplePlan);
        JsonNode sampled = apply(single, samplePlan, 1);
        double oneMove = 0;
        for (JsonNode m : sampled.get("moves")) {
            oneMove += m.get("seconds").asDouble();
        }
        oneMove /= sampled.get("moves").size();

        // The whole plan.
        Path fleet = world(base.resolve("fleet"), sets, replicas);
        FleetPlan plan = plan(fleet, parallel);
        WorldStore.open(fleet).calls().reset();
        long started = System.nanoTime();
        JsonNode applied = apply(fleet, fleet.resolve("plan.yaml"), parallel);
        double seconds = (System.nanoTime() - started) / 1e9;
        ApiCalls calls = WorldStore.open(fleet).calls().read();

        int volumes = plan.moves().stream().mapToInt(m -> m.claims().size()).sum();
        int rounds = (plan.moves().size() + parallel - 1) / parallel;
        long surfaced = 0;
        for (JsonNode m : applied.get("moves")) {
            String detail = m.path("detail").asText("");
            if ("FAILED".equals(m.get("state").asText()) && (detail.contains("RequestLimitExceeded")
                    || detail.toLowerCase(java.util.Locale.ROOT).contains("throttl"))) {
                surfaced++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("moves", plan.moves().size());
        out.put("movedVolumes", volumes);
        out.put("parallel", parallel);
        out.put("planStatus", applied.get("status").asText());
        out.put("planSeconds", seconds);
        out.put("oneMoveSeconds", oneMove);
        out.put("fleetRatio", seconds / (rounds * oneMove));
        out.put("ec2CallsPerVolume", (double) calls.ec2Total() / volumes);
        out.put("kubeCallsPerVolume", (double) calls.kubeTotal() / volumes);
        out.put("throttled", calls.ec2Throttled());
        out.put("throttlingErrorsSurfaced", surfaced);
        out.put("timeScale", timeScale);
        return out;
    }

    private Path world(Path world, int sets, int replicas) {
        run("sim", "init", world.toString(), "--scenario", "fleet", "--set", "sets=" + sets, "--set",
                "replicas=" + replicas, "--time-scale", String.valueOf(timeScale));
        return world;
    }

    private FleetPlan plan(Path world, int parallel) {
        Path file = world.resolve("plan.yaml");
        run("--sim", world.toString(), "rebalance", "plan", "-A", "--evacuate", "us-east-1b", "--parallel",
                String.valueOf(parallel), "--out", file.toString());
        return PlanFile.read(file);
    }

    private JsonNode apply(Path world, Path plan, int parallel) throws IOException {
        String out = run("--sim", world.toString(), "rebalance", "apply", plan.toString(), "--parallel",
                String.valueOf(parallel), "--yes", "--poll-interval", "100ms", "-o", "json");
        return JSON.readTree(out);
    }

    /** Runs a zonemover command in this process; its progress goes to this command's stderr with -v. */
    String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        if (global().verbose()) {
            err().print(err);
            err().flush();
        }
        if (exit != 0) {
            throw ZonemoverException.failed("bench: `zonemover " + String.join(" ", args) + "` exited " + exit + ": "
                    + err.toString().strip().lines().reduce((a, b) -> b).orElse(""), null);
        }
        return out.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
