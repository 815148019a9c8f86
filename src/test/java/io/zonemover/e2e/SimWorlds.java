package io.zonemover.e2e;

import io.zonemover.cli.Main;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.api.RbacYaml;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Test helpers: fresh simulated worlds, in-process command runs, and questions about `sim show`. */
final class SimWorlds {

    /** Fast enough for tests, slow enough that each wait is seen by several polls. */
    static final double TIME_SCALE = 120;

    /**
     * The in-cluster roles (ClusterRole and Role with their bindings) that every world made here enforces, as
     * `sim init --rbac jobs/base` does: a command that makes a call they do not grant gets the real 403.
     */
    static final Path ROLES = Path.of("jobs", "base");

    private SimWorlds() {
    }

    static WorldStore create(Path dir, String scenario) {
        return create(dir, scenario, TIME_SCALE);
    }

    static WorldStore create(Path dir, String scenario, double timeScale) {
        WorldStore store = WorldStore.create(dir, Scenarios.create(scenario, Map.of(), System.currentTimeMillis()),
                timeScale, scenario);
        store.enforce(RbacYaml.read(List.of(ROLES)));
        return store;
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** One `sim show --json` view. */
    record View(Map<String, Object> raw) {

        static View of(Path dir) {
            return new View(WorldStore.open(dir).show());
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list(String key) {
            return (List<Map<String, Object>>) raw.getOrDefault(key, List.of());
        }

        Map<String, Object> pod(String name) {
            return find("pods", m -> name.equals(m.get("name"))).orElseThrow(() -> new AssertionError("no pod " + name));
        }

        Map<String, Object> pvc(String name) {
            return find("pvcs", m -> name.equals(m.get("name"))).orElseThrow(() -> new AssertionError("no pvc " + name));
        }

        Optional<Map<String, Object>> pv(String name) {
            return find("pvs", m -> name.equals(m.get("name")));
        }

        Map<String, Object> volume(String id) {
            return find("volumes", m -> id.equals(m.get("id"))).orElseThrow(() -> new AssertionError("no volume " + id));
        }

        Map<String, Object> snapshot(String id) {
            return find("snapshots", m -> id.equals(m.get("id"))).orElseThrow(() -> new AssertionError("no snapshot " + id));
        }

        Optional<Map<String, Object>> statefulSet(String name) {
            return find("statefulsets", m -> name.equals(m.get("name")));
        }

        List<Map<String, Object>> volumesTagged(String key, String value) {
            return list("volumes").stream().filter(v -> {
                Map<?, ?> tags = (Map<?, ?>) v.get("tags");
                return tags != null && Objects.equals(value, tags.get(key));
            }).collect(Collectors.toList());
        }

        Optional<Map<String, Object>> find(String key, java.util.function.Predicate<Map<String, Object>> match) {
            return list(key).stream().filter(match).findFirst();
        }

        /** The volume id behind a claim, through its PV. */
        String claimVolume(String claim) {
            String pvName = (String) pvc(claim).get("volumeName");
            return (String) pv(pvName).orElseThrow().get("volumeId");
        }
    }
}
