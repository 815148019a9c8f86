package io.zonemover.fleet;

import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.Strategy;
import io.zonemover.fleet.FleetPlan.StrategyType;
import io.zonemover.fleet.YamlField.Mapping;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.Reader;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a plan file into a {@link FleetPlan}, refusing, with the line and the field path, anything that is
 * not the documented format: unknown or missing fields, wrong types, another apiVersion or kind, limits
 * below 1, an evacuate without zones. The moves themselves are checked by {@link MoveReader}.
 */
final class PlanReader {

    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    static final Pattern SET_REF = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private final String source;
    private final Collection<String> zones;

    /** @param zones the region's zones every zone of the plan must be one of; empty to not check */
    PlanReader(String source, Collection<String> zones) {
        this.source = source;
        this.zones = zones;
    }

    FleetPlan read(Reader reader) {
        Mapping doc = new YamlField(source, "", compose(reader)).mapping();
        expect(doc.required("apiVersion"), FleetPlan.API_VERSION);
        expect(doc.required("kind"), FleetPlan.KIND);
        doc.only("apiVersion", "kind", "metadata", "spec", "status");
        Mapping metadata = doc.required("metadata").mapping().only("name", "createdAt");
        Mapping spec = doc.required("spec").mapping().only("selection", "strategy", "limits", "moves");
        Selection selection = spec.optional("selection").map(f -> selection(f.mapping()))
                .orElse(new Selection(List.of(), false, null, List.of()));
        Strategy strategy = strategy(spec.required("strategy").mapping());
        Limits limits = spec.optional("limits").map(f -> limits(f.mapping())).orElse(Limits.DEFAULT);
        MoveReader moves = new MoveReader(selection, strategy, zones);
        List<Move> read = new ArrayList<>();
        spec.required("moves").sequence().forEach(item -> read.add(moves.move(item)));
        PlanStatus status = doc.optional("status").map(PlanStatus::lenient).orElse(PlanStatus.NONE);
        return new FleetPlan(name(metadata.required("name")), metadata.optional("createdAt").map(this::time)
                .orElse(null), selection, strategy, limits, read, status.before(), status.after(), status.notes());
    }

    /** The file's node tree; a syntax error becomes one line that names where SnakeYAML stopped. */
    private Node compose(Reader reader) {
        Node root;
        try {
            root = new Yaml().compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getContext() == null ? e.getProblem()
                    : e.getProblem() == null ? e.getContext() : e.getContext() + ", " + e.getProblem();
            throw ZonemoverException.badInput(source + (mark == null ? "" : ":" + (mark.getLine() + 1))
                    + ": not valid YAML: " + oneLine(problem));
        } catch (YAMLException e) {
            throw ZonemoverException.badInput(source + ": not valid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            throw ZonemoverException.badInput(source + ":1: the file is empty: expected a " + FleetPlan.KIND);
        }
        return root;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static void expect(YamlField field, String expected) {
        String got = field.string();
        if (!expected.equals(got)) {
            throw field.error("expected " + expected + ", got \"" + got + "\"");
        }
    }

    private static String name(YamlField field) {
        String name = field.string();
        if (!DNS_SUBDOMAIN.matcher(name).matches()) {
            throw field.error("expected a name of lower-case letters, digits, '-' and '.', got \"" + name + "\"");
        }
        return name;
    }

    private String time(YamlField field) {
        String text = field.string();
        try {
            OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw field.error("expected an RFC 3339 time such as 2025-03-04T05:06:07Z, got \"" + text + "\"");
        }
        return text;
    }

    private static Selection selection(Mapping m) {
        m.only("namespaces", "allNamespaces", "labelSelector", "statefulSets");
        List<String> namespaces = m.optional("namespaces").map(f -> each(f, DNS_LABEL, "a namespace name"))
                .orElse(List.of());
        boolean all = m.optional("allNamespaces").map(YamlField::bool).orElse(false);
        if (all && !namespaces.isEmpty()) {
            throw m.required("allNamespaces").error("allNamespaces: true and a list of namespaces exclude each other");
        }
        String labelSelector = m.optional("labelSelector").map(PlanReader::labelSelector).orElse(null);
        List<String> sets = m.optional("statefulSets").map(f -> each(f, SET_REF, "NAMESPACE/NAME"))
                .orElse(List.of());
        return new Selection(namespaces, all, labelSelector, sets);
    }

    /** The selector as written ({@code ""} means none), once the domain's parser accepts it. */
    private static String labelSelector(YamlField field) {
        String text = field.string();
        try {
            LabelSelector.parse(text);
        } catch (ZonemoverException e) {
            throw field.error(e.getMessage());
        }
        return text.isBlank() ? null : text;
    }

    private static List<String> each(YamlField list, Pattern pattern, String what) {
        List<String> out = new ArrayList<>();
        for (YamlField item : list.sequence()) {
            String value = item.string();
            if (!pattern.matcher(value).matches()) {
                throw item.error("expected " + what + ", got \"" + value + "\"");
            }
            out.add(value);
        }
        return out;
    }

    private Strategy strategy(Mapping m) {
        m.only("type", "zones");
        YamlField typeField = m.required("type");
        StrategyType type = StrategyType.of(typeField.string());
        if (type == null) {
            throw typeField.error("expected spread, evacuate or split-per-zone, got \"" + typeField.string() + "\"");
        }
        List<String> listed = new ArrayList<>();
        m.optional("zones").ifPresent(f -> f.sequence().forEach(z -> listed.add(MoveReader.zone(z, zones))));
        if (type == StrategyType.EVACUATE && listed.isEmpty()) {
            throw m.optional("zones").orElse(typeField).error("evacuate needs the zones it empties in spec.strategy.zones");
        }
        if (type == StrategyType.SPREAD && !listed.isEmpty()) {
            throw m.required("zones").error("spread takes no zones (it uses every zone with room)");
        }
        return new Strategy(type, listed);
    }

    private static Limits limits(Mapping m) {
        m.only("parallel", "maxUnavailable", "maxFailures");
        return new Limits(atLeastOne(m, "parallel"), atLeastOne(m, "maxUnavailable"), atLeastOne(m, "maxFailures"));
    }

    private static int atLeastOne(Mapping m, String name) {
        return m.optional(name).map(f -> {
            int value = f.integer();
            if (value < 1) {
                throw f.error("must be at least 1, got " + value);
            }
            return value;
        }).orElse(1);
    }

    /** status, read when it has the shape the planner writes and dropped otherwise: apply never uses it. */
    record PlanStatus(Map<String, Map<String, Integer>> before, Map<String, Map<String, Integer>> after,
                      List<String> notes) {
        static final PlanStatus NONE = new PlanStatus(Map.of(), Map.of(), List.of());

        static PlanStatus lenient(YamlField field) {
            try {
                Mapping m = field.mapping();
                return new PlanStatus(m.optional("before").map(PlanStatus::table).orElse(Map.of()),
                        m.optional("after").map(PlanStatus::table).orElse(Map.of()),
                        m.optional("notes").map(YamlField::strings).orElse(List.of()));
            } catch (ZonemoverException e) {
                return NONE;
            }
        }

        private static Map<String, Map<String, Integer>> table(YamlField field) {
            Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
            field.mapping().entries().forEach((set, zones) -> {
                Map<String, Integer> counts = new LinkedHashMap<>();
                zones.mapping().entries().forEach((zone, count) -> counts.put(zone, count.integer()));
                out.put(set, counts);
            });
            return out;
        }
    }
}
