package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.ApiFaults;
import io.zonemover.sim.kube.api.RbacPolicy;
import io.zonemover.sim.kube.api.RbacYaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** `zonemover sim`: creates, shows, serves, advances and breaks simulated worlds. */
@Command(name = "sim",
        description = {"A simulated AWS region and Kubernetes cluster that persists in a directory. Any zonemover command runs against it with `--sim DIR`; `sim serve` exposes it to other clients."},
        subcommands = {SimCommand.Init.class, SimCommand.Show.class, SimCommand.Serve.class, SimCommand.Fault.class,
                SimCommand.Advance.class, SimCallsCommand.class})
final class SimCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "init", description = {"Creates a new world in DIR from a scenario."})
    static final class Init extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create the world in.")
        Path dir;

        @Option(names = "--scenario", required = true, paramLabel = "NAME", completionCandidates = Scenarios.Described.class,
                description = "Scenario to start from: ${COMPLETION-CANDIDATES}.")
        String scenario;

        @Option(names = "--time-scale", paramLabel = "X", defaultValue = "60",
                description = "World seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
        double timeScale;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Scenario option, e.g. k8sVersion=1.33, pods=10000 (large), sets=12 (fleet), sizeGiB=100 (unbalanced).")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = "--rbac", paramLabel = "FILE|DIR",
                description = {"Enforce Kubernetes RBAC: the world's API server takes every request to come from the "
                        + "ServiceAccount that the bindings in these manifests name (YAML files, or directories of them, "
                        + "e.g. jobs/base) and answers 403 Forbidden, as a real server would, to what their Roles and "
                        + "ClusterRoles do not grant. Kept with the world: every process serving it enforces it. "
                        + "Repeatable."})
        List<Path> rbac = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            if (!Scenarios.names().contains(scenario)) {
                throw ZonemoverException.badInput("unknown scenario " + scenario + "; known: "
                        + String.join(", ", Scenarios.names()));
            }
            if (timeScale <= 0) {
                throw ZonemoverException.badInput("--time-scale must be positive");
            }
            if (Files.exists(dir.resolve(WorldStore.STATE_FILE))) {
                throw ZonemoverException.badInput("a world already exists in " + dir);
            }
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw ZonemoverException.badInput(dir + " exists and is not a directory");
            }
            RbacPolicy policy = null;
            if (!rbac.isEmpty()) {
                try {
                    policy = RbacYaml.read(rbac);
                } catch (IllegalArgumentException e) {
                    throw ZonemoverException.badInput("--rbac " + e.getMessage());
                }
            }
            World world = Scenarios.create(scenario, settings, System.currentTimeMillis());
            WorldStore store = WorldStore.create(dir, world, timeScale, scenario);
            out().printf("Created world %s from scenario %s (time scale %sx).%n", dir, scenario, fmt(timeScale));
            if (policy != null) {
                store.enforce(policy);
                out().printf("Its API server authorizes every request as %s: %d rule(s) from %s.%n", policy.user(),
                        policy.rules().size(), String.join(", ", rbac.stream().map(Path::toString).toList()));
            }
            out().printf("Look at it with `zonemover sim show %s`, or `zonemover --sim %s diagnose`.%n", dir, dir);
            return 0;
        }
    }

    @Command(name = "advance", description = {"Lets world time pass at once (the world also follows the wall clock at its time scale): for rehearsals, e.g. the minutes before nodes of a failed zone are seen NotReady, or between protective snapshots."})
    static final class Advance extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Parameters(index = "1", paramLabel = "DURATION", description = "World time to let pass, e.g. 2m or 1h.")
        String duration;

        @Override
        public Integer call() {
            Duration d = positiveDuration("DURATION", duration);
            WorldStore store = WorldStore.open(dir);
            String now = store.write(world -> {
                world.advanceTo(world.now() + d.toMillis());
                return java.time.Instant.ofEpochMilli(world.now()).toString();
            });
            out().println("World time is now " + now + ".");
            return 0;
        }
    }

    @Command(name = "show", description = {"Prints the world's ground truth: nodes, pods, claims, volumes, snapshots, events.",
            "With --json, also `history` (where each pod ran, when) and `disruption`: per StatefulSet "
                    + "NAMESPACE/NAME, {replicas, pdb: {name, minAvailable, maxUnavailable} or null, maxUnavailable: "
                    + "the most pods unavailable at once since the set was first whole, series: [{at, unavailable}]}; and "
                    + "`apiCalls` once the world's endpoints were called (see `sim calls`)."})
    static final class Show extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--json", description = "Print JSON (the shape DESIGN.md documents); same as -o json.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> view = WorldStore.open(dir).show();
            if (json || global().json()) {
                out().println(Json.write(view));
            } else {
                WorldTable.print(view, out());
            }
            return 0;
        }
    }

    @Command(name = "serve", description = {"Serves the world's Kubernetes and EC2 endpoints on loopback until stopped.",
            "Prints one JSON line first: {\"kubernetes\": URL, \"ec2\": URL, \"kubeconfig\": PATH},",
            "and writes DIR/kubeconfig so that kubectl or zonemover (--kubeconfig, --ec2-endpoint) can use it."})
    static final class Serve extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--port-kube", paramLabel = "PORT", defaultValue = "0", description = "Kubernetes API port (default: a free one).")
        int portKube;

        @Option(names = "--port-ec2", paramLabel = "PORT", defaultValue = "0", description = "EC2 API port (default: a free one).")
        int portEc2;

        @Override
        public Integer call() throws Exception {
            WorldStore store = WorldStore.open(dir);
            SimServers servers = SimServers.start(store, portKube, portEc2);
            Path kubeconfig = servers.writeKubeconfig(dir.resolve("kubeconfig")).toAbsolutePath();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("kubernetes", servers.kubeUri().toString());
            line.put("ec2", servers.ec2Uri().toString());
            line.put("kubeconfig", kubeconfig.toString());
            out().println(Json.writeLine(line));
            out().flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                servers.close();
                stopped.countDown();
            }));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "fault", description = {"Injects faults into the world, for rehearsing what goes wrong.",
            "Counts apply to the next calls or snapshots; --clear removes every fault first."})
    static final class Fault extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--clear", description = "Remove all faults first.")
        boolean clear;

        @Option(names = "--throttle", paramLabel = "N", description = "The next N EC2 calls answer RequestLimitExceeded.")
        Integer throttle;

        @Option(names = "--throttle-rate", paramLabel = "FRACTION",
                description = "This share (0..1) of EC2 calls answers RequestLimitExceeded, spread evenly.")
        String throttleRate;

        @Option(names = "--server-errors", paramLabel = "N", description = "The next N EC2 calls answer InternalError.")
        Integer serverErrors;

        @Option(names = "--fail-snapshots", paramLabel = "N", description = "The next N snapshots end in error (-1: all).")
        Integer failSnapshots;

        @Option(names = "--reject-volumes-in", paramLabel = "ZONE",
                description = "CreateVolume in ZONE fails with InsufficientVolumeCapacity.")
        String rejectZone;

        @Option(names = "--never-ready", paramLabel = "NS/POD", description = "This pod never becomes Ready.")
        String neverReady;

        @Option(names = "--never-start", paramLabel = "NS/POD",
                description = "This pod's containers never start (as with an image that cannot be pulled).")
        String neverStart;

        @Option(names = "--full-zone", paramLabel = "ZONE", description = "Nodes in ZONE have no room for new pods.")
        String fullZone;

        @Option(names = "--zone-down", paramLabel = "ZONE",
                description = {"An outage of ZONE: its nodes stop reporting (NotReady, tainted unreachable; their pods are "
                        + "marked for deletion after 300 s but never go), its instances are stopped, its volumes impaired "
                        + "(no writes; attach and detach fail; snapshots stall, then fail)."})
        String zoneDown;

        @Option(names = "--zone-up", paramLabel = "ZONE",
                description = "The end of ZONE's outage: nodes Ready, instances running, volumes ok, stalled snapshots go on.")
        String zoneUp;

        @Option(names = "--kube-error-rate", paramLabel = "FRACTION",
                description = "This share (0..1) of Kubernetes API calls is answered with one of --kube-error-codes.")
        String kubeErrorRate;

        @Option(names = "--kube-error-codes", paramLabel = "CODES",
                description = "Codes for --kube-error-rate, among 429,500,503 (default: all three).")
        String kubeErrorCodes;

        @Option(names = "--kube-conflict-rate", paramLabel = "FRACTION",
                description = "This share (0..1) of Kubernetes API writes is answered 409 Conflict, not applied.")
        String kubeConflictRate;

        @Option(names = "--kube-unreachable-for", paramLabel = "DURATION",
                description = "The Kubernetes API closes every connection unanswered for this long (wall clock), e.g. 30s.")
        String kubeUnreachableFor;

        @Override
        public Integer call() {
            WorldStore store = WorldStore.open(dir);
            String[] pod = podRef("--never-ready", neverReady);
            String[] stuck = podRef("--never-start", neverStart);
            for (Integer n : new Integer[] {throttle, serverErrors}) {
                if (n != null && n < 0) {
                    throw ZonemoverException.badInput("--throttle and --server-errors take a count of 0 or more, got " + n);
                }
            }
            if (failSnapshots != null && failSnapshots < -1) {
                throw ZonemoverException.badInput("--fail-snapshots takes a count, or -1 for all, got " + failSnapshots);
            }
            // Every value is checked before anything changes; each bad one is a one-line error and exit 2.
            Double errorRate = rate("--kube-error-rate", kubeErrorRate);
            Double ec2ThrottleRate = rate("--throttle-rate", throttleRate);
            Double conflictRate = rate("--kube-conflict-rate", kubeConflictRate);
            List<Integer> codes = codes(kubeErrorCodes);
            Duration unreachableFor = positiveDuration("--kube-unreachable-for", kubeUnreachableFor);
            if (zoneDown != null && zoneDown.equals(zoneUp)) {
                throw ZonemoverException.badInput("--zone-down and --zone-up name the same zone " + zoneDown);
            }
            if (fullZone != null || rejectZone != null || zoneDown != null || zoneUp != null) {
                List<String> zones = store.read(world -> {
                    java.util.TreeSet<String> all = new java.util.TreeSet<>(world.ec2().zones());
                    all.addAll(world.kube().nodeZones());
                    return List.copyOf(all);
                });
                for (String zone : new String[] {fullZone, rejectZone, zoneDown, zoneUp}) {
                    if (zone != null && !zones.contains(zone)) {
                        throw ZonemoverException.badInput("the world has no zone " + zone + "; its zones: "
                                + String.join(", ", zones));
                    }
                }
            }
            long unreachableUntil = unreachableFor == null ? 0
                    : System.currentTimeMillis() + unreachableFor.toMillis();
            String summary = store.write(world -> {
                io.zonemover.sim.ec2.Ec2Faults ec2 = world.ec2().faults();
                io.zonemover.sim.kube.KubeFaults kube = clear ? io.zonemover.sim.kube.KubeFaults.NONE : world.kube().faults();
                if (clear) {
                    ec2.clear();
                }
                if (throttle != null) {
                    ec2.throttleNext(throttle);
                }
                if (ec2ThrottleRate != null) {
                    ec2.throttleRate(ec2ThrottleRate);
                }
                if (serverErrors != null) {
                    ec2.failNext(serverErrors);
                }
                if (failSnapshots != null) {
                    ec2.failSnapshots(failSnapshots);
                }
                if (rejectZone != null) {
                    ec2.zone(rejectZone, io.zonemover.sim.ec2.Ec2Faults.ZoneFault.REJECT);
                }
                if (pod != null) {
                    kube = kube.withNeverReadyPod(pod[0], pod[1]);
                }
                if (stuck != null) {
                    kube = kube.withNeverStartPod(stuck[0], stuck[1]);
                }
                if (fullZone != null) {
                    kube = kube.withFullZone(fullZone);
                }
                ApiFaults api = kube.api();
                if (errorRate != null || codes != null) {
                    api = api.withErrors(errorRate != null ? errorRate : api.errorRate(),
                            codes != null ? codes : api.errorCodes());
                }
                if (conflictRate != null) {
                    api = api.withConflicts(conflictRate);
                }
                if (unreachableUntil > 0) {
                    api = api.unreachableUntilWall(unreachableUntil);
                }
                kube = kube.withApi(api);
                Scenarios.setKubeFaults(world, kube);
                if (clear) {
                    world.ec2().downZones().forEach(z -> world.setZoneDown(z, false));
                }
                if (zoneUp != null) {
                    world.setZoneDown(zoneUp, false);
                }
                if (zoneDown != null) {
                    world.setZoneDown(zoneDown, true);
                }
                return "EC2: " + ec2 + "; Kubernetes: " + kube + "; zones down: " + world.ec2().downZones();
            });
            out().println("Faults now: " + summary);
            return 0;
        }
    }

    /** NAMESPACE/POD as {namespace, name}, or a one-line error and exit 2; null when absent. */
    static String[] podRef(String option, String value) {
        String[] parts = value == null ? null : value.split("/", 2);
        if (parts != null && parts.length != 2) {
            throw ZonemoverException.badInput(option + " takes NAMESPACE/POD, got " + value);
        }
        return parts;
    }

    /** A fraction from 0 to 1, or a one-line error and exit 2; null when absent. */
    static Double rate(String option, String value) {
        if (value == null) {
            return null;
        }
        double d;
        try {
            d = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d >= 0 && d <= 1)) {
            throw ZonemoverException.badInput(option + " must be a fraction from 0 to 1, got " + value);
        }
        return d;
    }

    /** A positive duration such as 30s or 2m, or a one-line error and exit 2; null when absent. */
    static Duration positiveDuration(String option, String value) {
        if (value == null) {
            return null;
        }
        Duration d;
        try {
            d = new DurationConverter().convert(value);
        } catch (RuntimeException e) {
            d = null;
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw ZonemoverException.badInput(option + " must be a positive duration such as 30s or 2m, got "
                    + value);
        }
        return d;
    }

    /** "429,500" as codes among those the API faults know, or a one-line error and exit 2; null when absent. */
    static List<Integer> codes(String value) {
        if (value == null) {
            return null;
        }
        List<Integer> out = new java.util.ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            Integer code = p.matches("\\d{3}") ? Integer.valueOf(p) : null;
            if (code == null || !ApiFaults.ERROR_CODES.contains(code)) {
                throw ZonemoverException.badInput("--kube-error-codes takes codes among 429,500,503, got " + value);
            }
            out.add(code);
        }
        return out;
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    static List<?> list(Map<String, Object> view, String key) {
        Object value = view.get(key);
        return value instanceof List<?> l ? l : List.of();
    }
}
