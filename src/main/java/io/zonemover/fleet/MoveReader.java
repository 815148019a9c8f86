package io.zonemover.fleet;

import io.zonemover.domain.EbsVolumeId;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.Strategy;
import io.zonemover.fleet.FleetPlan.StrategyType;
import io.zonemover.fleet.FleetState.ClaimState;
import io.zonemover.fleet.YamlField.Mapping;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the entries of spec.moves one by one, each checked on its own (a StatefulSet's pod, its claims,
 * from as its claims' zones, a real move) and against the plan (selected, not into an evacuated zone) and
 * the moves before it (no pod, claim or volume twice). What needs the cluster (does the claim exist, has the
 * zone room) is apply's to check; each move keeps its line for that.
 */
final class MoveReader {

    private static final Pattern POD = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)-([0-9]{1,9})");
    private static final Pattern ZONE = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)+");

    private final Selection selection;
    private final Strategy strategy;
    private final Collection<String> zones;
    private final Map<String, Integer> pods = new HashMap<>();
    private final Map<String, Integer> claims = new HashMap<>();
    private final Map<String, Integer> volumes = new HashMap<>();

    MoveReader(Selection selection, Strategy strategy, Collection<String> zones) {
        this.selection = selection;
        this.strategy = strategy;
        this.zones = zones;
    }

    Move move(YamlField item) {
        Mapping m = item.mapping().only("pod", "statefulSet", "from", "to", "claims");
        YamlField podField = m.required("pod");
        Matcher pod = POD.matcher(podField.string());
        if (!pod.matches()) {
            throw podField.error("expected NAMESPACE/NAME-ORDINAL (a StatefulSet's pod, such as shop/orders-2), got \""
                    + podField.string() + "\"");
        }
        String namespace = pod.group(1);
        String set = statefulSet(m.required("statefulSet"), pod);
        selected(podField, namespace, set);
        once(pods, podField.string(), podField, "moved");
        List<ClaimState> claimStates = claims(m.required("claims"), namespace);
        String from = from(m.required("from"), claimStates);
        String to = to(m.required("to"), from);
        return new Move(podField.string(), set, claimStates, from, to, item.line());
    }

    /** A zone name (of the region, when its zones are known). */
    static String zone(YamlField field, Collection<String> zones) {
        String zone = field.string();
        if (!ZONE.matcher(zone).matches()) {
            throw field.error("expected a zone such as us-east-1b, got \"" + zone + "\"");
        }
        if (!zones.isEmpty() && !zones.contains(zone)) {
            throw field.error("zone \"" + zone + "\" is not a zone of this region (" + String.join(", ", zones) + ")");
        }
        return zone;
    }

    private static String statefulSet(YamlField field, Matcher pod) {
        String set = field.string();
        if (!set.equals(pod.group(3))) {
            throw field.error("pod " + pod.group() + " is not a pod of StatefulSet \"" + set + "\"");
        }
        return set;
    }

    private void selected(YamlField podField, String namespace, String set) {
        String ref = namespace + "/" + set;
        if (!selection.statefulSets().isEmpty() && !selection.statefulSets().contains(ref)) {
            throw podField.error("StatefulSet " + ref + " is not in spec.selection.statefulSets");
        }
        if (!selection.allNamespaces() && !selection.namespaces().isEmpty()
                && !selection.namespaces().contains(namespace)) {
            throw podField.error("namespace " + namespace + " is not in spec.selection.namespaces");
        }
    }

    private static void once(Map<String, Integer> seen, String key, YamlField field, String verb) {
        Integer first = seen.putIfAbsent(key, field.line());
        if (first != null) {
            throw field.error(key + " is already " + verb + " at line " + first);
        }
    }

    private List<ClaimState> claims(YamlField field, String namespace) {
        List<YamlField> items = field.sequence();
        if (items.isEmpty()) {
            throw field.error("a move carries every EBS claim of its pod: the list is empty");
        }
        List<ClaimState> out = new ArrayList<>();
        for (YamlField item : items) {
            Mapping c = item.mapping().only("name", "volumeId", "zone", "sizeGiB");
            YamlField name = c.required("name");
            if (!PlanReader.DNS_SUBDOMAIN.matcher(name.string()).matches()) {
                throw name.error("expected a claim name, got \"" + name.string() + "\"");
            }
            once(claims, namespace + "/" + name.string(), name, "listed");
            YamlField volume = c.required("volumeId");
            if (EbsVolumeId.tryParse(volume.string()).filter(v -> v.id().equals(volume.string())).isEmpty()) {
                throw volume.error("expected an EBS volume id such as vol-0123456789abcdef0, got \"" + volume.string() + "\"");
            }
            once(volumes, volume.string(), volume, "listed");
            YamlField size = c.required("sizeGiB");
            if (size.integer() < 1) {
                throw size.error("must be at least 1, got " + size.integer());
            }
            out.add(new ClaimState(name.string(), volume.string(), zone(c.required("zone"), zones), size.integer()));
        }
        return out;
    }

    /** from is a fact, not a choice: the zones of the claims, comma-separated in name order. */
    private static String from(YamlField field, List<ClaimState> claims) {
        TreeSet<String> claimZones = new TreeSet<>();
        claims.forEach(c -> claimZones.add(c.zone()));
        String expected = String.join(",", claimZones);
        String from = field.string();
        if (!from.equals(expected)) {
            throw field.error("expected \"" + expected + "\" (the zone" + (claimZones.size() > 1 ? "s" : "")
                    + " of its claims), got \"" + from + "\"");
        }
        return from;
    }

    private String to(YamlField field, String from) {
        String to = zone(field, zones);
        if (strategy.type() == StrategyType.EVACUATE && strategy.zones().contains(to)) {
            throw field.error(to + " is being evacuated (spec.strategy.zones)");
        }
        // A split-per-zone plan re-binds volumes already in their zone, so from == to is a move there.
        if (strategy.type() != StrategyType.SPLIT_PER_ZONE && to.equals(from)) {
            throw field.error("same as from (" + from + "): nothing to move");
        }
        return to;
    }
}
