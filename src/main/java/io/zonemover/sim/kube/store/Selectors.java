package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Label selectors (string and object forms), node selector terms, and field selectors. */
public final class Selectors {

    private Selectors() {
    }

    /** One requirement: key op values. ops: =, !=, in, notin, exists, !. */
    record Requirement(String key, String op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case "=", "in" -> v != null && values.contains(v);
                case "!=", "notin" -> v == null || !values.contains(v);
                case "exists" -> labels.containsKey(key);
                case "!" -> !labels.containsKey(key);
                case "gt" -> v != null && isLong(v) && Long.parseLong(v) > Long.parseLong(values.iterator().next());
                case "lt" -> v != null && isLong(v) && Long.parseLong(v) < Long.parseLong(values.iterator().next());
                default -> false;
            };
        }
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Parses "app=web,tier!=db,env in (a,b),x notin (c),present,!absent". */
    public static Predicate<Map<String, String>> parseLabelSelector(String s) {
        if (s == null || s.isBlank()) {
            return m -> true;
        }
        List<Requirement> reqs = new ArrayList<>();
        for (String term : splitTopLevel(s)) {
            String t = term.trim();
            if (t.isEmpty()) {
                continue;
            }
            java.util.regex.Matcher set = java.util.regex.Pattern
                    .compile("^([^\\s!=()]+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(t);
            if (set.matches()) {
                Set<String> vals = new TreeSet<>();
                for (String v : set.group(3).split(",")) {
                    if (!v.trim().isEmpty()) {
                        vals.add(v.trim());
                    }
                }
                reqs.add(new Requirement(set.group(1), set.group(2), vals));
            } else if (t.contains("!=")) {
                int i = t.indexOf("!=");
                reqs.add(new Requirement(t.substring(0, i).trim(), "!=", Set.of(t.substring(i + 2).trim())));
            } else if (t.contains("==")) {
                int i = t.indexOf("==");
                reqs.add(new Requirement(t.substring(0, i).trim(), "=", Set.of(t.substring(i + 2).trim())));
            } else if (t.contains("=")) {
                int i = t.indexOf('=');
                reqs.add(new Requirement(t.substring(0, i).trim(), "=", Set.of(t.substring(i + 1).trim())));
            } else if (t.startsWith("!")) {
                reqs.add(new Requirement(t.substring(1).trim(), "!", Set.of()));
            } else if (t.matches("[A-Za-z0-9./_-]+")) {
                reqs.add(new Requirement(t, "exists", Set.of()));
            } else {
                throw KubeApiException.badRequest("unable to parse requirement: " + t);
            }
        }
        return m -> {
            for (Requirement r : reqs) {
                if (!r.matches(m)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** metav1.LabelSelector {matchLabels, matchExpressions}; a null selector matches nothing, empty matches all. */
    public static boolean matchesLabelSelector(JsonNode selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        for (Map.Entry<String, String> e : Json.stringMap(selector.get("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        JsonNode exprs = selector.get("matchExpressions");
        if (exprs != null) {
            for (JsonNode ex : exprs) {
                if (!requirement(ex).matches(labels)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Requirement requirement(JsonNode ex) {
        String op = ex.path("operator").asText();
        Set<String> vals = new TreeSet<>();
        ex.path("values").forEach(v -> vals.add(v.asText()));
        String o = switch (op) {
            case "In" -> "in";
            case "NotIn" -> "notin";
            case "Exists" -> "exists";
            case "DoesNotExist" -> "!";
            case "Gt" -> "gt";
            case "Lt" -> "lt";
            default -> "?";
        };
        return new Requirement(ex.path("key").asText(), o, vals);
    }

    /** v1.NodeSelector: terms are ORed, expressions within a term ANDed. Null matches all. */
    public static boolean matchesNodeSelector(JsonNode nodeSelector, Map<String, String> nodeLabels, String nodeName) {
        if (nodeSelector == null) {
            return true;
        }
        JsonNode terms = nodeSelector.get("nodeSelectorTerms");
        if (terms == null || terms.isEmpty()) {
            return false;
        }
        for (JsonNode term : terms) {
            boolean ok = true;
            boolean any = false;
            for (JsonNode ex : term.path("matchExpressions")) {
                any = true;
                if (!requirement(ex).matches(nodeLabels)) {
                    ok = false;
                    break;
                }
            }
            for (JsonNode ex : term.path("matchFields")) {
                any = true;
                if (!requirement(ex).matches(Map.of("metadata.name", nodeName))) {
                    ok = false;
                    break;
                }
            }
            if (ok && any) {
                return true;
            }
        }
        return false;
    }

    /** A parsed field selector: a list of (field, op, value). */
    record FieldRequirement(String field, boolean equal, String value) {
    }

    static List<FieldRequirement> parseFieldSelector(String s) {
        List<FieldRequirement> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String term : s.split(",")) {
            String t = term.trim();
            if (t.isEmpty()) {
                continue;
            }
            int i;
            if ((i = t.indexOf("!=")) >= 0) {
                out.add(new FieldRequirement(t.substring(0, i).trim(), false, t.substring(i + 2).trim()));
            } else if ((i = t.indexOf("==")) >= 0) {
                out.add(new FieldRequirement(t.substring(0, i).trim(), true, t.substring(i + 2).trim()));
            } else if ((i = t.indexOf('=')) >= 0) {
                out.add(new FieldRequirement(t.substring(0, i).trim(), true, t.substring(i + 1).trim()));
            } else {
                throw KubeApiException.badRequest("invalid selector: '" + s + "'; can't understand '" + t + "'");
            }
        }
        return out;
    }

    /** The value of a supported field of an object, or throws 400 for a field the real API does not index. */
    static String fieldValue(ResourceType type, JsonNode o, String field) {
        switch (field) {
            case "metadata.name":
                return nz(Json.name(o));
            case "metadata.namespace":
                return nz(Json.namespace(o));
            default:
                break;
        }
        if (type == ResourceType.PODS) {
            switch (field) {
                case "spec.nodeName": return nz(Json.text(o, "spec", "nodeName"));
                case "status.phase": return nz(Json.text(o, "status", "phase"));
                case "spec.restartPolicy": return nz(Json.text(o, "spec", "restartPolicy"));
                case "spec.schedulerName": return nz(Json.text(o, "spec", "schedulerName"));
                case "spec.serviceAccountName": return nz(Json.text(o, "spec", "serviceAccountName"));
                case "status.podIP": return nz(Json.text(o, "status", "podIP"));
                case "status.nominatedNodeName": return nz(Json.text(o, "status", "nominatedNodeName"));
                default: break;
            }
        } else if (type == ResourceType.NODES) {
            if (field.equals("spec.unschedulable")) {
                return String.valueOf(o.path("spec").path("unschedulable").asBoolean(false));
            }
        } else if (type == ResourceType.EVENTS) {
            if (field.startsWith("involvedObject.")) {
                String sub = field.substring("involvedObject.".length());
                if (Set.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
                        .contains(sub)) {
                    return nz(Json.text(o, "involvedObject", sub));
                }
            }
            switch (field) {
                case "reason": return nz(Json.text(o, "reason"));
                case "type": return nz(Json.text(o, "type"));
                case "source": return nz(Json.text(o, "source", "component"));
                case "reportingComponent": return nz(Json.text(o, "reportingComponent"));
                default: break;
            }
        } else if (type == ResourceType.NAMESPACES) {
            if (field.equals("status.phase")) {
                return nz(Json.text(o, "status", "phase"));
            }
        }
        throw KubeApiException.badRequest("field label not supported: " + field);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    public static Predicate<JsonNode> fieldPredicate(ResourceType type, String selector) {
        List<FieldRequirement> reqs = parseFieldSelector(selector);
        if (reqs.isEmpty()) {
            return o -> true;
        }
        // Validate the field names up front so an unsupported field fails even on an empty list.
        for (FieldRequirement r : reqs) {
            fieldValue(type, Json.obj(), r.field());
        }
        return o -> {
            for (FieldRequirement r : reqs) {
                boolean eq = fieldValue(type, o, r.field()).equals(r.value());
                if (eq != r.equal()) {
                    return false;
                }
            }
            return true;
        };
    }
}
