package io.zonemover.domain;

/**
 * How many pods of a StatefulSet may be down at once: its PodDisruptionBudget's spec (minAvailable or
 * maxUnavailable, each an integer or a percentage), or zonemover's own {@code --max-unavailable} where no
 * budget selects the pods. Computed as the disruption controller computes {@code disruptionsAllowed}, which
 * the eviction API enforces: percentages scale the expected replicas rounding up, and pods already unready
 * count against the budget.
 *
 * @param name the PodDisruptionBudget's name; null for zonemover's default
 */
public record DisruptionBudget(String name, String minAvailable, String maxUnavailable) {

    public DisruptionBudget {
        if ((minAvailable == null) == (maxUnavailable == null)) {
            throw new IllegalArgumentException("a disruption budget sets exactly one of minAvailable and maxUnavailable");
        }
    }

    /** zonemover's own budget where no PodDisruptionBudget selects the pods. */
    public static DisruptionBudget maxUnavailable(int pods) {
        return new DisruptionBudget(null, null, String.valueOf(pods));
    }

    /** How many more pods may go down now, with {@code expected} replicas of which {@code healthy} are Ready. */
    public int allowed(int expected, int healthy) {
        int desired = minAvailable != null ? scaled(minAvailable, expected)
                : expected - scaled(maxUnavailable, expected);
        return Math.max(0, healthy - Math.max(0, desired));
    }

    /** In words, for progress lines: {@code PodDisruptionBudget db (minAvailable 2)}. */
    public String describe() {
        String spec = minAvailable != null ? "minAvailable " + minAvailable : "maxUnavailable " + maxUnavailable;
        return name == null ? "--max-unavailable " + maxUnavailable : "PodDisruptionBudget " + name + " (" + spec + ")";
    }

    /** An int, or a percentage of {@code total} rounded up, as intstr.GetScaledValueFromIntOrPercent. */
    static int scaled(String value, int total) {
        String v = value.trim();
        if (v.endsWith("%")) {
            double percent = Double.parseDouble(v.substring(0, v.length() - 1));
            return (int) Math.ceil(percent * total / 100.0);
        }
        return Integer.parseInt(v);
    }
}
