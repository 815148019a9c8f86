package io.zonemover.sim;

import io.zonemover.sim.kube.KubeFaults;
import io.zonemover.sim.scenario.AutoRescue;
import io.zonemover.sim.scenario.Fleet;
import io.zonemover.sim.scenario.Healthy;
import io.zonemover.sim.scenario.Large;
import io.zonemover.sim.scenario.Scenario;
import io.zonemover.sim.scenario.StuckPod;
import io.zonemover.sim.scenario.TwoClaims;
import io.zonemover.sim.scenario.Unbalanced;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of worlds a simulation can start from ({@code --scenario}); each is one class in
 * {@code io.zonemover.sim.scenario}. Each is built through the same create paths the API uses, so the
 * controllers place, bind, attach and start everything; then the world is advanced until it is steady (pods
 * Running and writing). Adding a scenario: one class, one line in {@link #ALL}.
 */
public final class Scenarios {

    private static final List<Scenario> ALL = List.of(
            new StuckPod(),
            new Unbalanced(),
            new Healthy(),
            new Large(),
            new TwoClaims(),
            new Fleet(),
            new AutoRescue());

    private Scenarios() {
    }

    public static List<String> names() {
        return ALL.stream().map(Scenario::name).toList();
    }

    /** Name -> one-line description, in registration order (for {@code --help}). */
    public static Map<String, String> descriptions() {
        Map<String, String> out = new LinkedHashMap<>();
        ALL.forEach(s -> out.put(s.name(), s.description()));
        return out;
    }

    /**
     * "NAME (DESCRIPTION)" per scenario, as picocli's {@code completionCandidates} wants them, so that an
     * option's description can list them with {@code ${COMPLETION-CANDIDATES}}.
     */
    public static final class Described implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ALL.stream().map(s -> s.name() + " (" + s.description() + ")").iterator();
        }
    }

    /** Builds scenario {@code name} at world time {@code now} (epoch millis); options may be null. */
    public static World create(String name, Map<String, String> options, long now) {
        Map<String, String> opts = options == null ? Map.of() : options;
        for (Scenario s : ALL) {
            if (s.name().equals(name)) {
                return s.build(opts, now);
            }
        }
        throw new IllegalArgumentException("unknown scenario " + name + "; known: " + String.join(", ", names()));
    }

    /** Faults for tests and demos: a pod that never becomes Ready, a zone without capacity. */
    public static void setKubeFaults(World world, KubeFaults faults) {
        world.kube().setFaults(faults);
        world.settle();
    }
}
