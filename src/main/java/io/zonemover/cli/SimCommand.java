package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "sim",
        description = {"A simulated AWS region and Kubernetes cluster that persists in a directory. Any zonemover command runs against it with `--sim DIR`; `sim serve` exposes it to other clients."},
        subcommands = {SimCommand.Init.class, SimCommand.Show.class, SimCommand.Serve.class, SimCommand.Fault.class})
final class SimCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "init", description = {"Creates a new world in DIR from a scenario. Scenarios: stuck-pod (the incident: web-3 Pending with `volume node affinity conflict`), unbalanced (volumes crowding one zone), healthy, large (for benchmarks)."})
    static final class Init extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create the world in.")
        Path dir;

        @Option(names = "--scenario", required = true, paramLabel = "NAME", description = "Scenario to start from.")
        String scenario;

        @Option(names = "--time-scale", paramLabel = "X", defaultValue = "60",
                description = "World seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
        double timeScale;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Scenario option, e.g. k8sVersion=1.33, pods=10000.")
        Map<String, String> settings = new LinkedHashMap<>();

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
            World world = Scenarios.create(scenario, settings, System.currentTimeMillis());
            WorldStore.create(dir, world, timeScale, scenario);
            out().printf("Created world %s from scenario %s (time scale %sx).%n", dir, scenario, fmt(timeScale));
            out().printf("Look at it with `zonemover sim show %s`, or `zonemover --sim %s diagnose`.%n", dir, dir);
            return 0;
        }
    }

    @Command(name = "show", description = "Prints the world's ground truth: nodes, pods, claims, volumes, snapshots, events.")
    static final class Show extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--json", description = "Print JSON (the shape DESIGN.md documents); same as -o json.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> view = WorldStore.open(dir).read(World::show);
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

        @Option(names = "--server-errors", paramLabel = "N", description = "The next N EC2 calls answer InternalError.")
        Integer serverErrors;

        @Option(names = "--fail-snapshots", paramLabel = "N", description = "The next N snapshots end in error (-1: all).")
        Integer failSnapshots;

        @Option(names = "--reject-volumes-in", paramLabel = "ZONE",
                description = "CreateVolume in ZONE fails with InsufficientVolumeCapacity.")
        String rejectZone;

        @Option(names = "--never-ready", paramLabel = "NS/POD", description = "This pod never becomes Ready.")
        String neverReady;

        @Option(names = "--full-zone", paramLabel = "ZONE", description = "Nodes in ZONE have no room for new pods.")
        String fullZone;

        @Override
        public Integer call() {
            WorldStore store = WorldStore.open(dir);
            String[] pod = neverReady == null ? null : neverReady.split("/", 2);
            if (pod != null && pod.length != 2) {
                throw ZonemoverException.badInput("--never-ready takes NAMESPACE/POD, got " + neverReady);
            }
            String summary = store.write(world -> {
                io.zonemover.sim.ec2.Ec2Faults ec2 = world.ec2().faults();
                io.zonemover.sim.kube.KubeFaults kube = clear ? io.zonemover.sim.kube.KubeFaults.NONE : world.kube().faults();
                if (clear) {
                    ec2.clear();
                }
                if (throttle != null) {
                    ec2.throttleNext(throttle);
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
                if (fullZone != null) {
                    kube = kube.withFullZone(fullZone);
                }
                Scenarios.setKubeFaults(world, kube);
                return "EC2: " + ec2 + "; Kubernetes: " + kube;
            });
            out().println("Faults now: " + summary);
            return 0;
        }
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    static List<?> list(Map<String, Object> view, String key) {
        Object value = view.get(key);
        return value instanceof List<?> l ? l : List.of();
    }
}
