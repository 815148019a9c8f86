package io.zonemover.cli;

import io.zonemover.sim.Scenarios;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** `zonemover demo`: the whole rescue on an embedded simulated world, step by step. */
@Command(name = "demo",
        description = {"The whole rescue on a simulated cluster, in a minute: a StatefulSet pod stuck Pending with `volume node affinity conflict`, what diagnose says, the migration, and the end state with the data fingerprints that show nothing was lost. Needs no AWS account and no cluster."})
final class DemoCommand extends BaseCommand implements Callable<Integer> {

    @Option(names = "--scenario", defaultValue = "stuck-pod", paramLabel = "NAME",
            description = "Scenario to start from (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = {"-y", "--yes"}, description = "Do not ask before migrating.")
    boolean yes;

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep the world in DIR (default: a new temporary directory).")
    Path dir;

    @Option(names = "--time-scale", defaultValue = "120", paramLabel = "X",
            description = "World seconds per wall second (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Override
    public Integer call() throws Exception {
        if (!Scenarios.names().contains(scenario)) {
            throw io.zonemover.domain.ZonemoverException.badInput("unknown scenario " + scenario + "; known: "
                    + String.join(", ", Scenarios.names()));
        }
        if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
            throw io.zonemover.domain.ZonemoverException.badInput("--time-scale must be a positive number, got "
                    + timeScale);
        }
        Path world = dir != null ? dir : Files.createTempDirectory("zonemover-demo-");
        WorldStore store = WorldStore.create(world, Scenarios.create(scenario, Map.of(), System.currentTimeMillis()),
                timeScale, scenario);
        String sim = world.toString();
        heading("1. The incident (simulated world in " + sim + ")");
        printPods(store, true);

        heading("2. zonemover diagnose");
        int diagnose = Main.run(new String[] {"--sim", sim, "diagnose"}, out(), err());
        if (diagnose == 0) {
            out().println("Nothing to rescue in this scenario.");
            return 0;
        }

        String claim = "default/www-web-3";
        heading("3. zonemover migrate " + claim + " --to auto");
        String[] migrate = yes ? new String[] {"--sim", sim, "migrate", claim, "--to", "auto", "--yes"}
                : new String[] {"--sim", sim, "migrate", claim, "--to", "auto"};
        int migrated = Main.run(migrate, root().input(), out(), err());
        if (migrated != 0) {
            out().println("The migration did not complete (exit " + migrated + "); see `zonemover --sim " + sim
                    + " jobs list`.");
            return migrated;
        }

        heading("4. The end state");
        printPods(store, false);
        printData(store);
        out().println();
        out().println("Explore further: zonemover sim show " + sim + " | zonemover --sim " + sim + " jobs list");
        return 0;
    }

    private void heading(String text) {
        out().println();
        out().println("== " + text);
        out().flush();
    }

    private void printPods(WorldStore store, boolean withEvents) {
        Map<String, Object> view = store.read(World::show);
        Table pods = Table.of("POD", "PHASE", "READY", "NODE", "ZONE");
        for (Object o : SimCommand.list(view, "pods")) {
            Map<?, ?> p = (Map<?, ?>) o;
            pods.row(p.get("namespace") + "/" + p.get("name"), p.get("phase"), p.get("ready"), p.get("node"), p.get("zone"));
        }
        pods.print(out());
        for (Object o : withEvents ? SimCommand.list(view, "events") : List.of()) {
            Map<?, ?> e = (Map<?, ?>) o;
            if ("FailedScheduling".equals(e.get("reason")) && String.valueOf(e.get("object")).endsWith("web-3")) {
                out().println("event " + e.get("object") + " " + e.get("reason") + ": " + e.get("message"));
            }
        }
    }

    /** Old volume, final snapshot, new volume: equal fingerprints mean no write made before the stop was lost. */
    private void printData(WorldStore store) {
        Map<String, Object> view = store.read(World::show);
        List<?> volumes = SimCommand.list(view, "volumes");
        List<?> snapshots = SimCommand.list(view, "snapshots");
        Table data = Table.of("WHAT", "ID", "ZONE", "FINGERPRINT", "WRITES");
        for (Object o : volumes) {
            Map<?, ?> v = (Map<?, ?>) o;
            Map<?, ?> tags = (Map<?, ?>) v.get("tags");
            if (tags != null && tags.containsKey("zonemover.io/superseded-by")) {
                data.row("old volume (kept)", v.get("id"), v.get("zone"), v.get("fingerprint"), v.get("writes"));
                for (Object s : snapshots) {
                    Map<?, ?> snap = (Map<?, ?>) s;
                    Map<?, ?> snapTags = (Map<?, ?>) snap.get("tags");
                    if (Objects.equals(snap.get("volumeId"), v.get("id")) && snapTags != null
                            && "final".equals(snapTags.get("zonemover.io/phase"))) {
                        data.row("final snapshot", snap.get("id"), "-", snap.get("fingerprint"), snap.get("writes"));
                    }
                }
                Object newId = tags.get("zonemover.io/superseded-by");
                for (Object n : volumes) {
                    Map<?, ?> nv = (Map<?, ?>) n;
                    if (Objects.equals(nv.get("id"), newId)) {
                        data.row("new volume (restored, in use)", nv.get("id"), nv.get("zone"), nv.get("fingerprint"),
                                nv.get("writes"));
                    }
                }
            }
        }
        out().println();
        out().println("Data: the final snapshot holds the old volume's last content; the new volume started from it");
        out().println("and the pod has written on since.");
        data.print(out());
    }
}
