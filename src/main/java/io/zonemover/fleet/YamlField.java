package io.zonemover.fleet;

import io.zonemover.domain.ZonemoverException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One value of a YAML file read strictly: its node (from SnakeYAML's composer, which keeps line numbers),
 * the file it came from and its field path ({@code spec.moves[2].to}), so that every complaint is one line
 * that names both: {@code plan.yaml:14: spec.moves[2].to: ...}.
 */
final class YamlField {

    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON");

    private final String source;
    private final String path;
    private final Node node;

    YamlField(String source, String path, Node node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    /** The 1-based line the value starts on. */
    int line() {
        return node.getStartMark().getLine() + 1;
    }

    String path() {
        return path;
    }

    boolean isNull() {
        return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
    }

    /** A bad-input error at this value's line, naming its path. */
    ZonemoverException error(String message) {
        return errorAt(line(), message);
    }

    ZonemoverException errorAt(int line, String message) {
        return ZonemoverException.badInput(source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** The fields of a mapping, in file order; a key given twice or a key that is not a plain string is refused. */
    Mapping mapping() {
        if (!(node instanceof MappingNode m)) {
            throw error("expected a mapping (field: value lines), got " + describe());
        }
        Map<String, YamlField> fields = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        for (NodeTuple tuple : m.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key) || !Tag.STR.equals(key.getTag())) {
                throw new YamlField(source, path, tuple.getKeyNode()).error("field names must be strings");
            }
            String name = key.getValue();
            int line = key.getStartMark().getLine() + 1;
            if (fields.containsKey(name)) {
                throw errorAt(line, "field \"" + name + "\" is given twice (first at line " + keyLines.get(name) + ")");
            }
            fields.put(name, new YamlField(source, child(name), tuple.getValueNode()));
            keyLines.put(name, line);
        }
        return new Mapping(this, fields, keyLines);
    }

    /** The items of a sequence, each with its index in the path. */
    List<YamlField> sequence() {
        if (!(node instanceof SequenceNode s)) {
            throw error("expected a list, got " + describe());
        }
        List<YamlField> items = new ArrayList<>();
        for (Node item : s.getValue()) {
            items.add(new YamlField(source, path + "[" + items.size() + "]", item));
        }
        return items;
    }

    String string() {
        ScalarNode scalar = scalar("a string");
        if (!Tag.STR.equals(scalar.getTag()) && !Tag.TIMESTAMP.equals(scalar.getTag())) {
            throw error("expected a string, got " + describe() + (Tag.NULL.equals(scalar.getTag()) ? ""
                    : " (quote it to make it one)"));
        }
        return scalar.getValue();
    }

    int integer() {
        ScalarNode scalar = scalar("an integer");
        if (!Tag.INT.equals(scalar.getTag()) || !INTEGER.matcher(scalar.getValue()).matches()
                || scalar.getValue().replaceFirst("^[-+]", "").length() > 9) {
            throw error("expected an integer, got " + describe());
        }
        return Integer.parseInt(scalar.getValue());
    }

    boolean bool() {
        ScalarNode scalar = scalar("true or false");
        if (!Tag.BOOL.equals(scalar.getTag())) {
            throw error("expected true or false, got " + describe());
        }
        return TRUE.contains(scalar.getValue());
    }

    /** A list of strings; a lone string is not taken for a list of one. */
    List<String> strings() {
        return sequence().stream().map(YamlField::string).toList();
    }

    private ScalarNode scalar(String expected) {
        if (!(node instanceof ScalarNode scalar)) {
            throw error("expected " + expected + ", got " + describe());
        }
        return scalar;
    }

    /** How the value looks, for an error: a quoted scalar, "nothing", "a list" or "a mapping". */
    private String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        return Tag.NULL.equals(scalar.getTag()) ? "nothing" : "\"" + scalar.getValue() + "\"";
    }

    private String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The fields of one mapping, read by name; those never asked for are checked against the known ones. */
    static final class Mapping {
        private final YamlField self;
        private final Map<String, YamlField> fields;
        private final Map<String, Integer> keyLines;

        private Mapping(YamlField self, Map<String, YamlField> fields, Map<String, Integer> keyLines) {
            this.self = self;
            this.fields = fields;
            this.keyLines = keyLines;
        }

        /** Every field, in file order (for mappings whose keys are data, such as a table). */
        Map<String, YamlField> entries() {
            return fields;
        }

        /** Refuses any field not named here, at its own line. */
        Mapping only(String... known) {
            List<String> allowed = List.of(known);
            for (Map.Entry<String, Integer> key : keyLines.entrySet()) {
                if (!allowed.contains(key.getKey())) {
                    throw self.errorAt(key.getValue(), "unknown field \"" + key.getKey() + "\" (known: "
                            + String.join(", ", allowed) + ")");
                }
            }
            return this;
        }

        YamlField required(String name) {
            YamlField field = fields.get(name);
            if (field == null) {
                throw self.error("missing field \"" + name + "\"");
            }
            return field;
        }

        /** The field, or empty when it is absent or given as nothing ({@code field:} or {@code ~}), as Kubernetes reads it. */
        Optional<YamlField> optional(String name) {
            return Optional.ofNullable(fields.get(name)).filter(f -> !f.isNull());
        }
    }
}
