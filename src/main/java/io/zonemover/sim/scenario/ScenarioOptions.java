package io.zonemover.sim.scenario;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a scenario's own options ({@code sim init --set KEY=VALUE}) and refuses bad ones before anything is built. */
final class ScenarioOptions {

    /** The option every scenario takes ({@link WorldBuilder#start}). */
    private static final String K8S_VERSION = "k8sVersion";

    private ScenarioOptions() {
    }

    /** Option {@code key} as an integer of at least {@code min}, or {@code def} when absent. */
    static int intOption(Map<String, String> opts, String key, int def, int min) {
        String v = opts.get(key);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i >= min) {
                return i;
            }
        } catch (NumberFormatException e) {
            // Refused below, with the same message as a number out of range.
        }
        throw new IllegalArgumentException("scenario option " + key + " must be "
                + (min == 0 ? "a non-negative integer" : "an integer of at least " + min) + ", not " + v);
    }

    /** Refuses options the scenario does not take, so a misspelt one is not silently ignored. */
    static void onlyThese(Map<String, String> opts, String scenario, String... keys) {
        Set<String> unknown = new TreeSet<>(opts.keySet());
        unknown.remove(K8S_VERSION);
        unknown.removeAll(Set.of(keys));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("scenario " + scenario + " takes options " + String.join(", ", keys)
                    + " and " + K8S_VERSION + ", not " + String.join(", ", unknown));
        }
    }
}
